"""The recommendations tracker app: filter a mission's recommendations, record decisions and progress.

``tracker_app(Store(), "UN-DEMO", language="fr")`` returns one ipywidgets layout; the notebook
``notebooks/recommendations_tracker.ipynb`` only validates its parameters and shows it, and Voila serves
it as a web page. Leadership records a decision, a lead section records implementation progress; the
rules of :mod:`cpas_kit.tracker.rules` decide, and a refused change shows the rule's sentence.
The app reads the store again at every action (filter, open, record, refresh), so people working in
several tabs or browsers see each other's changes. Every label comes from :func:`cpas_kit.core.i18n.t`;
every value read from the store is HTML-escaped before it is shown.

Under Voila the page address can choose the mission and the language
(``…/recommendations_tracker.ipynb?mission=UN-DEMO&language=fr``): Voila hands each page's kernel the
address's query string (``QUERY_STRING``) and :func:`tracker_parameters` lets it override those two
parameters, with no Voila configuration needed. The store URL never comes from the address. (A papermill
``prelaunch_hook`` works too but must be set in a ``voila.py`` and rules out preheated kernels; with
``--preheat_kernel`` the query string is only known through ``voila.utils.get_query_string()``.)
"""

from __future__ import annotations

import html
import os
import traceback
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Literal
from urllib.parse import parse_qs

