"""Turning the events read from an ACLED or UCDP file into a mission's events: host-country rows only, with
their admin-1 area, reporting period and row hash (:class:`~cpas_kit.data_in.external.schemas.EventsToStore`)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from cpas_kit.core.import_report import ImportResult
from cpas_kit.core.periods import Period
from cpas_kit.data_in.external.admin1 import match_report, resolve_admin1, stored_match
from cpas_kit.data_in.external.countries import host_country, is_host
from cpas_kit.data_in.external.schemas import EventsToStore
from cpas_kit.data_in.external.store_io import row_hashes
from cpas_kit.framework.model import Mission


def periods_of(dates: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Each date's reporting period (categorical text) and its first day, computed once per distinct date."""
    codes, uniques = pd.factorize(dates)
    found = [Period.containing(d.date(), kind) for d in pd.DatetimeIndex(uniques)]
    text = pd.Series(pd.Categorical([str(p) for p in found]))
    starts = pd.DatetimeIndex([pd.Timestamp(p.start) for p in found]).to_numpy(dtype="datetime64[ns]")
    period = pd.Series(pd.Categorical.from_codes(text.cat.codes.to_numpy()[codes], text.cat.categories),
                       index=dates.index)
    return period, pd.Series(starts[codes], index=dates.index)


def mission_events(read: pd.DataFrame, mission: Mission, *, source: str, result: ImportResult,
                   areas: gpd.GeoDataFrame | None, aliases: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """The host country's events of ``read`` (:class:`~cpas_kit.data_in.external.schemas.EventsRead`) as
    :class:`EventsToStore` of ``mission``, placed in ``areas`` (the mission's boundaries in use); other countries'
    rows, non-exact matches and unmatched areas are reported in ``result``."""
    country = host_country(mission.country_iso3)
    code = country.iso_numeric if source == "acled" else country.gw
    host = is_host(country, read["country"], read["country_code"], code)
    if not host.all():
        others = pd.Series(read["country"].to_numpy(dtype=object)[~host]).fillna("(no country)").value_counts()
        listed = ", ".join(f"{k} ({v})" for k, v in others.head(10).items())
        more = f" and {len(others) - 10} more" if len(others) > 10 else ""
        result.warnings.append(f"{int((~host).sum())} row(s) are about other countries than the mission's host "
                               f"country ({country.names[0]}) and were not stored: {listed}{more}.")
    if not host.any():
        result.warnings.append(f"No row of this file is about {country.names[0]}: is it the right file for mission "
                               f"{mission.code}?")
    events = read.loc[host]
    if areas is None:
        result.warnings.append(f"Mission {mission.code} has no map geography, so no event is placed in an admin-1 "
                               "area.")
    resolved = resolve_admin1(events["admin1_name"], events["latitude"], events["longitude"], areas,
                              country_iso3=mission.country_iso3, aliases=aliases)
    result.rows_unmatched = int(resolved["admin1_code"].isna().sum())
    matches, sentences = match_report(events["admin1_name"], resolved, areas, rows=events["row"].to_numpy(),
                                      figures=events["fatalities_best"])
    result.matches += matches
    result.warnings += sentences
    period, period_start = periods_of(events["event_date"], mission.cycle_kind)
    frame = events.assign(mission_code=pd.Series(mission.code, index=events.index, dtype="str"),
                          source=pd.Series(source, index=events.index, dtype="str"), period=period,
                          period_start=period_start, admin1_code=resolved["admin1_code"].astype("category"),
                          admin1_match=stored_match(resolved).astype("category"))
    frame["row_hash"] = pd.array(row_hashes(frame), dtype="str")
    return EventsToStore.validate(frame)
