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
from datetime import UTC, date, datetime
from typing import Any, Literal

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

from cpas_kit.core.apps import address_language, app_page, app_parameters, classed, message_html, show_errors
from cpas_kit.core.apps import url_parameters as _url_parameters
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
  grid-template-columns: minmax(9em, 1.5fr) minmax(0, 4fr) minmax(9em, 1.3fr) minmax(8em, 1.1fr)
  minmax(10em, 1.2fr) minmax(10em, 1fr)}
.cpas-trk-head {font-weight: bold}
.cpas-trk-head span {overflow-wrap: normal; word-break: normal; hyphens: manual}
.cpas-trk-row-cells span {overflow-wrap: anywhere}
.cpas-trk-area {font-size: 0.92em}
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
    language: Literal["", "en", "fr"] = ""  # empty: the mission's own language
    db_url: str = ""


def make_tracker_parameters(source: str = "parameters", **values: Any) -> TrackerParameters:
    """Validate tracker parameters; one error naming every bad key."""
    try:
        return TrackerParameters(**values)
    except ValidationError as exc:
        raise ParametersError(f"{source}: " + "; ".join(pydantic_problems(exc))) from None


def url_parameters(query: str | None = None) -> dict[str, str]:
    """``mission`` and ``language`` from a page's query string (default: this page's, set by Voila)."""
    return _url_parameters(query, URL_PARAMETERS)


