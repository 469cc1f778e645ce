"""The participant's page of a live workshop: join with the code, your name and section; look at each
outcome's indicators; rate progress and the mission's contribution; propose recommendations.

``ParticipantApp(store, params).widget`` is one ipywidgets layout; ``notebooks/workshop_participant.ipynb``
shows it and Voila serves it, one kernel per browser tab.

Nothing typed is kept only in the page: each *Save* and *Propose* is written to the store at once (one
short transaction) and acknowledged on screen only after the store has it. Each submit carries an id, so
pressing *Save* again after an error cannot store the same rating twice. After joining, the page address
gets the participant's resume token (``&participant=…``) and the page shows it as a personal link: a
refresh, a reopened laptop or a restarted kernel comes back to the same participant with their ratings
and proposals. Joining again with the same name and section does the same.

The page is deliberately light (no Altair, GeoPandas or vl-convert in this kernel): outcome views are
static HTML drawn once per session by :mod:`cpas_kit.workshop.views`. It follows the outcome the
facilitator moves the group to (a cheap one-row read every two seconds) unless the participant unticks
*Follow the facilitator*. Every text from the store is HTML-escaped before it is shown.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from IPython.display import Javascript, display
from ipywidgets import (
    HTML,
    Button,
    Checkbox,
    Dropdown,
    HBox,
    Layout,
    Output,
    SelectMultiple,
    Text,
    Textarea,
    ToggleButtons,
    VBox,
    Widget,
)

from cpas_kit.core.apps import address_language, app_page
from cpas_kit.core.errors import CpasError
from cpas_kit.core.i18n import t
from cpas_kit.store import Store
from cpas_kit.workshop.pages import (
    STYLE,
    PageParameters,
    classed,
    clock,
    error_text,
    esc,
    label,
    message,
    mission_language,
    opened_store,
    page_parameters,
    proposal_state,
    start_polling,
)
from cpas_kit.workshop.store import WorkshopStore
from cpas_kit.workshop.views import outcome_view

POLL_SECONDS = 2.0
PROPOSALS_EVERY = 5  # poll rounds between two reads of the participant's proposals (their state may change)


class ParticipantApp:
    """One participant's page. ``widget`` is what the notebook displays."""

    def __init__(self, store: Store, params: PageParameters):
        self.store, self.params = store, params
        self.lang = params.language or "en"
        self.token: str | None = None
        self.state: dict[str, Any] | None = None
        self.outcome: str | None = None
        self.names: dict[str, str] = {}
        self._pending_submission: str | None = None
        self._seen_index: int | None = None
        self._poll = None
        self._rounds = 0
        self._quiet = False
        self.js = Output(layout=Layout(display="none"))
        self.body = VBox()
        self.widget = classed(VBox([HTML(STYLE), self.js, self.body]), "cpas-ws")
        self._start()

    # -- joining ----------------------------------------------------------------------------------------
    def _start(self) -> None:
        code = self.params.session
        if not code and self.params.mission and self.params.cycle:
            found = WorkshopStore(self.store).workshop_sessions(mission=self.params.mission, cycle=self.params.cycle,
                                                                open_only=True)
            code = found[0]["code"] if found else ""
        if code:
            try:
                self.lang = mission_language(self.store, WorkshopStore(self.store).workshop_session(code)["mission"],
                                             self.params.language)
            except CpasError:
                pass
        if self.params.participant:
            try:
                self._enter(WorkshopStore(self.store).resume_participant(self.params.participant).token,
                            welcome="ws_welcome_back")
                return
            except CpasError as exc:
                self._join_form(code, message("refused", error_text(exc, self.lang)))
                return
        self._join_form(code, "")

    def _join_form(self, code: str, note: str) -> None:
        lang = self.lang
        self.code_box = classed(Text(value=code, description=t("ws_code", lang), continuous_update=False,
                                      style={"description_width": "10em"}), "cpas-ws-code")
        self.name_box = classed(Text(description=t("ws_your_name", lang), style={"description_width": "10em"}),
                                 "cpas-ws-name")
        self.section_box = classed(Dropdown(description=t("ws_your_section", lang), options=[],
                                             style={"description_width": "10em"}), "cpas-ws-section")
        self.join_button = classed(Button(description=t("ws_join", lang), button_style="primary",
                                         layout=Layout(width="auto")), "cpas-ws-join")
        self.join_msg = classed(HTML(note), "cpas-ws-message")
        self.code_box.observe(lambda _: self._load_sections(), names="value")
        self.join_button.on_click(lambda _: self._join())
        self.body.children = [HTML(f"<h2>{esc(t('ws_title', lang))}</h2><h3>{esc(t('ws_join_title', lang))}</h3>"),
                              self.code_box, self.name_box, self.section_box, self.join_button, self.join_msg]
        if code:
            self._load_sections()
        if note:  # e.g. why the participant link no longer works: shown after the session's name
            self.join_msg.value = note

    def _load_sections(self) -> None:
        try:
            s = WorkshopStore(self.store).session_to_join(self.code_box.value)  # wrong codes are rate-limited
        except CpasError as exc:
            self.section_box.options = []
            self.join_msg.value = message("refused", error_text(exc, self.lang)) if self.code_box.value else ""
            return
        self.section_box.options = [(f"{name} ({code})", code) for code, name in s["sections"].items()]
        self.section_box.value = None
        self.join_msg.value = message("info", f"{s['mission']} · {s['cycle']}")

    def _join(self) -> None:
        if self.name_box.value.strip() and not self.section_box.value:
            self.join_msg.value = message("refused", t("ws_choose_section", self.lang))
            return
        try:
            p = WorkshopStore(self.store).join_workshop(self.code_box.value, self.name_box.value,
                                                        self.section_box.value or "")
        except Exception as exc:  # noqa: BLE001 - every failure is shown on the page, nothing is lost
            self.join_msg.value = message("refused", error_text(exc, self.lang))
            return
        self._enter(p.token, welcome="ws_welcome" if p.is_new else "ws_welcome_back")

    def _enter(self, token: str, *, welcome: str) -> None:
        self.token = token
        self.state = WorkshopStore(self.store).participant_state(token)
        s = self.state["session"]
        self.lang = mission_language(self.store, s["mission"], self.params.language)
        fw = self.store.framework(s["mission"], s["cycle"])
        self.names = {o.code: o.label(self.lang) for _, o in fw.outcomes()}
        self.sections = {sec.code: sec.label(self.lang) for sec in fw.sections}
        self._remember_in_address()
        self._main(welcome)
        self._poll = self._poll or start_polling(self.poll, POLL_SECONDS)

    def _remember_in_address(self) -> None:
        """Put session and token in the address bar, so a refresh comes back to this participant."""
        s = self.state["session"]
        script = ("(function(){var u=new URL(window.location.href);"
                  f"u.searchParams.set('session',{json.dumps(s['code'])});"
                  f"u.searchParams.set('participant',{json.dumps(self.token)});"
                  "window.history.replaceState(null,'',u.toString());})();")
        with self.js:
            display(Javascript(script))

    # -- the main page ------------------------------------------------------------------------------------
    def _main(self, welcome: str) -> None:
        lang, s, me = self.lang, self.state["session"], self.state["participant"]
        order = s["outcome_order"]
        head = (f"<h2>{esc(t('ws_title', lang))} — {esc(s['mission'])} · {esc(s['cycle'])}</h2>"
                f"<p>{esc(t(welcome, lang).format(name=me['name'], section=self.sections.get(me['section'], me['section'])))}"  # noqa: E501
                f"<br>{esc(t('ws_link', lang))} <span class='cpas-ws-link'>?session={esc(s['code'])}"
                f"&amp;participant={esc(self.token)}</span></p>")
        self.head = classed(HTML(head), "cpas-ws-head")
        self.closed_note = classed(HTML(""), "cpas-ws-closed")
        self.outcome_box = classed(Dropdown(options=[(self._outcome_label(o, i, s), o) for i, o in enumerate(order)],
                                             layout=Layout(width="60%")), "cpas-ws-outcome")
        self.follow = classed(Checkbox(value=True, description=t("ws_follow", lang), indent=False), "cpas-ws-follow")
        prev_b = classed(Button(description=t("ws_previous", lang)), "cpas-ws-prev")
        next_b = classed(Button(description=t("ws_next", lang)), "cpas-ws-next")
        prev_b.on_click(lambda _: self._step(-1))
        next_b.on_click(lambda _: self._step(+1))
        self.view = classed(HTML(), "cpas-ws-view")
        scales = s["scales"]
        self.progress = classed(ToggleButtons(options=[(label(v, lang), v) for v in scales["progress"]], value=None,
                                               style={"button_width": "auto"}), "cpas-ws-progress")
        self.contribution = classed(ToggleButtons(options=[(label(v, lang), v) for v in scales["contribution"]],
                                                   value=None, style={"button_width": "auto"}), "cpas-ws-contribution")
        self.reason = classed(Textarea(placeholder=t("ws_reason", lang), layout=Layout(width="90%", height="4em")),
                               "cpas-ws-reason")
        self.save = classed(Button(description=t("ws_save", lang), button_style="primary",
                                  layout=Layout(width="auto")), "cpas-ws-save")
        self.save_msg = classed(HTML(), "cpas-ws-save-message")
        for w in (self.progress, self.contribution, self.reason):
            w.observe(self._form_changed, names="value")
        self.save.on_click(lambda _: self._save())
        section_options = [(name, code) for code, name in self.sections.items()]
        self.proposal = classed(Textarea(placeholder=t("ws_proposal_text", lang),
                                          layout=Layout(width="90%", height="4em")), "cpas-ws-proposal")
        self.lead = classed(Dropdown(description=t("ws_lead", lang), options=[(t("ws_choose", lang), "")]
                                      + section_options, style={"description_width": "10em"}), "cpas-ws-lead")
        self.supporting = classed(SelectMultiple(description=t("ws_supporting", lang), options=section_options,
                                                  rows=4, style={"description_width": "10em"}), "cpas-ws-supporting")
        self.propose = classed(Button(description=t("ws_propose", lang), layout=Layout(width="auto")),
                               "cpas-ws-propose")
        self.propose_msg = classed(HTML(), "cpas-ws-propose-message")
        self.mine = classed(HTML(), "cpas-ws-mine")
        self.propose.on_click(lambda _: self._propose())
        rating = VBox([HTML(f"<h3>{esc(t('ws_your_rating', lang))}</h3><b>{esc(t('ws_progress_q', lang))}</b>"),
                       self.progress, HTML(f"<b>{esc(t('ws_contribution_q', lang))}</b>"), self.contribution,
                       self.reason, self.save, self.save_msg])
        proposing = VBox([HTML(f"<h3>{esc(t('ws_propose_title', lang))}</h3>"), self.proposal, self.lead,
                          self.supporting, self.propose, self.propose_msg, self.mine])
        # the outcome's indicators first, the forms beside them on a wide screen (below them on a narrow one)
        self.view.layout = Layout(flex="1 1 34em", min_width="0", margin="0 16px 0 0")
        forms = VBox([classed(rating, "cpas-ws-box"), classed(proposing, "cpas-ws-box")],
                     layout=Layout(flex="1 1 28em", min_width="0"))
        steps = HBox([self.outcome_box, prev_b, next_b, self.follow], layout=Layout(flex_flow="row wrap"))
        self.body.children = [self.head, self.closed_note, steps,
                              classed(HBox([self.view, forms], layout=Layout(flex_flow="row wrap",
                                                                             align_items="flex-start")),
                                      "cpas-ws-outcome-page")]
        self.outcome_box.observe(lambda change: None if self._quiet else self._show(change["new"]), names="value")
        self._seen_index = s["current_index"]
        self.outcome_box.value = s["current_outcome"] or order[0]
        if self.outcome is None:
            self._show(self.outcome_box.value)
        self._closed(s["status"] == "closed")

    def _outcome_label(self, outcome: str, i: int, s: dict[str, Any]) -> str:
        mark = f" — {t('ws_now_discussed', self.lang)}" if i == s["current_index"] else ""
        return f"{i + 1}. {outcome} {self.names.get(outcome, '')}{mark}"

    def _step(self, delta: int) -> None:
        order = self.state["session"]["outcome_order"]
        i = order.index(self.outcome) + delta
        if 0 <= i < len(order):
            self.follow.value = False
            self.outcome_box.value = order[i]

    def _show(self, outcome: str) -> None:
        """Show an outcome: its view, and this participant's rating and proposals for it."""
        self.outcome = outcome
        mine = self.state["ratings"].get(outcome) or {}
        for w, value in ((self.progress, mine.get("progress")), (self.contribution, mine.get("contribution")),
                         (self.reason, mine.get("reason") or "")):
            w.unobserve(self._form_changed, names="value")
            w.value = value
            w.observe(self._form_changed, names="value")
        self._pending_submission = None
        self.save_msg.value = message("ok", self._saved_line(mine)) if mine else ""
        self.propose_msg.value = ""
        self._list_proposals()
        s = self.state["session"]
        try:
            self.view.value = outcome_view(self.store, s["code"], outcome, self.lang)
        except Exception as exc:  # noqa: BLE001 - the rating form works even if a chart cannot be drawn
            self.view.value = message("error", str(exc))

    def _saved_line(self, rating: dict[str, Any]) -> str:
        return t("ws_saved_rating", self.lang).format(progress=label(rating.get("progress"), self.lang),
                                                      contribution=label(rating.get("contribution"), self.lang))

    def _form_changed(self, _: Any) -> None:
        self._pending_submission = None  # a changed form is a new submit

    # -- writing ----------------------------------------------------------------------------------------
    def _save(self) -> None:
        self._pending_submission = self._pending_submission or uuid.uuid4().hex
        try:
            stored = WorkshopStore(self.store).submit_rating(self.token, self.outcome, progress=self.progress.value,
                                              contribution=self.contribution.value,
                                              reason=self.reason.value or None,
                                              submission_id=self._pending_submission)
        except Exception as exc:  # noqa: BLE001 - shown on the page; the form keeps what was typed
            self.save_msg.value = message("refused", t("ws_not_saved", self.lang).format(
                message=error_text(exc, self.lang)))
            return
        self.state["ratings"][self.outcome] = stored
        self.save_msg.value = message("ok", t("ws_saved", self.lang).format(time=clock(self.lang)) + " "
                                      + self._saved_line(stored))

    def _propose(self) -> None:
        try:
            made = WorkshopStore(self.store).propose_recommendation(self.token, self.outcome, self.proposal.value,
                                                     lead_section=self.lead.value or None,
                                                     supporting_sections=list(self.supporting.value) or None)
        except Exception as exc:  # noqa: BLE001 - shown on the page; the text stays in the box
            self.propose_msg.value = message("refused", t("ws_not_saved", self.lang).format(
                message=error_text(exc, self.lang)))
            return
        self.state["proposals"].append(made)
        self.proposal.value, self.lead.value, self.supporting.value = "", "", ()
        self.propose_msg.value = message("ok", t("ws_proposed", self.lang).format(id=made["id"]))
        self._list_proposals()

    def _list_proposals(self) -> None:
        lang = self.lang
        mine = [p for p in self.state["proposals"] if p["outcome_code"] == self.outcome]
        items = []
        for p in mine:
            lead = self.sections.get(p.get("lead_section") or "", p.get("lead_section") or "")
            items.append(f"<li>#{esc(p['id'])} {esc(p['text'])} <i>({esc(lead)}{', ' if lead else ''}"
                         f"{esc(proposal_state(p, lang))})</i></li>")
        body = f"<ul>{''.join(items)}</ul>" if items else f"<p><i>{esc(t('ws_none_yet', lang))}</i></p>"
        self.mine.value = f"<b>{esc(t('ws_your_proposals', lang))}</b>{body}"

    # -- following the facilitator ----------------------------------------------------------------------
    def poll(self) -> None:
        """One round of the live poll: follow the facilitator's outcome, notice a closed session."""
        s = WorkshopStore(self.store).workshop_session(self.state["session"]["code"])
        self.state["session"] = s
        self._closed(s["status"] == "closed")
        self._rounds += 1
        if self._rounds % PROPOSALS_EVERY == 0:  # the facilitator may have sent or merged a proposal
            self.refresh_proposals()
        if s["current_index"] != self._seen_index:
            self._seen_index = s["current_index"]
            current = self.outcome_box.value
            self._quiet = True  # relabelling the options is not the participant choosing an outcome
            try:
                self.outcome_box.options = [(self._outcome_label(o, i, s), o)
                                            for i, o in enumerate(s["outcome_order"])]
                self.outcome_box.value = current if current in s["outcome_order"] else s["outcome_order"][0]
            finally:
                self._quiet = False
            if self.follow.value and s["current_outcome"] and s["current_outcome"] != self.outcome:
                self.outcome_box.value = s["current_outcome"]

    def refresh_proposals(self) -> None:
        """Read this participant's proposals again; redraw them when the facilitator sent or merged one."""
        proposals = WorkshopStore(self.store).participant_state(self.token)["proposals"]
        if proposals != self.state["proposals"]:
            self.state["proposals"] = proposals
            self._list_proposals()

    def _closed(self, closed: bool) -> None:
        for w in (self.save, self.propose):
            w.disabled = closed
        self.closed_note.value = message("info", t("ws_session_closed", self.lang)) if closed else ""


def participant_app(store: Store, params: PageParameters) -> VBox:
    """The participant page as one widget (see :class:`ParticipantApp`)."""
    return ParticipantApp(store, params).widget



def participant_page(*, query: str | None = None, **values: Any) -> Widget:
    """The notebook's page: the parameters validated and the app opened, or the one sentence saying why not.

    The store was upgraded when the session was started or served: this kernel need not load Alembic.
    """
    def build() -> ParticipantApp:
        params = page_parameters(query=query, **values)
        return ParticipantApp(opened_store(params, upgrade=False), params)

    return app_page(build, language=address_language(query, values.get("language") or "en"))
