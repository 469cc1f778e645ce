"""The facilitator's page of a live workshop: open a session with its key (or start one), move the group from
outcome to outcome, watch who has joined and rated, see the live distribution and spread of ratings and
where the group disagrees, record the agreed rating and the analysis, merge duplicate recommendation
proposals and send the agreed ones to the tracker as *Awaiting Review*.

``FacilitatorApp(store, params).widget`` is one ipywidgets layout; ``notebooks/workshop_facilitator.ipynb``
shows it under Voila. The page polls :meth:`cpas_kit.store.Store.workshop_status` every second on the
kernel's event loop and redraws the live panels only when something changed, so a participant's submit
shows within about a second without reloading. The forms the facilitator is typing in (agreed result,
ticked proposals) are never overwritten by a poll. Every action needs the session's facilitator key,
checked by the store; every text from participants is HTML-escaped before it is shown.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ipywidgets import HTML, Button, Checkbox, Dropdown, HBox, Layout, Password, Text, Textarea, VBox, Widget

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

POLL_SECONDS = 1.0


def _auto() -> Layout:
    """A button as wide as its label (the default fixed width cuts long labels off)."""
    return Layout(width="auto")


def distribution_html(entry: dict[str, Any], scales: dict[str, list[str]], language: str) -> str:
    """One outcome's live counts per scale value as bars, with its spread (escaped HTML, no JavaScript)."""
    parts = []
    for scale in ("progress", "contribution"):
        data = entry[scale]
        n = data["n_ratings"]
        parts.append(f"<h4>{esc(t(scale + '_scale', language).capitalize())} (n = {n})</h4>")
        for value in scales[scale]:
            count = data["counts"].get(value, 0)
            width = 0 if n == 0 else round(100 * count / n)
            modal = " cpas-ws-bar-modal" if value == data["modal_value"] else ""
            parts.append(f'<div class="cpas-ws-bar{modal}"><span>{esc(label(value, language))}</span>'
                         f'<div><div class="cpas-ws-bar-fill" style="width:{width}%"></div></div>'
                         f"<span>{count}</span></div>")
        if n == 0:
            parts.append(f"<p><i>{esc(t('ws_no_ratings', language))}</i></p>")
        elif data["contested"]:
            parts.append(f'<p class="cpas-ws-contested">{esc(t("ws_contested", language))}</p>')
        else:
            share = f"{round(100 * data['modal_share'])} %"
            parts.append(f"<p>{esc(t('ws_agreement', language))}: "
                         f"{esc(t('ws_consensus', language).format(share=share, value=label(data['modal_value'], language)))}</p>")  # noqa: E501
    return "".join(parts)


