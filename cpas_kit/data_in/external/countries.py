"""Mission host countries as the external datasets name them: ISO 3166 numeric code (ACLED's ``iso``),
Gleditsch–Ward number (UCDP's ``country_id``) and the spellings ACLED, UCDP and the World Bank use.

Only countries that host (or hosted) UN peace operations are listed; a mission in another country needs one
line added to :data:`HOSTS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cpas_kit.core.errors import CpasError
from cpas_kit.data_in.external.admin1 import name_key
from cpas_kit.data_in.external.reading import Problems, distinct, drop_rows, spread


@dataclass(frozen=True)
class Country:
    """One host country: ISO alpha-3, ISO numeric (None if it has none), Gleditsch–Ward number, names."""

    iso3: str
    iso_numeric: int | None
    gw: int | None
    names: tuple[str, ...]


HOSTS = {c.iso3: c for c in (
    Country("CAF", 140, 482, ("Central African Republic", "CAR", "Centrafrique", "République centrafricaine")),
    Country("COD", 180, 490, ("Democratic Republic of Congo", "Democratic Republic of the Congo",
                              "DR Congo (Zaire)", "DR Congo", "Congo, Dem. Rep.", "DRC")),
    Country("SSD", 728, 626, ("South Sudan",)),
    Country("SDN", 729, 625, ("Sudan",)),
    Country("MLI", 466, 432, ("Mali",)),
    Country("LBN", 422, 660, ("Lebanon",)),
    Country("CYP", 196, 352, ("Cyprus",)),
    Country("XKX", None, 347, ("Kosovo",)),  # no ISO numeric code: matched by name
    Country("ESH", 732, None, ("Western Sahara",)),
    Country("SYR", 760, 652, ("Syria", "Syrian Arab Republic")),
    Country("ISR", 376, 666, ("Israel",)),
    Country("IND", 356, 750, ("India",)),
    Country("PAK", 586, 770, ("Pakistan",)),
    Country("SOM", 706, 520, ("Somalia",)),
    Country("LBY", 434, 620, ("Libya",)),
    Country("HTI", 332, 41, ("Haiti",)),
    Country("AFG", 4, 700, ("Afghanistan",)),
    Country("IRQ", 368, 645, ("Iraq",)),
    Country("YEM", 887, 678, ("Yemen", "Yemen (North Yemen)", "Yemen, Rep.")),
    Country("COL", 170, 100, ("Colombia",)),
)}


def host_country(iso3: str) -> Country:
    """The host country with ISO code ``iso3``; a clear error for a country cpas_kit does not know."""
    try:
        return HOSTS[iso3]
    except KeyError:
        known = ", ".join(sorted(HOSTS))
        raise CpasError(
            f"cpas_kit does not know how ACLED and UCDP name the country {iso3} (it knows {known}): add a line "
            "for it to HOSTS in cpas_kit/external/countries.py"
        ) from None


def is_host(country: Country, names: pd.Series, codes: pd.Series | None, code: int | None) -> np.ndarray:
    """True for rows about ``country``: the numeric ``codes`` equal ``code`` or, where no code is given, the
    name matches one of its spellings (accents, case and punctuation ignored)."""
    wanted = {name_key(n) for n in country.names}
    keys, uniques = distinct(names)
    by_name = spread(keys, np.array([name_key(str(u)) in wanted for u in uniques], dtype=bool), False)
    if codes is None or code is None:
        return by_name
    arr = codes.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(arr), by_name, arr == code)


def other_countries(country: Country, names: pd.Series | None, codes: pd.Series | None = None,
                    code: int | None = None, iso3: pd.Series | None = None) -> np.ndarray:
    """True for rows that are surely about another country than ``country``: some country cell (name, number,
    ISO3) names another one and none names the host. A row with no country cell may be the host's: False."""
    n = len(next(s for s in (names, codes, iso3) if s is not None))
    other, host = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if names is not None:
        text = names.astype(object)
        filled = text.notna().to_numpy() & (text.astype(str).str.strip() != "").to_numpy()
        is_name = is_host(country, names, None, None)
        other |= filled & ~is_name
        host |= filled & is_name
    if codes is not None and code is not None:
        nums = pd.to_numeric(codes.astype(object).astype(str).str.strip(), errors="coerce").to_numpy(dtype="float64")
        have = ~np.isnan(nums)
        other |= have & (nums != code)
        host |= have & (nums == code)
    if iso3 is not None:
        text = iso3.astype(object).astype(str).str.strip().str.upper()
        filled = iso3.notna().to_numpy() & (text != "").to_numpy()
        other |= filled & (text != country.iso3).to_numpy()
        host |= filled & (text == country.iso3).to_numpy()
    return other & ~host


def skipped_note(problems, skip: set[int], country: Country) -> str:
    """One sentence listing the damaged rows of other countries that were left out (with their problems)."""
    listed = [p for p in problems.items if p.row in skip]
    shown = "; ".join(f"row {p.row}{f' ({p.column})' if p.column else ''}: {p.message.rstrip('.')}"
                      for p in listed[:10])
    more = f"; and {len(listed) - 10} more problem(s)" if len(listed) > 10 else ""
    return (f"Damaged rows skipped: {len(skip)} row(s) about other countries than {country.names[0]} had problems "
            f"and were left out (they cannot be the mission's): {shown}{more}.")


def events_of_the_mission(raw: pd.DataFrame, rows: np.ndarray, problems: Problems, notes: list[str],
                          country: Country | None, build: Callable[..., pd.DataFrame],
                          is_other: Callable[[pd.DataFrame], np.ndarray], rows_read: int) -> pd.DataFrame:
    """``build(raw, rows, problems, late)``'s events of a multi-country file, without the damaged rows that surely
    belong to another country (one note lists them; the frame is then built again); any problem left raises
    (its report counts ``rows_read``)."""
    late: list[str] = []
    frame = build(raw, rows, problems, late)
    if problems and country is not None:
        skip = problems.flagged & set(rows[is_other(raw)].tolist())
        if skip:
            notes.append(skipped_note(problems, skip, country))
            raw, rows = drop_rows(raw, rows, skip)
            problems, late = Problems(), []
            frame = build(raw, rows, problems, late)
    problems.raise_if_any(rows_read)
    notes += late
    return frame
