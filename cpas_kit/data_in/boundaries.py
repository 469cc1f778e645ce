"""A mission's own admin-1 boundaries: registering a GeoJSON, GeoPackage or shapefile (an OCHA COD-AB with
p-codes, the UN Geospatial boundaries a mission uses) and giving every map, pack and importer the boundaries in
use.

``register_boundaries`` checks the whole file before writing anything: polygon geometries (invalid rings are
repaired with ``shapely.make_valid`` and said so; empty or non-polygon ones are problems, each with its feature
number), an area code and name in every feature, codes unique, and one country — the mission's (a country
column such as ``ADM0_PCODE``/``iso3``, else the two letters codes start with). The areas are stored as GeoJSON
(WGS 84) in ``mission_boundaries`` with the file's name, SHA-256, who and when, as a new version numbered per
mission, independent of the results framework; importing the same file again adds nothing. Alternative names
the file carries (``name_alt``, ``woe_name``, ``gn_name``, ``name_fr``, ``ADM1_FR``, ``ADM1ALT1EN`` …) and an
the other codes an area carries (an ISO 3166-2 code beside an OCHA p-code) are kept for matching admin-1 names.

``mission_areas`` is what maps and matching use: the latest registered version, else the boundaries shipped
with the mission's framework (Natural Earth).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pycountry
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient
from sqlalchemy import func, insert, select

from cpas_kit.core.import_report import ImportProblem, ImportRejected, ImportResult, file_sha256
from cpas_kit.framework.geography import admin1_areas
from cpas_kit.store import Store
from cpas_kit.store.audit import now, write_audit
from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import mission_boundaries

CODE_FIELDS = ("ADM1_PCODE", "adm1_pcode", "admin1Pcode", "iso_3166_2", "ISO_3166_2", "adm1_code", "ADM1_CODE",
               "pcode", "PCODE", "code", "GID_1", "HASC_1")
NAME_FIELDS = ("ADM1_EN", "ADM1_FR", "admin1Name_en", "admin1Name_fr", "admin1Name", "name", "NAME", "NAME_1",
               "name_en", "ADM1NAME", "adm1_name")
ALT_FIELDS = ("name_alt", "woe_name", "gn_name", "name_fr", "name_en", "name_local", "gns_name", "ADM1_FR",
              "ADM1_EN", "ADM1_PT", "ADM1_AR", "ADM1ALT1EN", "ADM1ALT2EN", "ADM1ALT1FR", "ADM1ALT2FR", "ADM1_REF",
              "VARNAME_1", "NL_NAME_1", "admin1Name_en", "admin1Name_fr", "admin1AltName1_en", "admin1AltName2_en")
OTHER_CODE_FIELDS = ("ISO_CODE", "iso_code", "ISO", "ADM1_REF_CODE")  # other codes an area is known by
COUNTRY_FIELDS = ("ADM0_PCODE", "adm0_pcode", "admin0Pcode", "ADM0_A3", "adm0_a3", "iso3", "ISO3", "GID_0",
                  "iso_a2", "ISO2", "iso2")
SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")


def mission_areas(store: Store, mission: str) -> gpd.GeoDataFrame | None:
    """The admin-1 areas in use for ``mission`` (``area_code``, ``area_name``, ``alt_names``, ``geometry``, rings
    clockwise for Vega): its latest registered boundaries, else those shipped with its framework, else None."""
    with read(store.engine) as conn:
        row = conn.execute(select(mission_boundaries.c.geojson)
                           .where(mission_boundaries.c.mission_code == mission)
                           .order_by(mission_boundaries.c.version.desc()).limit(1)).first()
    if row is not None:
        doc = json.loads(row.geojson)
        gdf = gpd.GeoDataFrame.from_features(doc["features"], crs="EPSG:4326")
        gdf["geometry"] = gdf.geometry.apply(_clockwise)
        cols = ["area_code", "area_name", "alt_names", "pcode", "geometry"]
        return gdf[[c for c in cols if c in gdf]].sort_values("area_code").reset_index(drop=True)
    geography = store.framework(mission).mission.geography
    return admin1_areas(geography) if geography is not None else None


def list_boundaries(store: Store, mission: str) -> list[dict[str, Any]]:
    """Every registered version for ``mission`` (newest first, the first in use), or the shipped default."""
    cols = [c for c in mission_boundaries.c if c.name != "geojson"]
    with read(store.engine) as conn:
        rows = [dict(r) for r in conn.execute(select(*cols).where(mission_boundaries.c.mission_code == mission)
                                              .order_by(mission_boundaries.c.version.desc())).mappings()]
    for i, r in enumerate(rows):
        r["in_use"] = i == 0
        r["imported_at"] = r["imported_at"].strftime("%Y-%m-%d %H:%M") if r["imported_at"] else None
        r["source"] = "registered"
    if rows:
        return rows
    geography = store.framework(mission).mission.geography
    if geography is None:
        return []
    areas = admin1_areas(geography)
    return [{"mission_code": mission, "version": None, "level": 1, "source": "shipped", "in_use": True,
             "file_name": geography.boundaries, "code_field": geography.id_property,
             "name_field": geography.name_property, "areas": len(areas), "credit": geography.credit}]


def register_boundaries(store: Store, path: str | Path, mission: str, *, actor: str, level: int = 1,
                        code_field: str | None = None, name_field: str | None = None) -> ImportResult:
    """Check a boundary file whole and store it as the mission's next boundaries version (see the module)."""
    path = Path(path)
    m = store.framework(mission).mission  # a clear error for an unknown mission
    result = ImportResult(kind="boundaries", file=str(path), mission=mission)
    problems: list[ImportProblem] = []
    if not path.is_file():
        problems.append(ImportProblem(message=f"There is no file at {path}: check the folder and the file name."))
    elif path.suffix.lower() not in SUFFIXES:
        problems.append(ImportProblem(message=f"'{path.name}' is not a boundary file cpas reads: give a GeoJSON "
                                              "(.geojson), a GeoPackage (.gpkg) or a shapefile (.shp or .zip)."))
    if level != 1:
        problems.append(ImportProblem(message=f"Admin level {level} is not used by cpas yet: register the mission's "
                                              "admin-1 boundaries (--level 1)."))
    if problems:
        result.errors = problems
        raise ImportRejected(result)
    result.sha256 = file_sha256(path)
    gdf = _read(path, result)
    areas = _checked(gdf, m.country_iso3, result, code_field, name_field)
    result.rows_read = len(gdf)
    doc = json.dumps(json.loads(areas.to_json(drop_id=True)), ensure_ascii=False, separators=(",", ":"))

    def _do(conn) -> None:
        last = conn.execute(select(mission_boundaries.c.version, mission_boundaries.c.file_sha256,
                                   mission_boundaries.c.code_field, mission_boundaries.c.name_field)
                            .where(mission_boundaries.c.mission_code == mission)
                            .order_by(mission_boundaries.c.version.desc()).limit(1)).first()
        if last is not None and (last.file_sha256, last.code_field, last.name_field) == (
                result.sha256, areas.attrs["code_field"], areas.attrs["name_field"]):
            result.rows_unchanged = len(areas)
            result.notes.append(f"These boundaries are already version {last.version} of {mission}: nothing changed.")
            return
        version = (conn.execute(select(func.max(mission_boundaries.c.version))
                                .where(mission_boundaries.c.mission_code == mission)).scalar() or 0) + 1
        conn.execute(insert(mission_boundaries).values(
            mission_code=mission, version=version, level=level, country_iso3=m.country_iso3,
            code_field=areas.attrs["code_field"], name_field=areas.attrs["name_field"], areas=len(areas),
            file_name=path.name, file_sha256=result.sha256, imported_at=now(), imported_by=actor,
            credit=f"Boundaries: {path.name}", geojson=doc))
        write_audit(conn, actor=actor, action="insert", entity="boundaries", key=f"{mission} v{version}",
                    mission=mission, new={"file": path.name, "sha256": result.sha256, "areas": len(areas)})
        result.rows_imported = len(areas)
        result.notes.append(f"Registered as version {version} of {mission}'s boundaries ({len(areas)} areas); maps, "
                            "packs and imports now use it.")

    run_write(store.engine, _do)
    return result


