"""The leadership impact report: an editable Word document built from one pack context.

``build_impact_report(ctx, "outputs/UN-DEMO/2023-24-Q4/impact_report.docx")`` writes, in the pack's
language: a title block (with the synthetic-data banner where the data are synthetic), a summary with the
status donut, **key developments**, **challenges**, **opportunities** (each with the rule that selects it,
see :func:`highlights`), per priority a status table and one or two trend charts, the **recommendations for
decision** and the tracker in numbers. Headings are Word's Heading 1/2 and tables use built-in table
styles, so a planning unit can restyle, reorder and edit the draft.

Selection rules (stated in the document too):

* key developments — quantitative indicators **on track** (strategic first, then by the share of the
  planned change achieved), and the largest relative moves since each indicator's previous value;
* challenges — indicators **off track** (largest shortfall against the expected value first) and those
  with **no data** (no value in the cycle or the two periods before it);
* opportunities — **improving but short of target**: the latest value moved in the desired direction
  since the previous value and has not yet reached the cycle's target ("maintain" indicators: moved
  closer to the target while still outside ±10 % of it), closest to the target first.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from cpas_kit import __version__
from cpas_kit.analysis.charts import status_donut, trend_chart
from cpas_kit.analysis.indicators import STATUS_RULE, trend_frame
from cpas_kit.core import formatting
from cpas_kit.core.frames import display_text
from cpas_kit.core.i18n import t
from cpas_kit.core.periods import Period
from cpas_kit.core.word import a4_pages
from cpas_kit.framework.model import Indicator, Priority
from cpas_kit.packs.data import PackData
from cpas_kit.tracker.followup import tracker_summary

MAX_LISTED = 10  # bullets per list before "… and n more"
LARGEST_MOVES = 5
CHARTS_PER_PRIORITY = 2
LEVEL_RANK = {"strategic": 0, "stakeholder": 1, "output": 2}
MAINTAIN_BAND = 0.10  # as in cpas_kit.analysis.indicators.rate
TABLE_STYLE = "Light Grid Accent 1"
META_STYLE = "Table Grid"
CHART_SCALE = 2  # PNG pixels per chart pixel: sharp in print, ≈100 kB a chart


# --- numbers ---------------------------------------------------------------------------------------------

def format_number(value: Any, language: str = "en", decimals: int | None = None) -> str:
    """``1,234.5`` (en) or ``1 234,5`` (fr); whole numbers without decimals unless ``decimals`` is given;
    "—" for none."""
    return formatting.number(value, language, decimals)


def format_signed(value: float, language: str = "en") -> str:
    """A change with its sign: ``+5.5``, ``−6``."""
    return ("+" if value > 0 else "−" if value < 0 else "±") + format_number(abs(value), language)


def with_unit(value: Any, unit: str, language: str = "en") -> str:
    """A value and its unit: ``50.8%`` / ``50,8 %`` for percentages, else ``184 incidents``."""
    if unit.strip().lower() in ("percent", "%", "percentage"):
        return format_number(value, language) + ("\u00a0%" if language == "fr" else "%")
    return f"{format_number(value, language)} {unit}"


def format_share(share: float, language: str = "en") -> str:
    """``85%`` (en) or ``85 %`` (fr)."""
    return f"{100 * share:.0f}" + ("\u00a0%" if language == "fr" else "%")


# --- selection rules -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Highlights:
    """Status rows (:func:`cpas_kit.analysis.indicators.indicator_status` plus derived columns) per report section."""

    on_track: pd.DataFrame
    largest_moves: pd.DataFrame
    off_track: pd.DataFrame
    no_data: pd.DataFrame
    opportunities: pd.DataFrame


DERIVED = ("previous_value", "progress_share", "relative_change", "shortfall_share", "moved_desired_way",
           "short_of_target", "level_rank")


def _derived(status: pd.DataFrame) -> pd.DataFrame:
    """Status rows plus ``previous_value``, ``progress_share``, ``relative_change``, ``shortfall_share``,
    ``moved_desired_way`` and ``short_of_target``."""
    rows = []
    for r in status.to_dict("records"):
        latest, change = _num(r["latest_value"]), _num(r["change_vs_previous"])
        base, target, expected = _num(r["baseline_value"]), _num(r["target_value"]), _num(r["expected_value"])
        previous = latest - change if latest is not None and change is not None else None
        planned = target - base if target is not None and base is not None else None
        ref = target if target is not None else base
        moving = r["direction"] in ("increase", "decrease")  # a 'maintain' indicator plans no change to share
        progress = (latest - base) / planned if moving and latest is not None and planned else None
        relative = abs(change) / max(abs(previous), 1e-9) if change and previous is not None else None
        known = latest is not None and expected is not None and bool(planned)
        shortfall = abs(latest - expected) / abs(planned) if known else None
        desired, short = None, None
        if latest is not None and change is not None and change != 0:
            if r["direction"] == "maintain" and ref is not None:
                desired = abs(latest - ref) < abs(previous - ref)
                short = abs(latest - ref) > MAINTAIN_BAND * max(abs(ref), 1e-9)
            elif r["direction"] in ("increase", "decrease"):
                desired = (change > 0) == (r["direction"] == "increase")
                if target is not None:
                    short = latest < target if r["direction"] == "increase" else latest > target
        rows.append({**r, "previous_value": previous, "progress_share": progress, "relative_change": relative,
                     "shortfall_share": shortfall, "moved_desired_way": desired, "short_of_target": short,
                     "level_rank": LEVEL_RANK.get(r["level"], 9)})
    return pd.DataFrame(rows, columns=[*status.columns, *DERIVED])


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def highlights(status: pd.DataFrame, n_moves: int = LARGEST_MOVES) -> Highlights:
    """Split a status frame into the report's sections by the rules in this module's docstring."""
    d = _derived(status)
    quantitative = d[d["kind"] == "quantitative"]
    on = quantitative[quantitative["status"] == "on track"].assign(
        _p=lambda x: -x["progress_share"].astype(float).fillna(0)).sort_values(["level_rank", "_p"])
    moves = quantitative[quantitative["relative_change"].notna() & (quantitative["relative_change"] > 0)]
    moves = moves.sort_values("relative_change", ascending=False).head(n_moves)
    off = quantitative[quantitative["status"] == "off track"].sort_values(
        "shortfall_share", ascending=False, na_position="last")
    none = quantitative[quantitative["status"] == "no data"].sort_values("level_rank")
    opp = quantitative[quantitative["moved_desired_way"].eq(True) & quantitative["short_of_target"].eq(True)]
    opp = opp.assign(_gap=lambda x: 1 - x["progress_share"].astype(float).fillna(0)).sort_values("_gap")
    return Highlights(*(f.drop(columns=[c for c in ("_p", "_gap") if c in f.columns]).reset_index(drop=True)
                        for f in (on, moves, off, none, opp)))


def chart_indicators(ctx: PackData, priority: Priority, n: int = CHARTS_PER_PRIORITY) -> list[Indicator]:
    """Up to ``n`` indicators of a priority worth a chart: the off-track one furthest behind, the on-track one
    furthest ahead (strategic before stakeholder before output), then any other with a trend."""
    d = _derived(ctx.status[ctx.status["priority_code"] == priority.code])
    d = d[(d["kind"] == "quantitative") & d["latest_value"].notna()]
    first = {"ascending": [True, False]}
    off = d[d["status"] == "off track"].sort_values(["level_rank", "shortfall_share"], **first)
    on = d[d["status"] == "on track"].sort_values(["level_rank", "progress_share"], **first)
    ordered = [*off["indicator_code"].head(1), *on["indicator_code"].head(1),
               *d.sort_values("level_rank")["indicator_code"]]
    by_code = {i.code: i for _, _, i in ctx.framework.indicators()}
    picked: list[Indicator] = []
    for code in dict.fromkeys(ordered):
        if len(picked) == n:
            break
        if len(trend_frame(ctx.observations, code, ctx.cycle)) >= 2:
            picked.append(by_code[code])
    return picked


# --- the document ----------------------------------------------------------------------------------------

def chart_png(chart: alt.TopLevelMixin, scale: float = CHART_SCALE) -> bytes:
    """A chart as PNG bytes through vl-convert (no browser)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart.to_dict(), scale=scale)


