"""Indicator analysis: latest value, change, distance to target and status per indicator.

The status rule (stated in every pack, see :data:`STATUS_RULE`):

* **no data** — no value in the cycle or the two periods before it;
* for ``increase``/``decrease`` indicators the expected value at the cycle is read off the straight
  path from the baseline to the next target; the indicator is **on track** when the latest value is
  at least as good as that expected value (allowing 5 % of the planned change), else **off track**;
* for ``maintain`` indicators: **on track** within ±10 % of the target (or baseline without a target);
* qualitative indicators are not rated (status ``not rated``): read their text timeline.

The distance to target has one sign for every indicator (:func:`distance_to_target`, :data:`DISTANCE_RULE`):
positive is still to be achieved, negative is beyond the target. The change level (:data:`CHANGE_RULE`) is a
symmetric scale: ACLED Trendfinder's thresholds for increases, mirrored for decreases.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from cpas_kit.core.i18n import t
from cpas_kit.core.periods import Period
from cpas_kit.framework.model import Framework, Indicator

STATUSES = ("on track", "off track", "no data", "not rated")
STALE_AFTER = 2  # a value older than this many periods before the cycle counts as no data

STATUS_RULE = {
    "en": (
        "Status rule: an indicator is on track when its latest value (in the cycle or the two periods before) "
        "is at least as good as the value expected on a straight path from the baseline to the next target, "
        "allowing 5% of the planned change; 'maintain' indicators are on track within ±10% of their target. "
        "No value in the last three periods: no data. Qualitative indicators are not rated."
    ),
    "fr": (
        "Règle de statut : un indicateur est en bonne voie lorsque sa dernière valeur (dans le cycle ou les deux "
        "périodes précédentes) est au moins aussi bonne que la valeur attendue sur une trajectoire linéaire de la "
        "référence à la prochaine cible, avec une tolérance de 5 % du changement prévu ; les indicateurs « maintenir » "
        "sont en bonne voie à ±10 % de leur cible. Aucune valeur sur les trois dernières périodes : pas de données. "
        "Les indicateurs qualitatifs ne sont pas notés."
    ),
}


CHANGE_WINDOW = 4  # the change level compares a value with the mean of this many previous periods
LOW_BASELINE = 1.0  # below this, the mean is replaced by it, so a change from 0 or 0.2 is not a division by ~0

CHANGE_RULE = {
    "en": (
        "Change level (as in ACLED's Trendfinder): the latest value against the mean of the previous four periods "
        "with data — above +25 %: large increase; +10 % to +25 %: moderate increase; −10 % to +10 %: limited "
        "change; −25 % to −10 %: moderate decrease; below −25 %: large decrease (the scale is symmetric: a fall is "
        "judged by the same steps as a rise). A mean below 1 counts as 1, so small numbers do not make huge "
        "percentages. Whether a change is good or bad follows the indicator's desired direction; for 'maintain' "
        "indicators any change beyond 'limited' is bad."
    ),
    "fr": (
        "Niveau de changement (comme le Trendfinder d'ACLED) : la dernière valeur comparée à la moyenne des quatre "
        "périodes précédentes avec données — au-delà de +25 % : forte hausse ; de +10 % à +25 % : hausse modérée ; "
        "de −10 % à +10 % : changement limité ; de −25 % à −10 % : baisse modérée ; en deçà de −25 % : forte baisse "
        "(l'échelle est symétrique : une baisse est jugée par les mêmes paliers qu'une hausse). Une moyenne "
        "inférieure à 1 compte pour 1, afin que les petits nombres ne produisent pas de pourcentages démesurés. "
        "Le caractère favorable ou défavorable suit le sens souhaité de l'indicateur ; pour les indicateurs "
        "« maintenir », tout changement "
        "au-delà de « limité » est défavorable."
    ),
}


def change_level(value: float | None, previous: list[float], direction: str) -> tuple[str | None, str | None,
                                                                                      float | None]:
    """(level, "good"/"bad"/"neutral", change as a fraction) of ``value`` against the mean of ``previous``.

    ``previous`` are the values of the periods before, oldest first; the last :data:`CHANGE_WINDOW` count.
    """
    history = [v for v in previous if v is not None and not math.isnan(v)][-CHANGE_WINDOW:]
    if value is None or math.isnan(value) or not history:
        return None, None, None
    mean = sum(history) / len(history)
    change = (value - mean) / max(abs(mean), LOW_BASELINE)
    if change > 0.25:
        level = "large increase"
    elif change > 0.10:
        level = "moderate increase"
    elif change >= -0.10:
        level = "limited change"
    elif change >= -0.25:
        level = "moderate decrease"
    else:
        level = "large decrease"
    if level == "limited change":
        judgement = "neutral"
    elif direction == "maintain":
        judgement = "bad"
    else:
        judgement = "good" if (change > 0) == (direction == "increase") else "bad"
    return level, judgement, change


def distance_to_target(direction: str, value: float | None, target: float | None) -> float | None:
    """How far the value still has to go to reach the target, in the indicator's unit, the same sign for every
    indicator (see :data:`DISTANCE_RULE`): positive = still short of the target, zero = reached, negative = beyond
    it in the desired direction. For ``maintain`` indicators: the distance from the target (never negative)."""
    if value is None or target is None or math.isnan(value) or math.isnan(target):
        return None
    if direction == "increase":
        return target - value
    if direction == "decrease":
        return value - target
    return abs(value - target)


def distance_text(direction: str, distance: float | None, language: str, fmt: Any = str) -> str | None:
    """The distance to target in words (``54 still to go``, ``target exceeded by 3.5``, ``target reached``);
    None when there is no distance. ``fmt`` formats a number."""
    if distance is None or (isinstance(distance, float) and math.isnan(distance)):
        return None
    if direction == "maintain":
        return t("dist_within", language).format(n=fmt(distance))
    if distance > 0:
        return t("dist_short", language).format(n=fmt(distance))
    return t("dist_beyond", language).format(n=fmt(-distance)) if distance < 0 else t("dist_reached", language)


DISTANCE_RULE = {
    "en": "Distance to target: how far the latest value still is from the target, in the indicator's unit, in the "
          "desired direction — a positive number is still to be achieved, a negative one means the target is "
          "exceeded; for 'maintain' indicators, how far the value is from the target either way.",
    "fr": "Écart à la cible : ce qui sépare encore la dernière valeur de la cible, dans l'unité de l'indicateur et "
          "dans le sens souhaité — un nombre positif reste à accomplir, un nombre négatif signifie que la cible est "
          "dépassée ; pour les indicateurs « maintenir », l'écart à la cible dans un sens ou dans l'autre.",
}


def up_to(observations: pd.DataFrame, cycle: "str | Period") -> pd.DataFrame:
    """Observations of periods that start no later than ``cycle`` (each distinct period parsed once)."""
    if not len(observations):
        return observations
    cyc = Period.parse(cycle)
    keep = {p for p in observations["period"].unique() if Period.parse(p) <= cyc}
    return observations[observations["period"].isin(keep)]


def expected_value(ind: Indicator, cycle: "str | Period") -> float | None:
    """Value expected at ``cycle`` on the straight path from baseline to the next target."""
    target = ind.target_for(cycle)
    if target is None or target.value is None or ind.baseline.value is None:
        return None
    b0, t1 = Period.parse(ind.baseline.period).end, Period.parse(target.period).end
    c = Period.parse(cycle).end
    span = (t1 - b0).days
    share = 1.0 if span <= 0 else min(max((c - b0).days / span, 0.0), 1.0)
    return ind.baseline.value + (target.value - ind.baseline.value) * share


def rate(ind: Indicator, value: float | None, cycle: "str | Period") -> str:
    """Status of one indicator value at ``cycle`` under :data:`STATUS_RULE`."""
    if ind.kind == "qualitative":
        return "not rated"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    target = ind.target_for(cycle)
    if ind.direction == "maintain":
        ref = target.value if target is not None and target.value is not None else ind.baseline.value
        return "on track" if abs(value - ref) <= 0.10 * max(abs(ref), 1e-9) else "off track"
    expected = expected_value(ind, cycle)
    if expected is None:  # no target: judge against the baseline
        expected = ind.baseline.value
    planned = abs((target.value if target and target.value is not None else expected) - ind.baseline.value)
    slack = 0.05 * planned
    if ind.direction == "increase":
        return "on track" if value >= expected - slack else "off track"
    return "on track" if value <= expected + slack else "off track"


def indicator_status(fw: Framework, observations: pd.DataFrame, cycle: "str | Period") -> pd.DataFrame:
    """One row per indicator: latest total value up to ``cycle``, change, target, status and data quality."""
    cyc = Period.parse(cycle)
    totals = up_to(observations, cyc)
    totals = totals[totals["disaggregation"] == ""].sort_values("period_start") if len(totals) else totals
    rows = []
    for p, o, ind in fw.indicators():
        series = totals[totals["indicator_code"] == ind.code] if len(totals) else totals
        latest = series.iloc[-1] if len(series) else None
        latest_period = Period.parse(latest["period"]) if latest is not None else None
        fresh = latest_period is not None and latest_period >= cyc.shift(-STALE_AFTER)
        value = float(latest["value"]) if fresh and latest is not None and pd.notna(latest["value"]) else None
        previous = series.iloc[-2] if len(series) > 1 else None
        prev_value = float(previous["value"]) if previous is not None and pd.notna(previous["value"]) else None
        target = ind.target_for(cyc)
        earlier = [float(v) for v in series["value"].iloc[:-1]] if value is not None else []
        level, judgement, change = change_level(value, earlier, ind.direction)
        rows.append({
            "priority_code": p.code, "outcome_code": o.code, "indicator_code": ind.code, "level": ind.level,
            "kind": ind.kind, "unit": ind.unit, "unit_fr": ind.unit_label("fr"), "direction": ind.direction,
            "baseline_value": ind.baseline.value, "baseline_period": ind.baseline.period,
            "target_value": target.value if target else None, "target_period": target.period if target else None,
            "expected_value": expected_value(ind, cyc),
            "latest_period": str(latest_period) if latest_period else None,
            "latest_value": value,
            "latest_text": (latest["value_text"] if latest is not None and fresh else None),
            "change_vs_previous": (value - prev_value) if value is not None and prev_value is not None else None,
            "change_vs_baseline": (value - ind.baseline.value) if value is not None and ind.baseline.value is not None
            else None,
            "change_vs_mean": change, "change_level": level, "change_judgement": judgement,
            "distance_to_target": distance_to_target(ind.direction, value, target.value if target else None),
            "status": rate(ind, value, cyc) if ind.kind == "quantitative" else "not rated",
            "is_stale": latest_period is not None and not fresh,
            "has_cycle_value": latest_period == cyc,
            "verification_status": latest["verification_status"] if latest is not None else None,
            "is_synthetic": bool(latest["is_synthetic"]) if latest is not None else False,
            "data_source": ind.data_source,
        })
    return pd.DataFrame(rows)


def trend_frame(observations: pd.DataFrame, indicator_code: str, cycle: "str | Period",
                n_periods: int = 12) -> pd.DataFrame:
    """Totals of one indicator for the ``n_periods`` up to ``cycle``: period, value, verification, synthetic."""
    cyc = Period.parse(cycle)
    window = {str(p) for p in cyc.before(n_periods - 1)} | {str(cyc)}
    sel = observations[(observations["indicator_code"] == indicator_code) & (observations["disaggregation"] == "")
                       & observations["period"].isin(window)]
    return sel.sort_values("period_start")[["period", "value", "value_text", "verification_status", "is_synthetic"]] \
        .reset_index(drop=True)


def breakdown_frame(observations: pd.DataFrame, indicator_code: str, period: "str | Period",
                    dimension: str) -> pd.DataFrame:
    """Values of one indicator in ``period`` by the categories of one dimension (single-dimension cells)."""
    prefix = f"{dimension}="
    sel = observations[(observations["indicator_code"] == indicator_code)
                       & (observations["period"] == str(Period.parse(period)))
                       & observations["disaggregation"].str.startswith(prefix)
                       & ~observations["disaggregation"].str.contains(";")]
    out = sel.assign(category=sel["disaggregation"].str.slice(len(prefix)))
    return out[["category", "value", "verification_status", "is_synthetic"]].reset_index(drop=True)


def breakdown_trend(observations: pd.DataFrame, indicator_code: str, cycle: "str | Period", dimension: str,
                    n_periods: int = 12) -> pd.DataFrame:
    """Values by the categories of one dimension for the ``n_periods`` up to ``cycle`` (for stacked bars)."""
    cyc = Period.parse(cycle)
    window = {str(p) for p in cyc.before(n_periods - 1)} | {str(cyc)}
    prefix = f"{dimension}="
    sel = observations[(observations["indicator_code"] == indicator_code) & observations["period"].isin(window)
                       & observations["disaggregation"].str.startswith(prefix)
                       & ~observations["disaggregation"].str.contains(";")]
    out = sel.assign(category=sel["disaggregation"].str.slice(len(prefix))).sort_values("period_start")
    return out[["period", "category", "value", "verification_status", "is_synthetic"]].reset_index(drop=True)
