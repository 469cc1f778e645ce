"""The data-quality rules, on tidy frames: every value of a cycle against its own history and its framework.

Each rule returns findings (one row per value that broke it) with the indicator, the disaggregation cell, the
period, the value, the rule and, in ``detail``, the number it broke. A value's history is the earlier values of the same
indicator, cell and kind of period within the :data:`HISTORY_PERIODS` cycles before the checked one. The rules,
with their stated thresholds:

- ``outlier_modified_z`` — the value's modified z-score against the earlier values of the same indicator and
  cell (Iglewicz and Hoaglin: 0.6745 × (x − median) ÷ MAD; when the MAD is 0, (x − median) ÷ (1.2533 × mean
  absolute deviation)) is above :data:`Z_THRESHOLD` in absolute value; needs :data:`MIN_HISTORY` earlier values.
- ``outside_range`` — below the framework's ``min_value`` or above its ``max_value``.
- ``outside_history_range`` — on a side the framework leaves open (no minimum, or no maximum), outside the
  range of the earlier values widened by half its width (DHIS2's min–max ranges generated from history);
  needs :data:`MIN_HISTORY` earlier values that are not all equal.
- ``parts_exceed_total`` / ``parts_short_of_total`` — for additive indicators, a dimension's parts add up to more
  than the total, or (all categories present) to less, beyond the import tolerance (0.5 or 0.5 %).
- ``sudden_break`` — the change from the previous value of the cell is larger than any change between
  consecutive earlier values of that cell (needs :data:`MIN_HISTORY` earlier values).
- ``late_entry`` — entered more than :data:`LATE_AFTER_DAYS` days after the period ended.
- ``no_source`` — a value without a source.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cpas_kit.core.periods import Period
from cpas_kit.data_in.schemas import parse_cell
from cpas_kit.framework.model import Framework

Z_THRESHOLD = 3.5
MIN_HISTORY = 4
HISTORY_PERIODS = 12  # the history a value is checked against: the 12 cycles before it (3 years of quarters)
LATE_AFTER_DAYS = 30
HISTORY_MARGIN = 0.5
TOLERANCE_ABS = 0.5
TOLERANCE_REL = 0.005

RULES = ("outlier_modified_z", "outside_range", "outside_history_range", "parts_exceed_total",
         "parts_short_of_total", "sudden_break", "late_entry", "no_source")
FINDING_COLUMNS = ["indicator_code", "cell", "period", "value", "rule", "detail", "measure"]


def _num(x: float) -> str:
    """A number as a reader expects it: no trailing zeros, at most 4 significant decimals."""
    return f"{x:,.4g}" if abs(x) < 1e6 else f"{x:,.0f}"


def periods_of(cycle: "str | Period") -> list[str]:
    """Every period string inside ``cycle`` (itself, its quarters, its months)."""
    c = Period.parse(cycle)
    return sorted({str(c), *(str(q) for q in c.quarters()), *(str(m) for m in c.months())})


def split(values: pd.DataFrame, cycle: "str | Period") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cycle's values and the earlier values (numeric, same indicator, cell and period kind) as history."""
    frame = values.copy()
    kinds = {p: Period.parse(p).kind for p in frame["period"].unique()}
    frame["kind"] = frame["period"].map(kinds)
    in_cycle = frame["period"].isin(periods_of(cycle))
    start = pd.Timestamp(Period.parse(cycle).start)
    history = frame[~in_cycle & (pd.to_datetime(frame["period_start"]) < start) & frame["value"].notna()]
    return frame[in_cycle], history


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def _with_history(current: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """The cycle's numeric values joined to their cell's history statistics (median, MAD, mean AD, min, max, n)."""
    keys = ["indicator_code", "disaggregation", "kind"]
    cur = current[current["value"].notna()]
    if cur.empty or history.empty:
        return cur.iloc[0:0].assign(n=[], median=[], mad=[], meanad=[], hmin=[], hmax=[])
    g = history.groupby(keys, sort=False)["value"]
    stats = g.agg(n="count", median="median", hmin="min", hmax="max").reset_index()
    dev = history[keys + ["value"]].merge(stats[keys + ["median"]], on=keys)
    dev["dev"] = (dev["value"] - dev["median"]).abs()
    d = dev.groupby(keys, sort=False)["dev"].agg(mad="median", meanad="mean").reset_index()
    return cur.merge(stats.merge(d, on=keys), on=keys, how="inner")


def outliers(current: pd.DataFrame, history: pd.DataFrame, *, threshold: float = Z_THRESHOLD,
             min_history: int = MIN_HISTORY) -> pd.DataFrame:
    """``outlier_modified_z`` findings."""
    j = _with_history(current, history)
    j = j[j["n"] >= min_history]
    scale = np.where(j["mad"] > 0, j["mad"] / 0.6745, j["meanad"] * 1.253314)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(scale > 0, (j["value"] - j["median"]) / scale, 0.0)
    hit = j[np.abs(z) > threshold].assign(z=z[np.abs(z) > threshold])
    return _frame([{"indicator_code": r.indicator_code, "cell": r.disaggregation, "period": r.period,
                    "value": float(r.value), "rule": "outlier_modified_z", "measure": round(float(r.z), 2),
                    "detail": f"modified z-score {r.z:+.1f} beyond ±{threshold:g} (median of {int(r.n)} earlier "
                              f"values {_num(r.median)}, MAD {_num(r.mad)})"} for r in hit.itertuples()])


def ranges(current: pd.DataFrame, history: pd.DataFrame, fw: Framework, *,
           min_history: int = MIN_HISTORY) -> pd.DataFrame:
    """``outside_range`` (the framework's bounds) and ``outside_history_range`` findings.

    A side the framework leaves open (no ``min_value``, or no ``max_value``) is bounded from history instead.
    """
    bounds = {i.code: (i.min_value, i.max_value) for _, _, i in fw.indicators()}
    cur = current[current["value"].notna()]
    cur = cur.assign(fmin=cur["indicator_code"].map(lambda c: bounds.get(c, (None, None))[0]).astype("float64"),
                     fmax=cur["indicator_code"].map(lambda c: bounds.get(c, (None, None))[1]).astype("float64"))
    below, above = cur["value"] < cur["fmin"], cur["value"] > cur["fmax"]
    rows = [(r, "outside_range", r.fmin, f"below the framework's minimum {_num(r.fmin)}")
            for r in cur[below].itertuples()]
    rows += [(r, "outside_range", r.fmax, f"above the framework's maximum {_num(r.fmax)}")
             for r in cur[above & ~below].itertuples()]
    j = _with_history(cur[~(below | above)], history)
    j = j[(j["n"] >= min_history) & (j["hmax"] > j["hmin"])]
    margin = HISTORY_MARGIN * (j["hmax"] - j["hmin"])
    j = j.assign(lo=j["hmin"] - margin, hi=j["hmax"] + margin)
    hit = (j["fmin"].isna() & (j["value"] < j["lo"])) | (j["fmax"].isna() & (j["value"] > j["hi"]))
    for r in j[hit].itertuples():
        rows.append((r, "outside_history_range", r.lo if r.value < r.lo else r.hi,
                     f"outside {_num(r.lo)} to {_num(r.hi)}, the range of {int(r.n)} earlier values "
                     f"({_num(r.hmin)} to {_num(r.hmax)}) widened by half its width"))
    return _frame([{"indicator_code": r.indicator_code, "cell": r.disaggregation, "period": r.period,
                    "value": float(r.value), "rule": rule, "measure": float(bound), "detail": detail}
                   for r, rule, bound, detail in rows])


def parts_and_totals(current: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """``parts_exceed_total`` / ``parts_short_of_total`` findings, on the total (or parent) cell."""
    info = {i.code: i for _, _, i in fw.indicators()}
    cur = current[current["value"].notna() & current["indicator_code"].map(
        lambda c: c in info and info[c].additive)]
    if cur.empty:
        return _frame([])
    cells = {k: parse_cell(k) for k in cur["disaggregation"].unique()}
    by_cell = {(r.indicator_code, r.period, r.disaggregation): float(r.value) for r in cur.itertuples()}
    groups: dict[tuple[str, str, str, str], list[float]] = {}
    for (code, period, key), value in by_cell.items():
        parts = cells[key]
        for dim in parts:
            parent = ";".join(f"{d}={c}" for d, c in sorted(parts.items()) if d != dim)
            groups.setdefault((code, period, parent, dim), []).append(value)
    rows, n_cats = [], {}
    for (code, period, parent, dim), values in groups.items():
        total = by_cell.get((code, period, parent))
        if total is None:
            continue
        s, tol = sum(values), max(TOLERANCE_ABS, TOLERANCE_REL * abs(total))
        name = fw.dimension(dim).name if dim in {d.code for d in fw.disaggregations} else dim
        if s > total + tol:
            rows.append((code, parent, period, total, "parts_exceed_total", s,
                         f"its {len(values)} '{name}' part(s) add up to {_num(s)}, more than the total {_num(total)}"))
            continue
        if dim not in n_cats:
            n_cats[dim] = len(fw.categories(dim)) if dim in {d.code for d in fw.disaggregations} else -1
        if len(values) == n_cats[dim] and s < total - tol:
            rows.append((code, parent, period, total, "parts_short_of_total", s,
                         f"its {len(values)} '{name}' parts add up to {_num(s)}, less than the total {_num(total)}"))
    return _frame([{"indicator_code": c, "cell": k, "period": p, "value": v, "rule": rule, "measure": m,
                    "detail": d} for c, k, p, v, rule, m, d in rows])


def breaks(current: pd.DataFrame, history: pd.DataFrame, *, min_history: int = MIN_HISTORY) -> pd.DataFrame:
    """``sudden_break`` findings: a change from the previous value larger than any earlier change of the cell."""
    keys = ["indicator_code", "disaggregation", "kind"]
    cur = current[current["value"].notna()]
    if cur.empty or history.empty:
        return _frame([])
    h = history.sort_values(keys + ["period_start"])
    h = h.assign(step=h.groupby(keys, sort=False)["value"].diff().abs())
    stats = h.groupby(keys, sort=False).agg(n=("value", "count"), max_step=("step", "max"),
                                            last=("value", "last")).reset_index()
    j = cur.merge(stats, on=keys, how="inner")
    j = j[(j["n"] >= min_history)]
    change = (j["value"] - j["last"]).abs()
    hit = j[change > j["max_step"]].assign(change=change[change > j["max_step"]])
    return _frame([{"indicator_code": r.indicator_code, "cell": r.disaggregation, "period": r.period,
                    "value": float(r.value), "rule": "sudden_break", "measure": float(r.change),
                    "detail": f"changed by {_num(r.change)} from the previous value {_num(r.last)}; the largest "
                              f"change in {int(r.n)} earlier values was {_num(r.max_step)}"}
                   for r in hit.itertuples()])


def days_late(current: pd.DataFrame) -> pd.Series:
    """Days from the end of each value's period to its entry (negative when entered before the period ended)."""
    ends = {p: pd.Timestamp(Period.parse(p).end) for p in current["period"].unique()}
    entered = pd.to_datetime(current["entered_at"], utc=True).dt.tz_localize(None).dt.normalize()
    return (entered - current["period"].map(ends)).dt.days


def late(current: pd.DataFrame, *, after_days: int = LATE_AFTER_DAYS) -> pd.DataFrame:
    """``late_entry`` findings."""
    if current.empty:
        return _frame([])
    days = days_late(current)
    hit = current.assign(days=days)[days > after_days]
    return _frame([{"indicator_code": r.indicator_code, "cell": r.disaggregation, "period": r.period,
                    "value": _value(r), "rule": "late_entry", "measure": int(r.days),
                    "detail": f"entered {int(r.days)} days after the period ended (more than {after_days})"}
                   for r in hit.itertuples()])


def no_source(current: pd.DataFrame) -> pd.DataFrame:
    """``no_source`` findings."""
    has_value = current["value"].notna() | current["value_text"].fillna("").astype(str).str.strip().ne("")
    blank = current["source"].fillna("").astype(str).str.strip().eq("")
    return _frame([{"indicator_code": r.indicator_code, "cell": r.disaggregation, "period": r.period,
                    "value": _value(r), "rule": "no_source", "measure": None,
                    "detail": "the value has no source; say where it comes from"}
                   for r in current[has_value & blank].itertuples()])


def _value(r: Any) -> Any:
    v = r.value
    if v is not None and not (isinstance(v, float) and np.isnan(v)):
        return float(v)
    return r.value_text if isinstance(r.value_text, str) else None


def all_findings(values: pd.DataFrame, fw: Framework, cycle: "str | Period", *, threshold: float = Z_THRESHOLD,
                 late_after_days: int = LATE_AFTER_DAYS) -> pd.DataFrame:
    """Every rule over the cycle's values (``values``: the cycle's and earlier observations of the mission)."""
    current, history = split(values, cycle)
    parts = [outliers(current, history, threshold=threshold), ranges(current, history, fw),
             parts_and_totals(current, fw), breaks(current, history), late(current, after_days=late_after_days),
             no_source(current)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _frame([])
    out = pd.concat(parts, ignore_index=True)
    order = {code: n for n, (_, _, i) in enumerate(fw.indicators()) for code in [i.code]}
    out["_o"] = out["indicator_code"].map(order).fillna(len(order))
    out["_r"] = out["rule"].map({r: n for n, r in enumerate(RULES)})
    return out.sort_values(["_o", "indicator_code", "period", "cell", "_r"]).drop(columns=["_o", "_r"]).reset_index(
        drop=True)