class _Writer:
    """Adds the report's pieces to a python-docx ``Document`` in one language."""

    def __init__(self, ctx: PackData):
        from docx import Document

        self.ctx, self.lang = ctx, ctx.language
        self.doc = Document()
        self.figures = 0
        self.indicators = {i.code: i for _, _, i in ctx.framework.indicators()}
        # French sets a (non-breaking) space before ":" and ";"
        self.colon, self.semi = (": ", "; ") if self.lang == "en" else ("\u00a0: ", "\u00a0; ")
        _set_language(self.doc, self.lang)

    def t(self, key: str, **values: Any) -> str:
        text = t(key, self.lang)
        return text.format(**values) if values else text

    def num(self, value: Any, decimals: int | None = None) -> str:
        return format_number(value, self.lang, decimals)

    # building blocks
    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

    def para(self, text: str = "", style: str | None = None, bold: bool = False, italic: bool = False):
        p = self.doc.add_paragraph(style=style)
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold or None, italic or None
        return p

    def bullets(self, items: list[str]) -> None:
        if not items:
            self.para(self.t("ir_none"), italic=True)
            return
        for text in items[:MAX_LISTED]:
            self.para(text, style="List Bullet")
        if len(items) > MAX_LISTED:
            self.para(self.t("ir_more", n=len(items) - MAX_LISTED), italic=True)

    def table(self, header: list[str] | None, rows: list[list[str]], style: str = TABLE_STYLE) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        ncols = len(header) if header else len(rows[0])
        table = self.doc.add_table(rows=0, cols=ncols)
        table.style = self.doc.styles[style]
        if header:
            cells = table.add_row().cells
            for cell, text in zip(cells, header):
                cell.text = text
            tr_pr = table.rows[0]._tr.get_or_add_trPr()  # repeat the header row on each page
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            tr_pr.append(repeat)
        for row in rows:
            for cell, text in zip(table.add_row().cells, row):
                cell.text = display_text(text, "—")  # never a NaN or None in a cell
        self.para()

    def figure(self, chart: alt.TopLevelMixin, caption: str, width_cm: float = 15.5) -> None:
        from docx.shared import Cm

        self.doc.add_picture(io.BytesIO(chart_png(chart)), width=Cm(width_cm))
        self.figures += 1
        self.para(f"{self.t('ir_figure', n=self.figures)}{self.colon}{caption}", style="Caption")

    def banner(self, text: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import RGBColor

        p = self.para()
        run = p.add_run(text)
        run.bold = True
        run.font.color.rgb = RGBColor(0x5C, 0x44, 0x00)
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), "FFF3CD")
        p._p.get_or_add_pPr().append(shading)

    # indicator phrases
    def name(self, code: str) -> str:
        return f"{code} — {self.indicators[code].label(self.lang)}"

    def value(self, r: dict[str, Any], column: str = "latest_value") -> str:
        return with_unit(r[column], r["unit_fr"] if self.lang == "fr" else r["unit"], self.lang)

    def target(self, r: dict[str, Any]) -> str:
        if _num(r["target_value"]) is None:
            return "—"
        return f"{self.num(r['target_value'])} ({r['target_period']})"

    def change(self, r: dict[str, Any]) -> str:
        direction = self.t("fu_desired") if r["moved_desired_way"] else self.t("fu_undesired")
        relative = _num(r["relative_change"])
        pct = f" ({format_share(relative, self.lang)})" if relative is not None else ""
        change = format_signed(r["change_vs_previous"], self.lang) + pct
        return self.t("ir_change", change=change, direction=direction)

    def latest(self, r: dict[str, Any]) -> str:
        return f"{self.value(r)} ({r['latest_period']})"