def _read(path: Path, result: ImportResult) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several kinds for an unreadable file; all mean the same to a user
        result.errors = [ImportProblem(message=f"The file cannot be read as boundaries ({str(exc).splitlines()[0]}): "
                                               "export it again as GeoJSON, GeoPackage or a zipped shapefile.")]
        raise ImportRejected(result) from None
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        result.notes.append(f"Coordinates: reprojected from {gdf.crs.to_string()} to WGS 84 (EPSG:4326).")
        gdf = gdf.to_crs("EPSG:4326")
    return gdf


def _pick(gdf: gpd.GeoDataFrame, given: str | None, candidates: tuple[str, ...], what: str,
          errors: list[ImportProblem]) -> str | None:
    if given is not None:
        if given not in gdf.columns:
            errors.append(ImportProblem(column=given, message=f"The file has no field '{given}' for the {what}: its "
                                        f"fields are {', '.join(c for c in gdf.columns if c != 'geometry')}."))
            return None
        return given
    found = next((c for c in candidates if c in gdf.columns), None)
    if found is None:
        errors.append(ImportProblem(message=f"No field for the {what} was recognised (tried {', '.join(candidates)}): "
                                            f"name it with --{'code' if 'code' in what else 'name'}-field."))
    return found


def _checked(gdf: gpd.GeoDataFrame, iso3: str, result: ImportResult, code_field: str | None,
             name_field: str | None) -> gpd.GeoDataFrame:
    """The areas as stored (``area_code``, ``area_name``, ``pcode``, ``alt_names``, geometry) or every problem."""
    errors: list[ImportProblem] = []
    if len(gdf) == 0:
        errors.append(ImportProblem(message="The file holds no area: export the admin-1 layer again."))
    code_f = _pick(gdf, code_field, CODE_FIELDS, "area code", errors)
    name_f = _pick(gdf, name_field, NAME_FIELDS, "area name", errors)
    if errors:
        result.errors = errors
        raise ImportRejected(result)
    features = np.arange(1, len(gdf) + 1)
    codes = gdf[code_f].astype("string").str.strip()
    names = gdf[name_f].astype("string").str.strip()
    for bad, col, text in ((codes.isna() | codes.eq(""), code_f, "The area code is empty: every area needs one."),
                           (names.isna() | names.eq(""), name_f, "The area name is empty: every area needs one."),
                           (codes.duplicated(keep=False) & codes.notna(), code_f,
                            "This area code appears in more than one feature: codes must be unique (dissolve the "
                            "parts of one area into one feature).")):
        errors += [ImportProblem(row=int(f), column=col, message=text) for f in features[bad.fillna(False).to_numpy()]]
    geoms = gdf.geometry
    polygonal = geoms.notna() & ~geoms.is_empty & geoms.geom_type.isin(["Polygon", "MultiPolygon"])
    errors += [ImportProblem(row=int(f), column="geometry", message="The geometry is empty or not a polygon: an "
                                                                    "admin-1 area must be a (multi)polygon.")
               for f in features[~polygonal.to_numpy()]]
    invalid = polygonal & ~geoms.is_valid
    fixed = geoms.copy()
    if invalid.any():
        fixed[invalid] = [_polygonal(shapely.make_valid(g)) for g in geoms[invalid]]
        result.notes.append(f"Geometry: {int(invalid.sum())} invalid polygon(s) (self-intersecting rings) were "
                            f"repaired: feature(s) {', '.join(str(f) for f in features[invalid.to_numpy()][:20])}.")
    errors += _country_problems(gdf, codes, iso3)
    if errors:
        result.errors = errors
        raise ImportRejected(result)
    other_codes = [c for c in (*CODE_FIELDS, *OTHER_CODE_FIELDS) if c in gdf.columns and c != code_f]
    codes_also = ["|".join(dict.fromkeys(str(v).strip() for v in row if isinstance(v, str) and v.strip()))
                  for row in gdf[other_codes].itertuples(index=False)] if other_codes else [""] * len(gdf)
    alt_cols = [c for c in ALT_FIELDS if c in gdf.columns and c != name_f]
    alt = [
        "|".join(dict.fromkeys(str(v).strip() for v in row if isinstance(v, str) and v.strip() and v.strip() != n))
        for row, n in zip(gdf[alt_cols].itertuples(index=False), names)
    ] if alt_cols else [""] * len(gdf)
    out = gpd.GeoDataFrame({"area_code": codes.astype(str).to_numpy(), "area_name": names.astype(str).to_numpy(),
                            "pcode": codes_also, "alt_names": alt},
                           geometry=fixed.to_numpy(), crs="EPSG:4326")
    out.attrs.update(code_field=code_f, name_field=name_f)
    if alt_cols:
        result.notes.append(f"Alternative names kept for matching from: {', '.join(alt_cols)}.")
    return out


