"""Resolving the admin-1 area of each row of an external dataset: by name (or code), else by coordinates.

Names are compared through :func:`name_key`: accents stripped (Unicode NFKD), case folded, hyphens, apostrophes,
spaces and other punctuation ignored, and trailing words such as "prefecture" or "province" that UCDP appends
dropped, so ``Ombella M'Poko``, ``Ombella-M'Poko``, ``OMBELLA MPOKO`` and ``Ombella-M'Poko prefecture`` are one
area. An area's code (``CF-BGF``) matches too. Names are normalised once per distinct value, not per row.

Rows whose name is missing or unknown (a prefecture created after the boundaries were drawn, a misspelling) are
placed by their latitude/longitude: a vectorized point-in-polygon test over all distinct coordinates at once
(bounding-box filter, then shapely's prepared ``intersects_xy``), with points just outside every polygon (within
:data:`NEAR_DEGREES`, e.g. across a generalised border line) given the nearest area. Rows that still resolve to
nothing keep ``admin1_code`` None: they are counted and named in a warning, never dropped.
"""

from __future__ import annotations

import re
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cpas_kit.data_in.external.reading import distinct, spread

NEAR_DEGREES = 0.05  # about 5 km: how far outside every polygon a point may lie and still get the nearest area
SUFFIX_WORDS = frozenset({
    "prefecture", "prefectures", "province", "provincia", "region", "state", "governorate", "district",
    "department", "departement", "city", "commune", "county", "municipality", "economic", "autonomous",
    "territory", "division", "wilaya", "muhafazah", "oblast",
})
NAME = "name"
POINT = "point"
UNMATCHED_LABEL = "not matched to an area"
_SEPARATORS = re.compile(r"[^0-9a-z]+")


def name_key(text: str) -> str:
    """The form two names are compared in: ``"Ouham-Pendé prefecture"`` → ``"ouhampende"``."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = [w for w in _SEPARATORS.split(plain) if w]
    while len(words) > 1 and words[-1] in SUFFIX_WORDS:
        words.pop()
    return "".join(words)


def area_lookup(areas: pd.DataFrame) -> dict[str, str]:
    """Name key → area code, for every area's name and its code."""
    lookup = {name_key(n): c for n, c in zip(areas["area_name"], areas["area_code"])}
    lookup.update({name_key(c): c for c in areas["area_code"]})
    return lookup


def codes_by_name(names: pd.Series, areas: pd.DataFrame) -> np.ndarray:
    """Each row's area code found from its name or code (object array, None where not found)."""
    lookup = area_lookup(areas)
    keys, uniques = distinct(names)
    return spread(keys, np.array([lookup.get(name_key(u)) for u in uniques], dtype=object))