import pandas as pd
from ipywidgets import (
    HTML,
    Box,
    Button,
    Checkbox,
    Dropdown,
    HBox,
    Layout,
    Output,
    Text,
    Textarea,
    VBox,
    Widget,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cpas_kit.core.errors import CpasError, ParametersError, pydantic_problems
from cpas_kit.core.i18n import t
from cpas_kit.framework.model import Framework
from cpas_kit.store import Store
from cpas_kit.tracker.files import tracker_frame
from cpas_kit.tracker.rules import DECISIONS, PROGRESS
from cpas_kit.tracker.store import ChangeRefused, TrackerStore

URL_PARAMETERS = ("mission", "language")  # what a page address may set; never the store URL
ALL = ""  # a filter's value when it does not filter
_OPEN_WIDTH = "48px"
_TEXT_PREVIEW = 180
_STYLE = """<style>
.cpas-trk-app {max-width: 1200px}
.cpas-trk-row-cells, .cpas-trk-head {display: grid; width: 100%; column-gap: 10px; line-height: 1.4;
  grid-template-columns: 5.5em minmax(0, 6fr) minmax(0, 1.4fr) minmax(0, 1.3fr) minmax(0, 1.3fr) 7.5em}
.cpas-trk-head {font-weight: bold}
.cpas-trk-head span, .cpas-trk-row-cells span {overflow-wrap: anywhere}
.cpas-trk-head-row {border-bottom: 1px solid #999}
.cpas-trk-row {border-bottom: 1px solid #e3e3e3; align-items: flex-start}
.cpas-trk-selected {background: #eef4fb}
.cpas-trk-overdue {color: #a4262c; font-weight: bold}
.cpas-trk-msg-ok {border-left: 4px solid #2e7d32; background: #edf7ed; padding: 6px 10px}
.cpas-trk-msg-refused, .cpas-trk-msg-error {border-left: 4px solid #a4262c; background: #fdecea;
  padding: 6px 10px}
.cpas-trk-details table, .cpas-trk-history table {border-collapse: collapse}
.cpas-trk-details th, .cpas-trk-history th {text-align: left; vertical-align: top; padding: 2px 12px 2px 0}
.cpas-trk-details td, .cpas-trk-history td {vertical-align: top; padding: 2px 12px 2px 0}
</style>"""


# -- parameters --------------------------------------------------------------------------------------
class TrackerParameters(BaseModel):
    """What the tracker app needs; the same fields as the notebook's ``parameters`` cell."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mission: str = Field(min_length=1)
    language: Literal["en", "fr"] = "en"
    db_url: str = ""


def make_tracker_parameters(source: str = "parameters", **values: Any) -> TrackerParameters:
    """Validate tracker parameters; one error naming every bad key."""
    try:
        return TrackerParameters(**values)
    except ValidationError as exc:
        raise ParametersError(f"{source}: " + "; ".join(pydantic_problems(exc))) from None


def url_parameters(query: str | None = None) -> dict[str, str]:
    """``mission`` and ``language`` from a page's query string (default: ``$QUERY_STRING``, set by Voila)."""
    raw = os.environ.get("QUERY_STRING", "") if query is None else query
    found = parse_qs(raw.lstrip("?"), keep_blank_values=False)
    return {k: found[k][-1] for k in URL_PARAMETERS if found.get(k)}


def tracker_parameters(*, query: str | None = None, **values: Any) -> TrackerParameters:
    """The notebook's parameters, validated; under Voila the page address's mission and language win."""
    from_url = url_parameters(query)
    source = "the page address" if from_url else "parameters"
    return make_tracker_parameters(source, **(values | from_url))


# -- small helpers -----------------------------------------------------------------------------------
def _text(value: Any) -> str:
    """A store value as display text ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (datetime, pd.Timestamp)):
        return _when(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _esc(value: Any) -> str:
    """A store value as escaped HTML text."""
    return html.escape(_text(value))


def _when(at: Any) -> str:
    """A timestamp as ``YYYY-MM-DD HH:MM UTC`` (the store writes UTC)."""
    stamp = pd.Timestamp(at)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(UTC)
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def _value_label(field: str | None, value: Any, language: str) -> str:
    """Decision and progress values in ``language``; anything else as recorded."""
    text = _text(value)
    if field in ("decision", "progress") and text in (*DECISIONS, *PROGRESS):
        return t(text, language)
    return text


def _shown(field: str, rec: dict[str, Any], language: str) -> str:
    """A record's decision or progress, translated and escaped."""
    return html.escape(_value_label(field, rec.get(field), language))


def _named(names: dict[str, str], code: Any) -> str:
    """The label of a priority or outcome code (the code itself when unknown), escaped."""
    return html.escape(names.get(_text(code), _text(code)))


def _field_label(field: str | None, language: str) -> str:
    key = {"supporting_sections": "supporting_section"}.get(field or "", field or "")
    try:
        return t(key, language)
    except KeyError:
        return key


def _shorten(text: str, limit: int = _TEXT_PREVIEW) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _message(kind: str, text: str) -> str:
    """A message box (kind: ok, refused, error); ``text`` is escaped here."""
    return f'<div class="cpas-trk-msg-{kind}">{html.escape(text)}</div>'


def _labelled(widget: Widget, label: str) -> VBox:
    return VBox([HTML(f"<b>{html.escape(label)}</b>"), widget])


# -- pieces of the page ------------------------------------------------------------------------------
def _impact_areas(fw: Framework, language: str) -> dict[str, str]:
    return {p.code: f"{i}. {p.label(language)}" for i, p in enumerate(fw.priorities, start=1)}


def _outcomes(fw: Framework, language: str) -> dict[str, str]:
    return {o.code: o.label(language) for _, o in fw.outcomes()}


def _filter_options(values: list[str], language: str) -> list[tuple[str, str]]:
    return [(f"({t('trk_all', language)})", ALL)] + [(v, v) for v in values]


def _row_cells(rec: dict[str, Any], areas: dict[str, str], language: str) -> str:
    """One list row's cells (escaped HTML)."""
    area = _text(rec.get("priority_code"))
    target = _esc(rec.get("target_date"))
    if rec.get("overdue"):
        target += f'<br><span class="cpas-trk-overdue">{html.escape(t("overdue", language))}</span>'
    return (
        '<div class="cpas-trk-row-cells">'
        f'<span title="{html.escape(areas.get(area, area), quote=True)}">{html.escape(area)}</span>'
        f'<span class="cpas-trk-text">{html.escape(_shorten(_text(rec.get("text"))))}</span>'
        f'<span>{_esc(rec.get("lead_section"))}</span>'
        f'<span class="cpas-trk-decision">{_shown("decision", rec, language)}</span>'
        f'<span class="cpas-trk-progress">{_shown("progress", rec, language)}</span>'
        f"<span>{target}</span>"
        "</div>"
    )


def _list_header(language: str) -> str:
    """The list's column headings."""
    names = ["impact_area", "recommendation", "lead_section", "decision", "progress", "target_date"]
    cells = "".join(f"<span>{html.escape(t(n, language))}</span>" for n in names)
    return f'<div class="cpas-trk-head">{cells}</div>'


def _details_html(rec: dict[str, Any], areas: dict[str, str], outcomes: dict[str, str], language: str) -> str:
    """Every field of one recommendation (escaped HTML)."""
    progress = _shown("progress", rec, language)
    if rec.get("overdue"):
        progress += f' <span class="cpas-trk-overdue">({html.escape(t("overdue", language))})</span>'
    rows = [
        ("impact_area", _named(areas, rec.get("priority_code"))),
        ("outcome", _named(outcomes, rec.get("outcome_code"))),
        ("date_recommended", _esc(rec.get("cycle_recommended"))),
        ("actions", _esc(rec.get("actions"))),
        ("lead_section", _esc(rec.get("lead_section"))),
        ("supporting_section", _esc(rec.get("supporting_sections"))),
        ("endorsed_by", _esc(rec.get("endorsed_by"))),
        ("decision", _shown("decision", rec, language)),
        ("target_date", _esc(rec.get("target_date"))),
        ("progress", progress),
        ("comments", _esc(rec.get("comments"))),
        ("trk_last_change", f'{_esc(rec.get("updated_at"))} — {_esc(rec.get("updated_by"))}'),
    ]
    body = "".join(f"<tr><th>{html.escape(t(k, language))}</th><td>{v}</td></tr>" for k, v in rows)
    title = f'{html.escape(t("recommendation", language))} #{int(rec["id"])}'
    return (f"<h3>{title}</h3>"
            f'<p class="cpas-trk-fulltext">{_esc(rec.get("text"))}</p><table>{body}</table>')


def _history_html(events: pd.DataFrame, language: str) -> str:
    """Who changed what, when and why, newest first (escaped HTML)."""
    head = "".join(f"<th>{html.escape(t(k, language))}</th>"
                   for k in ("trk_when", "trk_who", "trk_change", "trk_comment"))
    rows = []
    for ev in reversed(events.to_dict("records")):  # newest first
        if ev["action"] == "create":
            change = html.escape(t("trk_created", language))
        else:
            field = _text(ev.get("field"))
            change = (f"{html.escape(_field_label(field, language))}: "
                      f"{html.escape(_value_label(field, ev.get('from_value'), language)) or '—'} → "
                      f"<b>{html.escape(_value_label(field, ev.get('to_value'), language)) or '—'}</b>")
        cells = (html.escape(_when(ev["at"])), _esc(ev.get("actor")), change, _esc(ev.get("comment")))
        rows.append('<tr class="cpas-trk-event">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (f'<h4>{html.escape(t("trk_history", language))}</h4>'
            f"<table><tr>{head}</tr>{''.join(rows)}</table>")


def _apply_filters(frame: pd.DataFrame, chosen: dict[str, Any]) -> pd.DataFrame:
    """The rows that match every chosen filter."""
    keep = pd.Series(True, index=frame.index)
    for column in ("priority_code", "lead_section", "decision", "progress", "cycle_recommended"):
        if chosen.get(column, ALL) != ALL:
            keep &= frame[column] == chosen[column]
    if chosen.get("overdue_only"):
        keep &= frame["overdue"]
    return frame[keep]


# -- the app -----------------------------------------------------------------------------------------
def tracker_app(store: Store, mission: str, language: str = "en", today: date | None = None) -> Widget:
    """The whole tracker app for ``mission`` in ``language``; ``today`` fixes the day overdue is judged on."""
    t("tracker", language)  # an unsupported language fails here, with the list of supported ones
    fw = store.framework(mission)
    areas, outcomes = _impact_areas(fw, language), _outcomes(fw, language)
    first = tracker_frame(store, mission, on=today)
    selected: dict[str, int | None] = {"id": None}

    # controls ------------------------------------------------------------------------------------
    heading = f"{t('tracker', language)} — {fw.mission.label(language)}"
    title = HTML(f"{_STYLE}<h2>{html.escape(heading)}</h2>")
    everything = (f"({t('trk_all', language)})", ALL)
    area_filter = Dropdown(options=[everything] + [(label, code) for code, label in areas.items()], value=ALL,
                           description=t("impact_area", language))
    leads = sorted({_text(v) for v in first["lead_section"]} - {""})
    cycles = sorted({_text(v) for v in first["cycle_recommended"]} - {""})
    lead_filter = Dropdown(options=_filter_options(leads, language), value=ALL,
                           description=t("lead_section", language))
    decision_filter = Dropdown(options=[everything] + [(t(d, language), d) for d in DECISIONS], value=ALL,
                               description=t("decision", language))
    progress_filter = Dropdown(options=[everything] + [(t(p, language), p) for p in PROGRESS], value=ALL,
                               description=t("progress", language))
    cycle_filter = Dropdown(options=_filter_options(cycles, language), value=ALL,
                            description=t("date_recommended", language))
    overdue_filter = Checkbox(value=False, description=t("trk_overdue_only", language), indent=False)
    filters = {"priority_code": area_filter, "lead_section": lead_filter, "decision": decision_filter,
               "progress": progress_filter, "cycle_recommended": cycle_filter}
    for name, widget in filters.items():
        widget.style.description_width = "15em"
        widget.layout = Layout(width="38em")
        widget.add_class(f"cpas-trk-filter-{name}")
    overdue_filter.add_class("cpas-trk-filter-overdue")
    refresh_button = Button(description=t("trk_refresh", language), icon="refresh")
    refresh_button.add_class("cpas-trk-refresh")

    count = HTML()
    count.add_class("cpas-trk-count")
    rows_box = VBox()
    rows_box.add_class("cpas-trk-list")
    row_widgets: dict[int, tuple[HBox, HTML]] = {}
    header = HBox([Box(layout=Layout(width=_OPEN_WIDTH, min_width=_OPEN_WIDTH)),
                   HTML(_list_header(language), layout=Layout(width="100%"))])
    header.add_class("cpas-trk-head-row")

    details = HTML(f"<p>{html.escape(t('trk_select_hint', language))}</p>")
    details.add_class("cpas-trk-details")
    history = HTML()
    history.add_class("cpas-trk-history")
    message = HTML()
    message.add_class("cpas-trk-message")
    errors = Output()
    errors.add_class("cpas-trk-errors")

    decision_choice = Dropdown(options=[(t(d, language), d) for d in DECISIONS], value="Awaiting Review")
    decided_by = Text(placeholder=t("trk_your_name", language))
    reason = Textarea(placeholder=t("trk_reason", language), layout=Layout(width="100%"))
    record_decision = Button(description=t("trk_record_decision", language), button_style="primary")
    progress_choice = Dropdown(options=[(t(p, language), p) for p in PROGRESS], value="Not Assigned")
    updated_by = Text(placeholder=t("trk_your_name", language))
    progress_comment = Textarea(placeholder=t("trk_comment", language), layout=Layout(width="100%"))
    record_progress = Button(description=t("trk_record_progress", language), button_style="primary")
    for widget, name in [(decision_choice, "decision-choice"), (decided_by, "decided-by"),
                         (reason, "decision-reason"), (record_decision, "record-decision"),
                         (progress_choice, "progress-choice"), (updated_by, "progress-by"),
                         (progress_comment, "progress-comment"), (record_progress, "record-progress")]:
        widget.add_class(f"cpas-trk-{name}")
    decision_form = VBox([HTML(f"<h4>{html.escape(t('trk_leadership', language))}</h4>"),
                          _labelled(decision_choice, t("decision", language)),
                          _labelled(decided_by, t("trk_decided_by", language)),
                          _labelled(reason, t("trk_reason", language)), record_decision],
                         layout=Layout(width="50%", padding="0 12px 0 0"))
    progress_form = VBox([HTML(f"<h4>{html.escape(t('trk_section_update', language))}</h4>"),
                          _labelled(progress_choice, t("progress", language)),
                          _labelled(updated_by, t("trk_updated_by", language)),
                          _labelled(progress_comment, t("trk_comment", language)), record_progress],
                         layout=Layout(width="50%"))
    forms = HBox([decision_form, progress_form], layout=Layout(display="none"))

    # reading the store and showing it --------------------------------------------------------------
    def row_for(rec_id: int) -> tuple[HBox, HTML]:
        """The (kept) row widgets of one recommendation."""
        if rec_id not in row_widgets:
            open_button = Button(description=f"#{rec_id}", tooltip=t("trk_open", language),
                                 layout=Layout(width=_OPEN_WIDTH, min_width=_OPEN_WIDTH))
            open_button.add_class("cpas-trk-open")
            open_button.on_click(lambda _button, rec_id=rec_id: on_open(rec_id))
            cells = HTML(layout=Layout(width="100%"))
            row = HBox([open_button, cells])
            row.add_class("cpas-trk-row")
            row.add_class(f"cpas-trk-row-{rec_id}")
            row_widgets[rec_id] = (row, cells)
        return row_widgets[rec_id]

    def refresh() -> pd.DataFrame:
        """Read the store; show the filtered list and the open recommendation; return the whole tracker."""
        frame = tracker_frame(store, mission, on=today)
        chosen = {name: widget.value for name, widget in filters.items()}
        chosen["overdue_only"] = overdue_filter.value
        shown = _apply_filters(frame, chosen)
        count.value = html.escape(t("trk_shown", language).format(shown=len(shown), total=len(frame)))
        if shown.empty:
            count.value += f"<br><i>{html.escape(t('trk_no_match', language))}</i>"
        children = []
        for rec in shown.to_dict("records"):
            row, cells = row_for(int(rec["id"]))
            cells.value = _row_cells(rec, areas, language)
            if rec["id"] == selected["id"]:
                row.add_class("cpas-trk-selected")
            else:
                row.remove_class("cpas-trk-selected")
            children.append(row)
        rows_box.children = [header] + children if children else []
        current = frame[frame["id"] == selected["id"]]
        if selected["id"] is not None and not current.empty:
            rec = current.iloc[0].to_dict()
            details.value = _details_html(rec, areas, outcomes, language)
            history.value = _history_html(TrackerStore(store).recommendation_history(int(rec["id"])), language)
        return frame

    def reported(callback: Callable[..., None]) -> Callable[..., None]:
        """Run a callback; a refused change or any other error is shown on the page, never swallowed."""
        def run(*args: Any) -> None:
            try:
                callback(*args)
            except ChangeRefused as exc:
                message.value = _message("refused", t("trk_refused", language).format(why=str(exc)))
            except CpasError as exc:
                message.value = _message("error", str(exc))
            except Exception as exc:  # noqa: BLE001 - shown to the user with its traceback, not swallowed
                error = f"{type(exc).__name__}: {exc}"
                message.value = _message("error", t("trk_error", language).format(error=error))
                errors.append_stderr(traceback.format_exc())
        return run

    # callbacks ------------------------------------------------------------------------------------
    @reported
    def on_filter(_change: dict[str, Any]) -> None:
        refresh()

    def clear_messages() -> None:
        message.value = ""
        errors.outputs = ()

    @reported
    def on_refresh(_button: Button) -> None:
        clear_messages()
        refresh()

    @reported
    def on_open(rec_id: int) -> None:
        selected["id"] = rec_id
        clear_messages()
        rec = refresh().set_index("id").loc[rec_id]
        decision_choice.value = rec["decision"]
        progress_choice.value = rec["progress"]
        forms.layout.display = "flex"

    def record(field: str, value: str, name_box: Text, comment_box: Textarea, name_label: str) -> None:
        """Ask the store to change the open recommendation's ``field``; the rules may refuse."""
        if selected["id"] is None:
            message.value = _message("refused", t("trk_select_hint", language))
            return
        actor = name_box.value.strip()
        if not actor:
            message.value = _message("refused", t("trk_name_needed", language).format(field=name_label))
            return
        comment = comment_box.value.strip() or None
        TrackerStore(store).change_recommendation(selected["id"], field, value, actor=actor, comment=comment,
                                    language=language)
        comment_box.value = ""
        message.value = _message("ok", t("trk_saved", language).format(
            what=f"#{selected['id']} {t(field, language)}: {t(value, language)} ({actor})"))
        refresh()

    @reported
    def on_record_decision(_button: Button) -> None:
        record("decision", decision_choice.value, decided_by, reason, t("trk_decided_by", language))

    @reported
    def on_record_progress(_button: Button) -> None:
        record("progress", progress_choice.value, updated_by, progress_comment, t("trk_updated_by", language))

    for widget in (*filters.values(), overdue_filter):
        widget.observe(on_filter, names="value")
    refresh_button.on_click(on_refresh)
    record_decision.on_click(on_record_decision)
    record_progress.on_click(on_record_progress)
    refresh()

    app = VBox([
        title,
        Box([*filters.values(), overdue_filter, refresh_button],
            layout=Layout(display="flex", flex_flow="row wrap", align_items="center")),
        count,
        rows_box,
        HTML("<hr>"),
        details,
        history,
        forms,
        message,
        errors,
    ])
    app.add_class("cpas-trk-app")
    return app