def tracker_parameters(*, query: str | None = None, **values: Any) -> TrackerParameters:
    """The notebook's parameters, validated; under Voila the page address's mission and language win."""
    return app_parameters(TrackerParameters, URL_PARAMETERS, query=query, **values)


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
    return message_html(kind, text, prefix="cpas-trk")


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
    name = areas.get(area, area)
    target = _esc(rec.get("target_date"))
    if rec.get("overdue"):
        target += f'<br><span class="cpas-trk-overdue">{html.escape(t("overdue", language))}</span>'
    return (
        '<div class="cpas-trk-row-cells">'
        f'<span class="cpas-trk-area" title="{html.escape(name, quote=True)}">{html.escape(_shorten(name, 70))}</span>'
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
class TrackerApp:
    """The whole tracker app for ``mission`` in ``language`` (default: the mission's own); ``today`` fixes the
    day overdue is judged on.

    ``widget`` is what the notebook displays. Controls are built by ``_controls`` and ``_forms``, the
    callbacks are the ``_on_*`` methods, and :meth:`refresh` reads the store and redraws.
    """

    def __init__(self, store: Store, mission: str, language: str = "", today: date | None = None):
        fw = store.framework(mission)
        language = language or fw.mission.default_language
        t("tracker", language)  # an unsupported language fails here, with the list of supported ones
        self.store, self.mission, self.lang, self.today = store, mission, language, today
        self.fw = fw
        self.areas, self.outcomes = _impact_areas(fw, language), _outcomes(fw, language)
        self.selected: int | None = None
        self._rows: dict[int, tuple[HBox, HTML]] = {}
        first = tracker_frame(store, mission, on=today)
        self._controls(first)
        self._forms()
        self.message = classed(HTML(), "cpas-trk-message")
        self.errors = classed(Output(), "cpas-trk-errors")
        self._guard = show_errors(self.message, self.errors, describe=self._describe, prefix="cpas-trk",
                                  unexpected=lambda e: t("trk_error", language).format(error=e))
        self._wire()
        self.refresh()
        heading = f"{t('tracker', language)} — {fw.mission.label(language)}"
        self.widget = classed(VBox([
            HTML(f"{_STYLE}<h2>{html.escape(heading)}</h2>"),
            Box([*self.filters.values(), self.overdue_filter, self.refresh_button],
                layout=Layout(display="flex", flex_flow="row wrap", align_items="center")),
            self.count, self.rows_box, HTML("<hr>"), self.details, self.history, self.forms_box,
            self.message, self.errors,
        ]), "cpas-trk-app")

    # -- building ------------------------------------------------------------------------------------
    def _controls(self, first: pd.DataFrame) -> None:
        """The filters, the count, the list and the details of the open recommendation."""
        lang = self.lang
        everything = (f"({t('trk_all', lang)})", ALL)
        leads = sorted({_text(v) for v in first["lead_section"]} - {""})
        cycles = sorted({_text(v) for v in first["cycle_recommended"]} - {""})
        self.filters = {
            "priority_code": Dropdown(options=[everything] + [(label, code) for code, label in self.areas.items()],
                                      value=ALL, description=t("impact_area", lang)),
            "lead_section": Dropdown(options=_filter_options(leads, lang), value=ALL,
                                     description=t("lead_section", lang)),
            "decision": Dropdown(options=[everything] + [(t(d, lang), d) for d in DECISIONS], value=ALL,
                                 description=t("decision", lang)),
            "progress": Dropdown(options=[everything] + [(t(p, lang), p) for p in PROGRESS], value=ALL,
                                 description=t("progress", lang)),
            "cycle_recommended": Dropdown(options=_filter_options(cycles, lang), value=ALL,
                                          description=t("date_recommended", lang)),
        }
        for name, widget in self.filters.items():
            widget.style.description_width = "15em"
            widget.layout = Layout(width="38em")
            widget.add_class(f"cpas-trk-filter-{name}")
        self.overdue_filter = classed(Checkbox(value=False, description=t("trk_overdue_only", lang), indent=False),
                                      "cpas-trk-filter-overdue")
        self.refresh_button = classed(Button(description=t("trk_refresh", lang), icon="refresh"), "cpas-trk-refresh")
        self.count = classed(HTML(), "cpas-trk-count")
        self.rows_box = classed(VBox(), "cpas-trk-list")
        self.header = classed(HBox([Box(layout=Layout(width=_OPEN_WIDTH, min_width=_OPEN_WIDTH)),
                                    HTML(_list_header(lang), layout=Layout(width="100%"))]), "cpas-trk-head-row")
        self.details = classed(HTML(f"<p>{html.escape(t('trk_select_hint', lang))}</p>"), "cpas-trk-details")
        self.history = classed(HTML(), "cpas-trk-history")

    def _forms(self) -> None:
        """Leadership's decision form and the lead section's progress form (shown once a row is open)."""
        lang = self.lang
        self.decision_choice = Dropdown(options=[(t(d, lang), d) for d in DECISIONS], value="Awaiting Review")
        self.decided_by = Text(placeholder=t("trk_your_name", lang))
        self.reason = Textarea(placeholder=t("trk_reason", lang), layout=Layout(width="100%"))
        self.record_decision = Button(description=t("trk_record_decision", lang), button_style="primary",
                                      layout=Layout(width="auto"))
        self.progress_choice = Dropdown(options=[(t(p, lang), p) for p in PROGRESS], value="Not Assigned")
        self.updated_by = Text(placeholder=t("trk_your_name", lang))
        self.progress_comment = Textarea(placeholder=t("trk_comment", lang), layout=Layout(width="100%"))
        self.record_progress = Button(description=t("trk_record_progress", lang), button_style="primary",
                                      layout=Layout(width="auto"))
        for widget, name in [(self.decision_choice, "decision-choice"), (self.decided_by, "decided-by"),
                             (self.reason, "decision-reason"), (self.record_decision, "record-decision"),
                             (self.progress_choice, "progress-choice"), (self.updated_by, "progress-by"),
                             (self.progress_comment, "progress-comment"), (self.record_progress, "record-progress")]:
            widget.add_class(f"cpas-trk-{name}")
        decision_form = VBox([HTML(f"<h4>{html.escape(t('trk_leadership', lang))}</h4>"),
                              _labelled(self.decision_choice, t("decision", lang)),
                              _labelled(self.decided_by, t("trk_decided_by", lang)),
                              _labelled(self.reason, t("trk_reason", lang)), self.record_decision],
                             layout=Layout(width="50%", padding="0 12px 0 0"))
        progress_form = VBox([HTML(f"<h4>{html.escape(t('trk_section_update', lang))}</h4>"),
                              _labelled(self.progress_choice, t("progress", lang)),
                              _labelled(self.updated_by, t("trk_updated_by", lang)),
                              _labelled(self.progress_comment, t("trk_comment", lang)), self.record_progress],
                             layout=Layout(width="50%"))
        self.forms_box = HBox([decision_form, progress_form], layout=Layout(display="none"))

    def _wire(self) -> None:
        on_filter = self._guard(lambda _change: self.refresh())
        for widget in (*self.filters.values(), self.overdue_filter):
            widget.observe(on_filter, names="value")
        self.refresh_button.on_click(self._guard(self._on_refresh))
        self.record_decision.on_click(self._guard(self._on_record_decision))
        self.record_progress.on_click(self._guard(self._on_record_progress))

    def _describe(self, exc: Exception) -> str | None:
        """The sentence shown for an expected refusal (None: unexpected)."""
        if isinstance(exc, ChangeRefused):
            return t("trk_refused", self.lang).format(why=str(exc))
        if isinstance(exc, CpasError):
            return str(exc)
        return None

    # -- reading the store and showing it -----------------------------------------------------------
    def _row_for(self, rec_id: int) -> tuple[HBox, HTML]:
        """The (kept) row widgets of one recommendation."""
        if rec_id not in self._rows:
            open_button = classed(Button(description=f"#{rec_id}", tooltip=t("trk_open", self.lang),
                                         layout=Layout(width=_OPEN_WIDTH, min_width=_OPEN_WIDTH)), "cpas-trk-open")
            open_button.on_click(self._guard(lambda _button, rec_id=rec_id: self.open(rec_id)))
            cells = HTML(layout=Layout(width="100%"))
            row = classed(classed(HBox([open_button, cells]), "cpas-trk-row"), f"cpas-trk-row-{rec_id}")
            self._rows[rec_id] = (row, cells)
        return self._rows[rec_id]

    def refresh(self) -> pd.DataFrame:
        """Read the store; show the filtered list and the open recommendation; return the whole tracker."""
        lang = self.lang
        frame = tracker_frame(self.store, self.mission, on=self.today)
        chosen: dict[str, Any] = {name: widget.value for name, widget in self.filters.items()}
        chosen["overdue_only"] = self.overdue_filter.value
        shown = _apply_filters(frame, chosen)
        self.count.value = html.escape(t("trk_shown", lang).format(shown=len(shown), total=len(frame)))
        if shown.empty:
            self.count.value += f"<br><i>{html.escape(t('trk_no_match', lang))}</i>"
        children = []
        for rec in shown.to_dict("records"):
            row, cells = self._row_for(int(rec["id"]))
            cells.value = _row_cells(rec, self.areas, lang)
            if rec["id"] == self.selected:
                row.add_class("cpas-trk-selected")
            else:
                row.remove_class("cpas-trk-selected")
            children.append(row)
        self.rows_box.children = [self.header] + children if children else []
        current = frame[frame["id"] == self.selected]
        if self.selected is not None and not current.empty:
            rec = current.iloc[0].to_dict()
            self.details.value = _details_html(rec, self.areas, self.outcomes, lang)
            self.history.value = _history_html(TrackerStore(self.store).recommendation_history(int(rec["id"])), lang)
        return frame

    # -- callbacks ----------------------------------------------------------------------------------
    def _clear_messages(self) -> None:
        self.message.value = ""
        self.errors.outputs = ()

    def _on_refresh(self, _button: Button) -> None:
        self._clear_messages()
        self.refresh()

    def open(self, rec_id: int) -> None:
        """Open one recommendation: its details, history and forms."""
        self.selected = rec_id
        self._clear_messages()
        rec = self.refresh().set_index("id").loc[rec_id]
        self.decision_choice.value = rec["decision"]
        self.progress_choice.value = rec["progress"]
        self.forms_box.layout.display = "flex"

    def _record(self, field: str, value: str, name_box: Text, comment_box: Textarea, name_label: str) -> None:
        """Ask the store to change the open recommendation's ``field``; the rules may refuse."""
        lang = self.lang
        if self.selected is None:
            self.message.value = _message("refused", t("trk_select_hint", lang))
            return
        actor = name_box.value.strip()
        if not actor:
            self.message.value = _message("refused", t("trk_name_needed", lang).format(field=name_label))
            return
        comment = comment_box.value.strip() or None
        TrackerStore(self.store).change_recommendation(self.selected, field, value, actor=actor, comment=comment,
                                                       language=lang)
        comment_box.value = ""
        self.message.value = _message("ok", t("trk_saved", lang).format(
            what=f"#{self.selected} {t(field, lang)}: {t(value, lang)} ({actor})"))
        self.refresh()

    def _on_record_decision(self, _button: Button) -> None:
        self._record("decision", self.decision_choice.value, self.decided_by, self.reason,
                     t("trk_decided_by", self.lang))

    def _on_record_progress(self, _button: Button) -> None:
        self._record("progress", self.progress_choice.value, self.updated_by, self.progress_comment,
                     t("trk_updated_by", self.lang))


def tracker_app(store: Store, mission: str, language: str = "", today: date | None = None) -> Widget:
    """The tracker app's widget (see :class:`TrackerApp`)."""
    return TrackerApp(store, mission, language, today).widget


def tracker_page(*, query: str | None = None, **values: Any) -> Widget:
    """The notebook's page: the parameters validated and the app opened, or the one sentence saying why not."""
    def build() -> TrackerApp:
        params = tracker_parameters(query=query, **values)
        return TrackerApp(Store(params.db_url or None), params.mission, language=params.language)

    return app_page(build, language=address_language(query, values.get("language") or "en"))