def codes_by_point(lat: pd.Series | np.ndarray, lon: pd.Series | np.ndarray, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Each row's area code from its coordinates (object array, None where outside every area or missing)."""
    y = np.asarray(lat, dtype="float64")
    x = np.asarray(lon, dtype="float64")
    out = np.full(len(x), None, dtype=object)
    ok = ~(np.isnan(x) | np.isnan(y))
    if not ok.any() or len(areas) == 0:
        return out
    # Events repeat the same places: test each distinct coordinate pair once.
    keys, uniques = pd.factorize(x[ok] + 1j * y[ok])
    ux, uy = uniques.real, uniques.imag
    hit = np.full(len(uniques), -1, dtype=np.int64)
    geoms = areas.geometry.to_numpy()
    for k, geom in enumerate(geoms):
        minx, miny, maxx, maxy = geom.bounds
        idx = np.flatnonzero((hit < 0) & (ux >= minx) & (ux <= maxx) & (uy >= miny) & (uy <= maxy))
        if len(idx):
            shapely.prepare(geom)
            inside = shapely.intersects_xy(geom, ux[idx], uy[idx])
            hit[idx[inside]] = k
    _nearest(hit, ux, uy, geoms)
    codes = np.append(areas["area_code"].to_numpy(dtype=object), None)
    out[ok] = codes[hit[keys]]  # -1 picks the trailing None
    return out


def _nearest(hit: np.ndarray, ux: np.ndarray, uy: np.ndarray, geoms: np.ndarray) -> None:
    """Give points just outside every polygon (within NEAR_DEGREES) the nearest area, in place."""
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    close = np.flatnonzero((hit < 0) & (ux >= minx - NEAR_DEGREES) & (ux <= maxx + NEAR_DEGREES)
                           & (uy >= miny - NEAR_DEGREES) & (uy <= maxy + NEAR_DEGREES))
    if not len(close):
        return
    band = shapely.union_all(geoms).buffer(NEAR_DEGREES)  # the areas grown by the tolerance, tested at once
    shapely.prepare(band)
    close = close[shapely.intersects_xy(band, ux[close], uy[close])]
    if not len(close):
        return
    tree = shapely.STRtree(geoms)
    pts, near = tree.query_nearest(shapely.points(ux[close], uy[close]), max_distance=NEAR_DEGREES)
    order = np.argsort(pts, kind="stable")  # a point equidistant from two areas takes the first
    pts, near = pts[order], near[order]
    first = np.unique(pts, return_index=True)[1]
    hit[close[pts[first]]] = near[first]


def resolve_admin1(names: pd.Series, lat: pd.Series, lon: pd.Series, areas: gpd.GeoDataFrame | None,
                   codes: pd.Series | None = None) -> pd.DataFrame:
    """``admin1_code`` and ``admin1_match`` ("name", "point" or None) for every row, same index as ``names``.

    ``codes`` (an admin-1 code column, as HXL files have) is tried first, then ``names``, then coordinates.
    """
    n = len(names)
    if areas is None or len(areas) == 0:
        return pd.DataFrame({"admin1_code": pd.Series(np.full(n, None), index=names.index, dtype=object),
                             "admin1_match": pd.Series(np.full(n, None), index=names.index, dtype=object)})
    found = codes_by_name(names, areas)
    if codes is not None:
        by_code = codes_by_name(codes, areas)
        found = np.where(pd.isna(by_code), found, by_code)
    match = np.where(pd.isna(found), None, NAME).astype(object)
    todo = np.flatnonzero(pd.isna(found))
    if len(todo):
        by_point = codes_by_point(np.asarray(lat, dtype="float64")[todo], np.asarray(lon, dtype="float64")[todo],
                                  areas)
        found[todo] = by_point
        match[todo] = np.where(pd.isna(by_point), None, POINT)
    return pd.DataFrame({"admin1_code": pd.Series(found, index=names.index, dtype=object),
                         "admin1_match": pd.Series(match, index=names.index, dtype=object)})


def resolution_warnings(names: pd.Series, resolved: pd.DataFrame, *, top: int = 15) -> list[str]:
    """Sentences naming the admin-1 names placed by coordinates and those left unmatched, with row counts."""
    out = []
    sentences = {
        POINT: ("{n} row(s) had an admin-1 name not in the mission's boundaries and were placed by their "
                "coordinates: {names}."),
        None: ("{n} row(s) matched no admin-1 area (unknown name and no usable coordinates); they are stored as '"
               + UNMATCHED_LABEL + "': {names}. Fix the names or coordinates in the file and import it again to "
               "place them."),
    }
    for match, sentence in sentences.items():
        mask = resolved["admin1_match"].isna() if match is None else resolved["admin1_match"].eq(match)
        if not mask.any():
            continue
        counts = pd.Series(names.to_numpy(dtype=object)[mask.to_numpy()]).fillna("(no name)").value_counts()
        listed = ", ".join(f"'{k}' ({v})" for k, v in counts.head(top).items())
        if len(counts) > top:
            listed += f" and {len(counts) - top} other name(s)"
        out.append(sentence.format(n=int(mask.sum()), names=listed))
    return out
