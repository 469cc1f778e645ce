"""Admin-1 boundaries of a mission: loading the shipped GeoJSON and preparing it for Altair maps."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from cpas_kit.core.paths import boundaries_file

if TYPE_CHECKING:  # the model only names the type; the model itself calls into this module
    from cpas_kit.framework.model import Geography


@lru_cache(maxsize=16)
def _read(file_name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(boundaries_file(file_name))


def admin1_areas(geography: Geography) -> gpd.GeoDataFrame:
    """The admin-1 polygons with ``area_code`` and ``area_name`` columns, rings oriented for Vega.

    Vega draws a polygon whose exterior ring is counter-clockwise as "everything but the polygon";
    GeoJSON (RFC 7946) uses exactly that order, so rings are re-oriented clockwise here.
    """
    gdf = _read(geography.boundaries).copy()
    gdf = gdf.rename(columns={geography.id_property: "area_code", geography.name_property: "area_name"})
    gdf["geometry"] = gdf.geometry.apply(_clockwise)
    return gdf[["area_code", "area_name", "geometry"]].sort_values("area_code").reset_index(drop=True)


@lru_cache(maxsize=16)
def _codes(geography: Geography) -> pd.DataFrame:
    gdf = _read(geography.boundaries)
    table = pd.DataFrame({"area_code": gdf[geography.id_property], "area_name": gdf[geography.name_property]})
    return table.sort_values("area_code").reset_index(drop=True)


@lru_cache(maxsize=16)
def admin1_codes(geography: Geography) -> tuple[str, ...]:
    """The admin-1 codes in code order (cached: called once per row by importers and generators)."""
    return tuple(_codes(geography)["area_code"])


@lru_cache(maxsize=16)
def admin1_names(geography: Geography) -> dict[str, str]:
    """Area code → area name (cached: data-entry workbooks look one up per row)."""
    table = _codes(geography)
    return dict(zip(table["area_code"], table["area_name"]))


def admin1_table(geography: Geography) -> pd.DataFrame:
    """Just the codes and names of the admin-1 areas (no geometry)."""
    return _codes(geography).copy()


def _clockwise(geom):
    if isinstance(geom, Polygon):
        return orient(geom, sign=-1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(g, sign=-1.0) for g in geom.geoms])
    return geom
