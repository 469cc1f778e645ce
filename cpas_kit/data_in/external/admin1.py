"""Resolving the admin-1 area of each row of an external dataset the way an analyst would, and saying how.

Names are compared through :func:`name_key`: accents stripped (Unicode NFKD), case folded, hyphens, apostrophes,
spaces and other punctuation ignored, and trailing words such as "prefecture", "province" or "state" dropped,
so ``Ombella M'Poko``, ``OMBELLA MPOKO`` and ``Ombella-M'Poko prefecture`` are one area. Each distinct name is
tried once (:func:`match_key`), in this order: the exact code (ISO 3166-2; an OCHA p-code or other code of
registered boundaries) or name; an alternative name the boundaries carry; the ISO 3166-2 subdivision name
(pycountry: CF-KB "Gribingui", ML-6 "Tombouctou"); the alias tables (:mod:`.aliases`); fuzzy matching within
the country (:data:`FUZZY_THRESHOLD`, an ambiguous name is not guessed). A name that is an ISO 3166-2
subdivision the boundaries lack (Mali's Ménaka, inside Gao on Natural Earth) stays unmatched, never placed by
its coordinates in a neighbour.

Other rows are placed by their latitude/longitude: a vectorized point-in-polygon test over all distinct
coordinates at once (bounding-box filter, then shapely's prepared ``intersects_xy``), with points just outside
every polygon (within :data:`NEAR_DEGREES`) given the nearest area. :func:`match_report` lists every match
that was not exact (for review) and the unmatched names with their rows and figures; nothing is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pycountry
import shapely
from rapidfuzz import fuzz, process

from cpas_kit.data_in.external.reading import distinct, spread

NEAR_DEGREES = 0.05  # about 5 km: how far outside every polygon a point may lie and still get the nearest area
SUFFIX_WORDS = frozenset({
    "prefecture", "prefectures", "province", "provincia", "region", "state", "governorate", "district",
    "department", "departement", "city", "commune", "county", "municipality", "economic", "autonomous",
    "territory", "division", "wilaya", "muhafazah", "oblast",
})
NAME = "name"
ALT_NAME = "alt_name"
ISO3166 = "iso3166"
ALIAS = "alias"
FUZZY = "fuzzy"
POINT = "point"
ELSEWHERE = "elsewhere"
AMBIGUOUS = "ambiguous"
HOW_LABELS = {ALT_NAME: "alternative name", ISO3166: "iso3166", ALIAS: "alias", FUZZY: "fuzzy", POINT: "coordinates"}
# Fuzzy matching (rapidfuzz ``fuzz.ratio`` on name keys, 0-100) within the country's areas only. 85 accepts the
# misspellings and transliterations analysts meet (Koulikouro→Koulikoro 94.7, Warap→Warrap 90.9, Nana-Gribizi→
# Nana-Grébizi 90.9, West Bahr-al-Ghazal→Western Bahr el Ghazal 85.7) and refuses neighbours that share a word
# (Haute-Kotto/Basse-Kotto 70, Ouham/Ouham-Pendé 67); a runner-up within 5 points is ambiguous and not guessed,
# and keys shorter than 4 letters (Gao/Kao) are never fuzzy-matched.
FUZZY_THRESHOLD = 85.0
FUZZY_MARGIN = 5.0
FUZZY_MIN_LENGTH = 4
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


# -- matching names like an analyst ---------------------------------------------------------------

@dataclass
class AreaNames:
    """Every name an area goes by, as name keys → area code, tier by tier (tried in this order).

    ``exact``: the boundaries' codes (ISO 3166-2, OCHA p-code) and names; ``alt_name``: alternative names the
    boundaries carry (``name_alt``, ``ADM1_FR`` …); ``iso3166``: the ISO 3166-2 subdivision names (pycountry);
    ``alias``: the shipped and user alias tables. ``elsewhere``: ISO 3166-2 subdivisions of the country that the
    boundaries do not have (key → "ML-9 Ménaka"): rows naming them are reported, never placed in a neighbour.
    """

    exact: dict[str, str] = field(default_factory=dict)
    alt_name: dict[str, str] = field(default_factory=dict)
    iso3166: dict[str, str] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)
    elsewhere: dict[str, str] = field(default_factory=dict)

    def tiers(self) -> list[tuple[str, dict[str, str]]]:
        return [(NAME, self.exact), (ALT_NAME, self.alt_name), (ISO3166, self.iso3166), (ALIAS, self.alias)]


def _add(tier: dict[str, str], clash: set[str], name: object, code: str) -> None:
    """Add one name to a tier; a key naming two different areas in one tier is dropped (never guessed)."""
    if not isinstance(name, str) or not name.strip():
        return
    for part in [name, *name.split("/")] if "/" in name else [name]:
        key = name_key(part)
        if not key or key in clash:
            continue
        if tier.get(key, code) != code:
            clash.add(key)
            tier.pop(key, None)
        else:
            tier[key] = code


def area_names(areas: pd.DataFrame, country_iso3: str | None = None,
               aliases: dict[str, list[str]] | None = None) -> AreaNames:
    """The names of ``areas`` (``area_code``, ``area_name``, optionally ``pcode`` and ``alt_names`` — a list or a
    "|"-separated text per area), the ISO 3166-2 names of ``country_iso3`` and ``aliases`` (area code → names)."""
    out = AreaNames()
    codes = set(areas["area_code"])
    clash: set[str] = set()
    for column in ("area_code", "pcode", "area_name"):  # pcode: other codes of the area, "|"-separated
        if column in areas:
            for code, value in zip(areas["area_code"], areas[column]):
                for part in (value.split("|") if isinstance(value, str) and column == "pcode" else [value]):
                    _add(out.exact, clash, part, code)
    if "alt_names" in areas:
        for code, value in zip(areas["area_code"], areas["alt_names"]):
            for name in (value.split("|") if isinstance(value, str) else list(value) if value is not None else []):
                _add(out.alt_name, clash, name, code)
    for sub in _subdivisions(country_iso3):
        if sub.parent_code is not None:
            continue
        if sub.code in codes:
            _add(out.iso3166, clash, sub.name, sub.code)
        elif name_key(sub.name) not in out.exact:
            out.elsewhere[name_key(sub.name)] = f"{sub.code} {sub.name}"
    for code, names in (aliases or {}).items():
        if code in codes:
            for name in names:
                _add(out.alias, clash, name, code)
    known = set(out.exact) | set(out.alt_name) | set(out.iso3166) | set(out.alias)
    out.elsewhere = {k: v for k, v in out.elsewhere.items() if k not in known}
    return out


def _subdivisions(country_iso3: str | None) -> list:
    if not country_iso3:
        return []
    country = pycountry.countries.get(alpha_3=country_iso3)
    return list(pycountry.subdivisions.get(country_code=country.alpha_2) or []) if country else []


def match_key(key: str, names: AreaNames) -> tuple[str | None, str | None, float | None, str]:
    """(area code, how, score, detail) for one name key: exact, alternative, ISO, alias, then fuzzy.

    ``how`` is None when nothing matched; ``detail`` says why for an area elsewhere or an ambiguous name.
    """
    if not key:
        return None, None, None, ""
    for how, tier in names.tiers():
        if key in tier:
            return tier[key], how, 100.0, ""
    if key in names.elsewhere:
        return None, ELSEWHERE, None, names.elsewhere[key]
    if len(key) < FUZZY_MIN_LENGTH:
        return None, None, None, ""
    choices: dict[str, str] = {}
    for _, tier in names.tiers():
        choices.update({k: v for k, v in tier.items() if k not in choices})
    choices.update({k: "!" + v for k, v in names.elsewhere.items()})
    found = process.extract(key, list(choices), scorer=fuzz.ratio, limit=12,
                            score_cutoff=FUZZY_THRESHOLD - FUZZY_MARGIN)
    best: dict[str, float] = {}
    for candidate, score, _ in found:
        code = choices[candidate]
        best[code] = max(best.get(code, 0.0), float(score))
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < FUZZY_THRESHOLD:
        return None, None, None, ""
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < FUZZY_MARGIN:
        close = " and ".join(c.lstrip("!") for c, _ in ranked[:2])
        return None, AMBIGUOUS, ranked[0][1], f"as close to {close}"
    code, score = ranked[0]
    if code.startswith("!"):
        return None, ELSEWHERE, score, code[1:]
    return code, FUZZY, round(score, 1), ""


def codes_by_name(names: pd.Series, areas: pd.DataFrame) -> np.ndarray:
    """Each row's area code found from its exact name or code (object array, None where not found)."""
    lookup = area_names(areas).exact
    keys, uniques = distinct(names)
    return spread(keys, np.array([lookup.get(name_key(u)) for u in uniques], dtype=object))


