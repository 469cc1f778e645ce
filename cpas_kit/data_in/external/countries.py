"""Mission host countries as the external datasets name them: ISO 3166 numeric code (ACLED's ``iso``),
Gleditsch–Ward number (UCDP's ``country_id``) and the spellings ACLED, UCDP and the World Bank use.

Only countries that host (or hosted) UN peace operations are listed; a mission in another country needs one
line added to :data:`HOSTS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cpas_kit.core.errors import CpasError
from cpas_kit.data_in.external.admin1 import name_key
from cpas_kit.data_in.external.reading import distinct, spread


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


def country_name(iso3: str | None, language: str = "en") -> str:
    """The host country's name as a reader writes it (``Central African Republic``), never its ISO code when the
    country is known; an unknown code is shown as given. (French names: see issue 15, part B.)"""
    if not iso3:
        return ""
    country = HOSTS.get(iso3.upper())
    return country.names[0] if country is not None else iso3


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