class FacilitatorApp:
    """The facilitator's page. ``widget`` is what the notebook displays."""

    def __init__(self, store: Store, params: PageParameters):
        self.store, self.params = store, params
        self.lang = params.language or "en"
        self.code: str | None = None
        self.key: str | None = None
        self.status: dict[str, Any] | None = None
        self.outcome: str | None = None
        self._digest = ""
        self._ticked: set[int] = set()
        self._quiet = False
        self._close_confirmed = False
        self._poll = None
        self.body = VBox()
        self.widget = classed(VBox([HTML(STYLE), self.body]), "cpas-ws")
        if params.session:
            try:
                self.lang = mission_language(store, WorkshopStore(store).workshop_session(params.session)["mission"],
                                             params.language)
            except CpasError:
                pass
        self._gate()

    # -- opening or starting a session -----------------------------------------------------------------
    def _gate(self) -> None:
        lang = self.lang
        wide = {"description_width": "12em"}
        self.code_box = classed(Text(value=self.params.session, description=t("ws_code", lang), style=wide),
                                 "cpas-ws-fac-code")
        self.key_box = classed(Password(description=t("ws_key_label", lang), style=wide), "cpas-ws-fac-key")
        # never pre-filled with the server's login name: the page may be reached by anyone in the room
        self.by_box = classed(Text(value="", description=t("ws_your_name_fac", lang), style=wide), "cpas-ws-fac-by")
        self.pass_box = classed(Password(description=t("ws_passphrase_label", lang), style=wide),
                                 "cpas-ws-fac-passphrase")
        open_b = classed(Button(description=t("ws_open", lang), button_style="primary"), "cpas-ws-fac-open")
        self.gate_msg = classed(HTML(), "cpas-ws-fac-message")
        missions = self.store.mission_codes()
        self.mission_box = classed(Dropdown(description=t("mission", lang), options=missions, style=wide,
                                             value=self.params.mission if self.params.mission in missions else
                                             (missions[0] if missions else None)), "cpas-ws-fac-mission")
        self.cycle_box = classed(Text(value=self.params.cycle, description=t("cycle", lang), placeholder="2023/24-Q4",
                                       style=wide), "cpas-ws-fac-cycle")
        start_b = classed(Button(description=t("ws_start", lang)), "cpas-ws-fac-start")
        open_b.on_click(lambda _: self._open(self.code_box.value, self.key_box.value))
        start_b.on_click(lambda _: self._start_session())
        self.body.children = [
            HTML(f"<h2>{esc(t('ws_fac_title', lang))}</h2>"), self.by_box, self.code_box, self.key_box, open_b,
            HTML(f"<p><i>{esc(t('ws_or_start', lang))}</i></p>"), self.pass_box, self.mission_box, self.cycle_box,
            start_b,
            self.gate_msg]

    def _start_session(self) -> None:
        try:  # only a facilitator authorised on this server (`cpas workshop authorise NAME`) starts sessions
            who = WorkshopStore(self.store).check_facilitator(self.by_box.value, self.pass_box.value)
            self.pass_box.value = ""
            started = WorkshopStore(self.store).start_workshop(self.mission_box.value or "", self.cycle_box.value,
                                                               actor=who)
        except Exception as exc:  # noqa: BLE001 - shown on the page
            self.gate_msg.value = message("refused", error_text(exc, self.lang))
            return
        note = t("ws_started", self.lang).format(code=started.code, key=started.facilitator_key)
        self._open(started.code, started.facilitator_key, note=note)

    def _open(self, code: str, key: str, note: str = "") -> None:
        try:
            s = WorkshopStore(self.store).check_facilitator_key(code, key)
        except Exception as exc:  # noqa: BLE001 - shown on the page
            self.gate_msg.value = message("refused", error_text(exc, self.lang))
            return
        self.code, self.key = s["code"], key
        self.lang = mission_language(self.store, s["mission"], self.params.language)
        fw = self.store.framework(s["mission"], s["cycle"])
        self.names = {o.code: o.label(self.lang) for _, o in fw.outcomes()}
        self.sections = {sec.code: sec.label(self.lang) for sec in fw.sections}
        self._main(s, note)
        self.refresh(force=True)
        self._poll = self._poll or start_polling(self.refresh, POLL_SECONDS)

    # -- the main page ----------------------------------------------------------------------------------
    def _main(self, s: dict[str, Any], note: str) -> None:
        lang = self.lang
        self.head = classed(HTML(), "cpas-ws-fac-head")
        self.note = classed(HTML(message("info", note) if note else ""), "cpas-ws-fac-note")
        self.outcome_box = classed(Dropdown(layout=Layout(width="55%")), "cpas-ws-fac-outcome")
        self.go = classed(Button(description=t("ws_go", lang), button_style="primary", layout=_auto()),
                          "cpas-ws-fac-go")
        prev_b = classed(Button(description=t("ws_previous", lang), layout=_auto()), "cpas-ws-fac-prev")
        next_b = classed(Button(description=t("ws_next", lang), layout=_auto()), "cpas-ws-fac-next")
        self.go.on_click(lambda _: self._move(self.outcome_box.value))
        prev_b.on_click(lambda _: self._move(self._neighbour(-1)))
        next_b.on_click(lambda _: self._move(self._neighbour(+1)))
        self.people = classed(HTML(), "cpas-ws-fac-people")
        self.dist = classed(HTML(), "cpas-ws-fac-distribution")
        self.reasons = classed(HTML(), "cpas-ws-fac-reasons")
        scales = s["scales"]
        self.agreed_progress = classed(Dropdown(description=t("ws_agreed_progress", lang),
                                                style={"description_width": "12em"},
                                                options=[("—", None)] + [(label(v, lang), v)
                                                                         for v in scales["progress"]]),
                                        "cpas-ws-fac-agreed-progress")
        self.agreed_contribution = classed(Dropdown(
            description=t("ws_agreed_contribution", lang), style={"description_width": "12em"},
            options=[("—", None)] + [(label(v, lang), v) for v in scales["contribution"]]),
                                           "cpas-ws-fac-agreed-contribution")
        self.analysis = classed(Textarea(placeholder=t("ws_analysis", lang), layout=Layout(width="95%", height="8em")),
                                 "cpas-ws-fac-analysis")
        record = classed(Button(description=t("ws_record", lang), button_style="success", layout=_auto()),
                         "cpas-ws-fac-record")
        self.agreed_msg = classed(HTML(), "cpas-ws-fac-agreed-message")
        record.on_click(lambda _: self._record())
        self.proposal_list = classed(VBox(), "cpas-ws-fac-proposals")
        self.merge_into = classed(Dropdown(description=t("ws_merge_into", lang), style={"description_width": "18em"},
                                            layout=Layout(width="32em")), "cpas-ws-fac-merge-into")
        merge_b = classed(Button(description=t("ws_merge", lang), layout=_auto()), "cpas-ws-fac-merge")
        send_b = classed(Button(description=t("ws_send", lang), layout=Layout(width="auto")), "cpas-ws-fac-send")
        self.proposal_msg = classed(HTML(), "cpas-ws-fac-proposal-message")
        merge_b.on_click(lambda _: self._merge())
        send_b.on_click(lambda _: self._send())
        close_b = classed(Button(description=t("ws_close", lang), button_style="danger", layout=_auto()),
                          "cpas-ws-fac-close")
        close_b.on_click(lambda _: self._close())
        self.live = classed(HTML(), "cpas-ws-fac-live")
        agreed_box = VBox([HTML(f"<h3>{esc(t('ws_agreed_title', lang))}</h3>"), self.agreed_progress,
                           self.agreed_contribution, self.analysis, record, self.agreed_msg])
        proposals_box = VBox([HTML(f"<h3>{esc(t('ws_proposals', lang))}</h3>"), self.proposal_list,
                              HBox([self.merge_into, merge_b], layout=Layout(flex_flow="row wrap")), send_b,
                              self.proposal_msg])
        self.body.children = [
            self.head, self.note, self.live,
            HBox([self.outcome_box, self.go, prev_b, next_b], layout=Layout(flex_flow="row wrap")),
            HBox([classed(VBox([HTML(f"<h3>{esc(t('ws_distribution', lang))}</h3>"), self.dist, self.reasons]),
                           "cpas-ws-box"),
                  classed(VBox([HTML(f"<h3>{esc(t('ws_participants', lang))}</h3>"), self.people]), "cpas-ws-box")]),
            classed(agreed_box, "cpas-ws-box"), classed(proposals_box, "cpas-ws-box"), close_b]
        self.outcome_box.observe(lambda change: self._select(change["new"]), names="value")

    def _outcome_options(self, s: dict[str, Any]) -> list[tuple[str, str]]:
        mark = f" — {t('ws_now_discussed', self.lang)}"
        return [(f"{i + 1}. {o} {self.names.get(o, '')}{mark if i == s['current_index'] else ''}", o)
                for i, o in enumerate(s["outcome_order"])]

    def _neighbour(self, delta: int) -> str | None:
        order = self.status["session"]["outcome_order"]
        i = order.index(self.outcome) + delta
        return order[i] if 0 <= i < len(order) else None

    def _select(self, outcome: str | None) -> None:
        """Look at ``outcome`` here (the group moves only with *Move the group here*)."""
        if self._quiet or outcome is None or outcome == self.outcome:
            return
        self.outcome = outcome
        self._ticked.clear()
        self._fill_agreed()
        self.agreed_msg.value = self.proposal_msg.value = ""
        self._draw()

    # -- live panels --------------------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Read the session's status; redraw the live panels if anything changed (one poll round)."""
        status = WorkshopStore(self.store).workshop_status(self.code)
        digest = hashlib.sha256(json.dumps(status, sort_keys=True, default=str).encode()).hexdigest()
        self.live.value = f"<small>{esc(t('ws_live', self.lang).format(time=clock(self.lang)))}</small>"
        if digest == self._digest and not force:
            return
        self._digest, self.status = digest, status
        s = status["session"]
        options = self._outcome_options(s)
        if tuple(options) != tuple(self.outcome_box.options):  # the order or the "now discussed" mark moved
            keep = self.outcome or s["current_outcome"]
            self._quiet = True  # relabelling the options is not the facilitator choosing an outcome
            try:
                self.outcome_box.options = options
                self.outcome_box.value = keep if keep in s["outcome_order"] else s["outcome_order"][0]
            finally:
                self._quiet = False
        if self.outcome is None or self.outcome not in s["outcome_order"]:
            self.outcome = self.outcome_box.value
            self._fill_agreed()
        closed = " · " + t("ws_closed_msg", self.lang) if s["status"] == "closed" else ""
        self.head.value = (f"<h2>{esc(t('ws_fac_title', self.lang))} — {esc(s['mission'])} · {esc(s['cycle'])} · "
                           f"{esc(t('ws_code', self.lang))} <b>{esc(s['code'])}</b>{esc(closed)}</h2>")
        self._draw()

    def _entry(self) -> dict[str, Any]:
        return next(e for e in self.status["outcomes"] if e["outcome_code"] == self.outcome)

    def _draw(self) -> None:
        lang, s, entry = self.lang, self.status["session"], self._entry()
        self.dist.value = distribution_html(entry, s["scales"], lang)
        reasons = [r for r in entry["ratings"] if r.get("reason")]
        self.reasons.value = (f"<b>{esc(t('ws_reasons', lang))}</b><ul>"
                              + "".join(f"<li>{esc(r['reason'])} <i>— {esc(r['name'])} "
                                        f"({esc(label(r.get('progress'), lang))} / "
                                        f"{esc(label(r.get('contribution'), lang))})</i></li>" for r in reasons)
                              + "</ul>") if reasons else ""
        rated = {r["participant_id"] for r in entry["ratings"] if r.get("progress") or r.get("contribution")}
        people = self.status["participants"]
        rows = "".join(f"<tr><td>{esc(p['name'])}</td><td>{esc(self.sections.get(p['section'], p['section']))}</td>"
                       f"<td>{esc(t('ws_rated', lang) if p['participant_id'] in rated else t('ws_waiting', lang))}"
                       f"</td></tr>" for p in people)
        self.people.value = (f"<p>{esc(t('ws_joined_rated', lang).format(n=len(people), rated=len(rated)))}</p>"
                             f'<table class="cpas-ws-table">{rows}</table>')
        self._draw_proposals()

    def _draw_proposals(self) -> None:
        lang = self.lang
        mine = [p for p in self.status["proposals"] if p["outcome_code"] == self.outcome]
        rows, pending = [], []
        for p in mine:
            state = ("ws_sent" if p.get("recommendation_id") is not None else
                     "ws_merged" if p.get("merged_into_id") is not None else "ws_pending")
            lead = self.sections.get(p.get("lead_section") or "", p.get("lead_section") or "—")
            text = (f"<b>#{esc(p['id'])}</b> {esc(p['text'])} <i>({esc(lead)}; "
                    f"{esc(t('ws_by_line', lang).format(name=p['name'], section=p['section']))}; "
                    f"{esc(proposal_state(p, lang))})</i>")
            box = classed(Checkbox(value=p["id"] in self._ticked, indent=False, layout=Layout(width="2em"),
                                    disabled=state != "ws_pending"), "cpas-ws-fac-tick")
            box.observe(lambda change, pid=p["id"]: self._tick(pid, change["new"]), names="value")
            rows.append(HBox([box, HTML(text)]))
            if state == "ws_pending":
                pending.append((f"#{p['id']} {p['text'][:60]}", p["id"]))
        self.proposal_list.children = rows or [HTML(f"<i>{esc(t('ws_none_yet', lang))}</i>")]
        keep = self.merge_into.value
        self.merge_into.options = pending
        self.merge_into.value = keep if keep in [v for _, v in pending] else None

    def _tick(self, pid: int, on: bool) -> None:
        (self._ticked.add if on else self._ticked.discard)(pid)

    def _fill_agreed(self) -> None:
        """Put the outcome's agreed result (if any) in the form; only when the facilitator changes outcome."""
        entry = self._entry() if self.status else {"agreed": None}
        agreed = entry.get("agreed") or {}
        self.agreed_progress.value = agreed.get("progress")
        self.agreed_contribution.value = agreed.get("contribution")
        self.analysis.value = agreed.get("analysis") or ""

    # -- facilitator actions --------------------------------------------------------------------------------
    def _act(self, where: HTML, action: Any) -> Any:
        try:
            return action()
        except Exception as exc:  # noqa: BLE001 - every refusal is shown where the facilitator acted
            where.value = message("refused", error_text(exc, self.lang))
            return None

    @property
    def actor(self) -> str:
        return self.by_box.value.strip() or f"facilitator of {self.code}"

    def _move(self, outcome: str | None) -> None:
        if outcome is None:
            return
        done = self._act(self.agreed_msg, lambda: WorkshopStore(self.store).set_workshop_outcome(self.code, self.key,
                                                                                                 outcome,
                                                                                  actor=self.actor))
        if done is not None:
            self.refresh(force=True)
            self.outcome_box.value = outcome

    def _record(self) -> None:
        done = self._act(self.agreed_msg, lambda: WorkshopStore(self.store).record_agreed(
            self.code, self.key, self.outcome, progress=self.agreed_progress.value,
            contribution=self.agreed_contribution.value, analysis=self.analysis.value or None, actor=self.actor))
        if done is not None:
            self.agreed_msg.value = message("ok", t("ws_recorded", self.lang).format(time=clock(self.lang)))
            self.refresh()

    def _merge(self) -> None:
        into = self.merge_into.value
        ids = sorted(self._ticked - {into})
        if into is None or not ids:
            why = (t("ws_merge_pick_target", self.lang) if into is None
                   else t("ws_merge_tick_duplicates", self.lang).format(id=into))
            self.proposal_msg.value = message("refused", why)
            return
        done = self._act(self.proposal_msg, lambda: WorkshopStore(self.store).merge_proposals(self.code, self.key, ids,
                                                                                              into,
                                                                                actor=self.actor))
        if done is not None:
            self._ticked.clear()
            self.proposal_msg.value = message("ok", t("ws_merged_msg", self.lang).format(
                ids=", ".join(f"#{i}" for i in ids), into=f"#{into}"))
            self.refresh()

    def _send(self) -> None:
        ids = sorted(self._ticked)
        if not ids:
            self.proposal_msg.value = message("refused", t("ws_tick_some", self.lang))
            return
        done = self._act(self.proposal_msg, lambda: WorkshopStore(self.store).send_proposals(self.code, self.key, ids,
                                                                               actor=self.actor))
        if done is not None:
            self._ticked.clear()
            self.proposal_msg.value = message("ok", t("ws_sent_msg", self.lang).format(
                ids=", ".join(f"#{i}" for i in done["sent"])))
            self.refresh()

    def _close(self) -> None:
        """Close the session; when outcomes have no agreed result the first click asks to confirm."""
        unrated = [o["outcome_code"] for o in self.status["outcomes"] if not o.get("agreed")]
        if unrated and not self._close_confirmed:
            self._close_confirmed = True
            self.agreed_msg.value = message("refused", t("ws_close_confirm", self.lang).format(
                n=len(unrated), outcomes=", ".join(unrated)))
            return
        self._close_confirmed = False
        if self._act(self.agreed_msg, lambda: WorkshopStore(self.store).close_workshop(self.code, self.key,
                                                                                       actor=self.actor)):
            self.note.value = message("info", t("ws_closed_msg", self.lang))
            self.refresh()


def facilitator_app(store: Store, params: PageParameters) -> VBox:
    """The facilitator page as one widget (see :class:`FacilitatorApp`)."""
    return FacilitatorApp(store, params).widget


def facilitator_page(*, query: str | None = None, **values: Any) -> Widget:
    """The notebook's page: the parameters validated and the app opened, or the one sentence saying why not."""
    def build() -> FacilitatorApp:
        params = page_parameters(query=query, **values)
        return FacilitatorApp(opened_store(params), params)

    return app_page(build, language=address_language(query, values.get("language") or "en"))