def _polygonal(geom):
    """The polygon parts of a repaired geometry (make_valid may add stray lines or points)."""
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    return shapely.union_all(parts) if parts else geom


def _country_problems(gdf: gpd.GeoDataFrame, codes: pd.Series, iso3: str) -> list[ImportProblem]:
    """One country, the mission's: from a country field, else from the codes' two-letter prefix."""
    country = pycountry.countries.get(alpha_3=iso3)
    wanted = {iso3.upper()} | ({country.alpha_2.upper()} if country else set())
    field = next((c for c in COUNTRY_FIELDS if c in gdf.columns), None)
    if field is not None:
        values = gdf[field].dropna().astype(str).str.strip().str.upper().unique()
        if len(values) > 1:
            listed = ", ".join(sorted(values))
            return [ImportProblem(column=field, message=f"The file covers several countries ({listed}): keep only "
                                                        "the mission's country's areas.")]
        if len(values) == 1 and values[0][:3] not in wanted and values[0][:2] not in wanted:
            return [ImportProblem(column=field, message=f"The file is about {values[0]}, but the mission's country "
                                                        f"is {iso3}: check that this is the right file.")]
        return []
    prefixes = codes.dropna().str.extract(r"^([A-Za-z]{2})[-0-9]", expand=False)
    if prefixes.notna().all() and len(prefixes):
        found = set(prefixes.str.upper())
        if len(found) > 1:
            return [ImportProblem(message=f"The area codes belong to several countries ({', '.join(sorted(found))}): "
                                          "keep only the mission's country's areas.")]
        if found and not found & wanted:
            return [ImportProblem(message=f"The area codes start with {found.pop()}, but the mission's country is "
                                          f"{iso3}: check that this is the right file.")]
    return []


def _clockwise(geom):
    if isinstance(geom, Polygon):
        return orient(geom, sign=-1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(g, sign=-1.0) for g in geom.geoms])
    return geom


def framework_coded(areas: gpd.GeoDataFrame | None, geography: Any) -> gpd.GeoDataFrame | None:
    """Areas for maps of indicator values, which are keyed by the framework's area codes: registered areas that
    carry such a code (an ISO 3166-2 code beside their p-code) take it; when none does, the framework's own
    (shipped) boundaries are used, so an indicator map is never drawn empty."""
    if geography is None:
        return areas
    shipped = admin1_areas(geography)
    if areas is None or "pcode" not in areas:
        return areas if areas is not None else shipped
    wanted = set(shipped["area_code"])
    found = [next((c for c in [code, *str(other or "").split("|")] if c in wanted), None)
             for code, other in zip(areas["area_code"], areas["pcode"])]
    if not any(found):
        return shipped
    out = areas.copy()
    out["area_code"] = [f or c for f, c in zip(found, areas["area_code"])]
    return out