def _set_language(doc, language: str) -> None:
    """Proofing language of the Normal style and the document's language property."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tag = {"en": "en-GB", "fr": "fr-FR"}[language]
    doc.core_properties.language = tag
    r_pr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), tag)
    r_pr.append(lang)


def _title_block(w: _Writer) -> None:
    ctx, fw = w.ctx, w.ctx.framework
    m = fw.mission
    w.doc.core_properties.title = f"{m.code} {ctx.cycle} — {w.t('ir_title')}"
    w.doc.core_properties.author = f"CPAS Workbench {__version__}"
    w.heading(f"{m.label(w.lang)} — {w.t('ir_title')} {ctx.cycle}", level=0)
    if ctx.is_synthetic:
        w.banner(w.t("synthetic_banner"))
    if ctx.no_data_note:
        w.banner(ctx.no_data_note)
    version, period = ctx.framework_version, Period.parse(ctx.cycle)
    mission = m.code + (f" ({w.t('fictional_mission')})" if m.is_fictional else "")
    w.table(None, [
        [w.t("mission"), mission],
        [w.t("cycle"), f"{ctx.cycle} ({period.start.isoformat()} – {period.end.isoformat()})"],
        [w.t("framework_version"),
         f"v{version.get('version')} ({w.t('effective_from')} {version.get('effective_from')})"],
        [w.t("generated"), ctx.generated_at.strftime("%Y-%m-%d %H:%M UTC")],
    ], style=META_STYLE)
    w.para(w.t("ir_editable", version=__version__), italic=True)


def _counts(status: pd.DataFrame) -> dict[str, int]:
    """Indicators per status, under the names the i18n templates use."""
    counts = status["status"].value_counts()
    names = {"on": "on track", "off": "off track", "nodata": "no data", "notrated": "not rated"}
    return {name: int(counts.get(s, 0)) for name, s in names.items()}


def _summary(w: _Writer) -> None:
    s = w.ctx.status
    w.heading(w.t("ir_summary"))
    w.para(w.t("ir_status_counts", n=int((s["kind"] == "quantitative").sum()), **_counts(s)))
    synthetic = f" {t('synthetic', w.lang).upper()}." if w.ctx.is_synthetic else ""
    w.figure(status_donut(s, w.lang), f"{w.t('status_summary')}, {w.ctx.cycle}.{synthetic}", width_cm=9)


def _sections(w: _Writer, h: Highlights) -> None:
    w.heading(w.t("ir_key_developments"))
    w.para(w.t("ir_developments_rule"), italic=True)
    w.heading(t("on track", w.lang).capitalize(), 2)
    c, sc = w.colon, w.semi
    w.bullets([f"{w.name(r['indicator_code'])}{c}{w.latest(r)}{sc}{w.t('target').lower()} {w.target(r)}"
               + (f"{sc}{w.t('ir_progress_share', share=format_share(r['progress_share'], w.lang))}"
                  if _num(r["progress_share"]) is not None else "")
               for r in h.on_track.to_dict("records")])
    w.heading(w.t("ir_largest_moves"), 2)
    w.bullets([f"{w.name(r['indicator_code'])}{c}{w.latest(r)}, {w.change(r)}{sc}{t(r['status'], w.lang)}"
               for r in h.largest_moves.to_dict("records")])

    w.heading(w.t("ir_challenges"))
    w.para(w.t("ir_challenges_rule"), italic=True)
    w.heading(t("off track", w.lang).capitalize(), 2)
    w.bullets([f"{w.name(r['indicator_code'])}{c}{w.latest(r)}{sc}{w.t('expected').lower()} "
               f"{w.num(r['expected_value'])}, {w.t('target').lower()} {w.target(r)}"
               for r in h.off_track.to_dict("records")])
    w.heading(t("no data", w.lang).capitalize(), 2)
    w.bullets([f"{w.name(r['indicator_code'])}{c}"
               + (w.t("ir_no_value_since", period=r["latest_period"]) if r["latest_period"]
                  else w.t("ir_no_value"))
               + f" ({t('source', w.lang).lower()}{c}{r['data_source']})"
               for r in h.no_data.to_dict("records")])

    w.heading(w.t("ir_opportunities"))
    w.para(w.t("ir_opportunities_rule"), italic=True)
    w.bullets([f"{w.name(r['indicator_code'])}{c}{w.latest(r)}, {w.change(r)}{sc}{w.t('target').lower()} "
               f"{w.target(r)}{sc}{t(r['status'], w.lang)}" for r in h.opportunities.to_dict("records")])


def _priorities(w: _Writer) -> None:
    ctx = w.ctx
    w.heading(w.t("ir_by_priority"))
    for i, p in enumerate(ctx.framework.priorities, start=1):
        w.heading(f"{i}. {p.label(w.lang)}", 2)
        rows = ctx.status[ctx.status["priority_code"] == p.code]
        w.para(w.t("ir_priority_counts", **_counts(rows)))
        table = []
        for r in rows.to_dict("records"):
            if r["kind"] == "qualitative":
                text = r["latest_text"] if isinstance(r["latest_text"], str) else "—"
                latest = f"{text} ({r['latest_period']})" if r["latest_period"] else "—"
            else:
                latest = w.latest(r) if _num(r["latest_value"]) is not None else "—"
            checked = r["verification_status"]
            table.append([w.name(r["indicator_code"]), latest, w.target(r), t(r["status"], w.lang),
                          t(checked, w.lang) if isinstance(checked, str) else "—"])
        w.table([w.t("indicator"), w.t("latest"), w.t("target"), w.t("status"), w.t("verification")], table)
        for ind in chart_indicators(ctx, p):
            trend = trend_frame(ctx.observations, ind.code, ctx.cycle)
            row = rows.set_index("indicator_code").loc[ind.code]
            parts = [f"{ind.code} — {ind.label(w.lang)}",
                     f"{trend['period'].iloc[0]}–{trend['period'].iloc[-1]}",
                     f"{t('source', w.lang)}{w.colon}{ind.data_source}",
                     f"{t('status', w.lang)}{w.colon}{t(row['status'], w.lang)}",
                     t("unverified_note", w.lang)]
            if bool(trend["is_synthetic"].any()):
                parts.append(t("synthetic", w.lang).upper())
            w.figure(trend_chart(trend, ind, w.lang), ". ".join(x.rstrip(".") for x in parts) + ".")


def _decisions(w: _Writer) -> None:

    ctx = w.ctx
    recs = ctx.recommendations
    w.heading(w.t("ir_for_decision"))
    w.para(w.t("ir_decision_rule"), italic=True)
    pending = recs[recs["decision"].isin(["Awaiting Review", "Deferred"])] if len(recs) else recs
    if not len(pending):
        w.para(w.t("ir_no_decision"))
    else:
        names = {p.code: f"{i}. {p.label(w.lang)}" for i, p in enumerate(ctx.framework.priorities, start=1)}
        w.table([w.t("recommendation"), w.t("impact_area"), w.t("lead_section"), w.t("date_recommended"),
                 w.t("decision")],
                [[r["text"], names.get(r["priority_code"], r["priority_code"] or "—"),
                  r["lead_section"] or "—", r["cycle_recommended"] or "—", t(r["decision"], w.lang)]
                 for r in pending.to_dict("records")])
    w.heading(w.t("ir_tracker_numbers"), 2)
    if not len(recs):
        w.para(w.t("tracker_empty"))
        return
    events = ctx.recommendation_events if ctx.recommendation_events is not None else pd.DataFrame(
        columns=["recommendation_id", "field", "to_value", "at", "id"])
    total = tracker_summary(recs, events, on=ctx.reporting_date).iloc[-1].to_dict()
    pct = lambda v: "—" if v is None or pd.isna(v) else format_share(v, w.lang)  # noqa: E731
    w.table(None, [
        [w.t("fu_recommended"), str(total["recommended"])],
        [t("Awaiting Review", w.lang), str(int((recs["decision"] == "Awaiting Review").sum()))],
        [t("Deferred", w.lang), str(int((recs["decision"] == "Deferred").sum()))],
        [t("Approved", w.lang), str(total["approved"])],
        [t("Rejected", w.lang), str(total["rejected"])],
        [t("Implemented", w.lang), str(total["implemented"])],
        [f"{w.t('overdue').capitalize()} ({ctx.reporting_date.isoformat()})", str(total["overdue"])],
        [w.t("fu_approval_rate"), pct(total["approval_rate"])],
        [w.t("fu_implementation_rate"), pct(total["implementation_rate"])],
        [w.t("fu_median_days"), w.num(total["median_days_to_implementation"])],
    ], style=META_STYLE)


def _about(w: _Writer) -> None:
    w.heading(w.t("ir_about"))
    w.para(STATUS_RULE[w.lang])
    w.para(t("unverified_note", w.lang))
    if w.ctx.is_synthetic:
        w.banner(w.t("synthetic_banner"))


def build_impact_report(ctx: PackData, path: "str | Path") -> Path:
    """Write the leadership impact report for ``ctx`` (in ``ctx.language``) as a Word document at ``path``."""
    w = _Writer(ctx)
    _title_block(w)
    _summary(w)
    _sections(w, highlights(ctx.status))
    _priorities(w)
    _decisions(w)
    _about(w)
    m = ctx.framework.mission
    a4_pages(w.doc, f"{m.label(w.lang)} ({m.code}) · {w.t('cycle')} {ctx.cycle}", w.lang)  # A4, mission, page n of N
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.{uuid.uuid4().hex[:8]}{out.suffix}")
    try:
        w.doc.save(str(partial))
        partial.replace(out)  # a reader never opens half a file
    finally:
        partial.unlink(missing_ok=True)
    return out


__all__ = ["Highlights", "build_impact_report", "chart_indicators", "chart_png", "format_number",
           "format_share", "format_signed", "highlights", "with_unit"]