def resolve_admin1(names: pd.Series, lat: pd.Series, lon: pd.Series, areas: gpd.GeoDataFrame | None,
                   codes: pd.Series | None = None, *, country_iso3: str | None = None,
                   aliases: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """``admin1_code``, ``admin1_match`` and ``admin1_score`` for every row, same index as ``names``.

    ``codes`` (an admin-1 code column, as HXL files have) is tried first, then ``names`` through
    :func:`match_key`, then coordinates. ``admin1_match`` is "name" (exact code or name), "alt_name", "iso3166",
    "alias", "fuzzy", "point", "elsewhere" (an area the boundaries lack: never placed by coordinates),
    "ambiguous" (two areas equally close; placed by coordinates when it can be) or None.
    """
    n = len(names)
    empty = np.full(n, None, dtype=object)
    if areas is None or len(areas) == 0:
        found = how = score = empty
    else:
        found, how, score = _resolve(names, lat, lon, areas, codes, area_names(areas, country_iso3, aliases))
    return pd.DataFrame({c: pd.Series(v, index=names.index, dtype=object)
                         for c, v in (("admin1_code", found), ("admin1_match", how), ("admin1_score", score))})


def _resolve(names: pd.Series, lat: pd.Series, lon: pd.Series, areas: gpd.GeoDataFrame, codes: pd.Series | None,
             table: AreaNames) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys, uniques = distinct(names)
    per_value = [match_key(name_key(u), table) for u in uniques]
    found = spread(keys, np.array([m[0] for m in per_value], dtype=object))
    how = spread(keys, np.array([m[1] for m in per_value], dtype=object))
    score = spread(keys, np.array([m[2] for m in per_value], dtype=object))
    if codes is not None:
        ckeys, cuniques = distinct(codes)
        by_code = spread(ckeys, np.array([table.exact.get(name_key(u)) for u in cuniques], dtype=object))
        have = ~pd.isna(by_code)
        found[have], how[have], score[have] = by_code[have], NAME, 100.0
    todo = np.flatnonzero(pd.isna(found) & (how != ELSEWHERE))
    if len(todo):
        by_point = codes_by_point(np.asarray(lat, dtype="float64")[todo], np.asarray(lon, dtype="float64")[todo],
                                  areas)
        placed = ~pd.isna(by_point)
        found[todo[placed]] = by_point[placed]
        how[todo[placed]] = POINT
        score[todo[placed]] = None
    return found, how, score


def stored_match(resolved: pd.DataFrame) -> pd.Series:
    """The ``admin1_match`` kept in the store: how a placed row was placed, None for an unplaced one."""
    return resolved["admin1_match"].where(resolved["admin1_code"].notna(), None)


def match_report(names: pd.Series, resolved: pd.DataFrame, areas: pd.DataFrame | None, *,
                 rows: np.ndarray | None = None, figures: pd.Series | None = None,
                 figure_label: str = "fatalities", top: int = 15) -> tuple[list[dict], list[str]]:
    """The non-exact matches (``[{"name", "area_code", "how", "score", "rows"}]``, for review) and sentences on
    names placed by coordinates, areas the boundaries lack and names left unmatched (with rows and figures)."""
    label = pd.Series(names.to_numpy(dtype=object), index=resolved.index).fillna("(no name)")
    frame = resolved.assign(name=label.astype(str), n=1,
                            figure=0 if figures is None else pd.to_numeric(figures, errors="coerce").fillna(0),
                            row=rows if rows is not None else 0)
    area_name = dict(zip(areas["area_code"], areas["area_name"])) if areas is not None else {}
    placed = frame.loc[frame["admin1_code"].notna() & ~frame["admin1_match"].isin([NAME])]
    matches = []
    if len(placed):
        grouped = placed.groupby(["name", "admin1_code", "admin1_match"], sort=True, dropna=False)
        for (name, code, how), g in grouped:
            score = g["admin1_score"].iloc[0]
            matches.append({"name": None if name == "(no name)" else name, "area_code": code,
                            "area_name": area_name.get(code), "how": HOW_LABELS.get(how, how),
                            "score": None if score is None or pd.isna(score) else float(score), "rows": len(g)})
    return matches, _unmatched_sentences(frame, figure_label, top)


def _unmatched_sentences(frame: pd.DataFrame, figure_label: str, top: int) -> list[str]:
    out = []
    point = frame.loc[frame["admin1_match"].eq(POINT)]
    if len(point):
        counts = point["name"].value_counts()
        listed = ", ".join(f"'{k}' ({v})" for k, v in counts.head(top).items())
        listed += f" and {len(counts) - top} other name(s)" if len(counts) > top else ""
        out.append(f"{len(point)} row(s) had an admin-1 name not in the mission's boundaries and were placed by their "
                   f"coordinates: {listed}.")
    for how, sentence in ((ELSEWHERE, "name area(s) the mission's boundaries do not have (created after they were "
                                      "drawn?); they are kept as '" + UNMATCHED_LABEL + "', not folded into a "
                                      "neighbouring area — register newer boundaries with `cpas boundaries import`"),
                          (AMBIGUOUS, "have a name as close to two areas, which was not guessed; they are kept as '"
                                      + UNMATCHED_LABEL + "' — add the name to an alias file (--aliases)"),
                          (None, "matched no admin-1 area (unknown name and no usable coordinates); they are stored as "
                                 "'" + UNMATCHED_LABEL + "' — fix the names or coordinates, or add an alias, and "
                                 "import the file again")):
        sel = frame.loc[frame["admin1_code"].isna() & (frame["admin1_match"].isna() if how is None
                                                       else frame["admin1_match"].eq(how))]
        if not len(sel):
            continue
        parts = []
        for name, g in list(sel.groupby("name", sort=False))[:top]:
            listed_rows = ", ".join(str(r) for r in g["row"].head(5)) + ("…" if len(g) > 5 else "")
            where = f", row(s) {listed_rows}" if g["row"].any() else ""
            parts.append(f"'{name}' ({len(g)}) — {int(g['figure'].sum())} {figure_label}{where}")
        out.append(f"{len(sel)} row(s) {sentence}: {'; '.join(parts)}.")
    return out
