"""The context-mapping app: a mission's stakeholder register per cycle, its views, and small framework edits.

``context_app(Store(), "UN-DEMO", cycle="2023/24-Q4", language="fr")`` returns one ipywidgets layout; the
notebook ``notebooks/context_mapping.ipynb`` only validates its parameters and shows it, and Voila serves it.
A planning officer picks a cycle, adds or edits a stakeholder (a new actor, a stance or influence moved, a
removal needs a note saying why) and sees the register, the influence × stance matrix, the stakeholders
per outcome and per area, and the changes since an earlier cycle. Editing a cycle without a map starts
one from the previous cycle's. The Framework tab adds an indicator or changes a target, checked exactly
like a framework workbook and saved as a new framework version from a named cycle.

The app reads the store again after every change, so several people see each other's edits on refresh.
Every label comes from :func:`cpas_kit.core.i18n.t`; every stored text is HTML-escaped before it is shown (the
views are autoescaping templates). Under Voila the page address may set the mission, the cycle and the
language (``…/context_mapping.ipynb?mission=UN-DEMO&cycle=2023/24-Q4&language=fr``), never the store.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any, Literal

from ipywidgets import HTML, Button, Dropdown, HBox, Layout, Output, SelectMultiple, Tab, Text, Textarea, VBox, Widget
from pydantic import BaseModel, ConfigDict, Field

from cpas_kit.analysis.charts import inline_svg
from cpas_kit.core.apps import address_language, app_page, app_parameters, classed, labelled
from cpas_kit.core.errors import NotFoundError, ParametersError, PeriodError
from cpas_kit.core.i18n import t
from cpas_kit.core.periods import Period
from cpas_kit.framework.geography import admin1_areas
from cpas_kit.stakeholders.framework_tab import SOURCE, WIDE, FrameworkTab, ctx_guard, ctx_message, who
from cpas_kit.stakeholders.register import (
    ACTIVE,
    TEXT_FIELDS,
    entries_from_framework,
    entry_record,
    mission_area_names,
)
from cpas_kit.stakeholders.store import StakeholderStore
from cpas_kit.stakeholders.views import (
    area_counts,
    area_map,
    changes_html,
    css,
    display_name,
    matrix_html,
    per_outcome_html,
    register_html,
    without_area,
)
from cpas_kit.store import Store

URL_PARAMETERS = ("mission", "cycle", "language")  # what a page address may set; never the store URL
NEW = ""  # the stakeholder picker's value for "a new stakeholder"


# -- parameters --------------------------------------------------------------------------------------
class ContextParameters(BaseModel):
    """What the context-mapping app needs; the same fields as the notebook's ``parameters`` cell."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mission: str = Field(min_length=1)
    cycle: str = ""
    language: Literal["", "en", "fr"] = ""
    db_url: str = ""


def _check_cycle(params: ContextParameters) -> None:
    if params.cycle:
        try:
            Period.parse(params.cycle)
        except PeriodError as exc:
            raise ParametersError(f"cycle: {exc}") from None


def context_parameters(*, query: str | None = None, **values: Any) -> ContextParameters:
    """The notebook's parameters, validated; under Voila the page address's mission, cycle and language win."""
    return app_parameters(ContextParameters, URL_PARAMETERS, query=query, check=_check_cycle, **values)


# -- helpers -----------------------------------------------------------------------------------------
def next_code(codes: list[str], prefix: str = "ST-") -> str:
    """The next free stakeholder code after the highest ``ST-nn`` in ``codes``."""
    numbers = [int(m.group(1)) for c in codes if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", c))]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def cycle_options(mapped: list[str], wanted: str | None, kind: str) -> list[str]:
    """The cycles the app offers: the mapped ones, the one asked for, and the cycle after the latest map."""
    cycles = set(mapped)
    if wanted:
        cycles.add(str(Period.parse(wanted)))
    if mapped:
        cycles.add(str(max(Period.parse(c) for c in mapped).next()))
    else:
        cycles.add(str(Period.containing(date.today(), kind)))
    return sorted(cycles, key=lambda c: Period.parse(c).start)


# -- the app -----------------------------------------------------------------------------------------
class ContextApp:
    """The whole context-mapping app for ``mission`` (default cycle: the latest map; default language: the
    mission's own). ``widget`` is what the notebook displays."""

    def __init__(self, store: Store, mission: str, cycle: str = "", language: str = ""):
        self.store, self.mission = store, mission
        self.fw = store.framework(mission)
        self.lang = language = language or self.fw.mission.default_language
        t("ctx_app_title", language)  # an unsupported language fails here, with the list of supported ones
        self.kind = self.fw.mission.cycle_kind
        self.sh = StakeholderStore(store)
        self.options = self.sh.stakeholder_options(mission)
        self.area_names = mission_area_names(self.fw) or {}
        mapped = list(self.sh.context_cycles(mission)["cycle"])
        start = str(Period.parse(cycle)) if cycle else (mapped[-1] if mapped else cycle_options([], None,
                                                                                                self.kind)[0])
        self.state: dict[str, Any] = {"rows": [], "mapped_in": None, "map_drawn": None, "quiet": False}
        self._controls(mapped, start)
        self._form()
        self.guard = ctx_guard(self.message, self.errors, language)
        self.framework_tab = FrameworkTab(store, mission, language, self.actor, self.message, self.errors,
                                          lambda: self.cycle_pick.value, self.fw)
        self.tabs = classed(Tab(children=[HBox([self.form, self.register_view],
                                               layout=Layout(flex_flow="row wrap", align_items="flex-start")),
                                          self.matrix_view, self.outcomes_view, self.map_view, self.changes_view,
                                          self.framework_tab.widget]), "cpas-ctx-tabs")
        for i, key in enumerate(("ctx_tab_register", "ctx_tab_matrix", "ctx_tab_outcomes", "ctx_tab_map",
                                 "ctx_tab_changes", "ctx_tab_framework")):
            self.tabs.set_title(i, t(key, language))
        self._wire()
        self.refresh()
        title = HTML(f"{css()}<h2>{html.escape(t('ctx_app_title', language))} — "
                     f"{html.escape(self.fw.mission.label(language))}</h2>")
        self.widget = classed(VBox([title, HBox([self.cycle_pick, self.compare_pick, self.actor, self.refresh_button],
                                                layout=Layout(flex_flow="row wrap", align_items="center")),
                                    self.status, self.seed_button, self.message, self.tabs, self.errors]),
                              "cpas-ctx-app")

    # -- building ------------------------------------------------------------------------------------
    def _controls(self, mapped: list[str], start: str) -> None:
        """The cycle and comparison pickers, the name, the status line, the messages and the views."""
        lang = self.lang
        self.cycle_pick = Dropdown(options=cycle_options(mapped, start, self.kind), value=start,
                                   description=t("cycle", lang))
        self.compare_pick = Dropdown(description=t("ctx_compare_with", lang))
        self.actor = Text(placeholder=t("ctx_your_name", lang), description=t("ctx_your_name", lang))
        self.refresh_button = Button(description=t("trk_refresh", lang), icon="refresh")
        for widget, name in ((self.cycle_pick, "cycle"), (self.compare_pick, "compare"), (self.actor, "by"),
                             (self.refresh_button, "refresh")):
            widget.add_class(f"cpas-ctx-{name}")
            if not isinstance(widget, Button):
                widget.style.description_width = "initial"
        self.status = classed(HTML(), "cpas-ctx-status")
        self.seed_button = classed(Button(description=t("ctx_seed", lang), layout=Layout(width="auto",
                                                                                         display="none")),
                                   "cpas-ctx-seed")
        self.message = classed(HTML(), "cpas-ctx-message")
        self.errors = classed(Output(), "cpas-ctx-errors")
        self.register_view, self.matrix_view, self.outcomes_view, self.map_view, self.changes_view = (
            classed(HTML(), f"cpas-ctx-{name}-view")
            for name in ("register", "matrix", "per-outcome", "map", "changes"))
        self.register_view.layout = Layout(flex="1 1 30em", min_width="0", overflow="auto")

    def _form(self) -> None:
        """The stakeholder form: pick one (or a new one), edit it, save or remove it with a note."""
        lang, options = self.lang, self.options

        def enum(field: str) -> Dropdown:
            return Dropdown(options=[(o.text(lang), o.code) for o in options.of(field)], layout=WIDE)

        self.pick, self.code = Dropdown(layout=WIDE), Text(layout=WIDE)
        self.name, self.name_fr = Text(layout=WIDE), Text(layout=WIDE)
        self.enums = {f: enum(f) for f in ("type", "level", "stance", "influence")}
        self.areas_pick = SelectMultiple(options=[(n, c) for c, n in sorted(self.area_names.items(),
                                                                            key=lambda x: x[1])],
                                         rows=8, layout=WIDE)
        self.texts = {f: Textarea(layout=Layout(width="36em", max_width="100%", height="4.5em")) for f in TEXT_FIELDS}
        self.outcomes_pick = SelectMultiple(rows=8, layout=WIDE)
        self.note = Textarea(placeholder=t("ctx_note_hint", lang),
                             layout=Layout(width="36em", max_width="100%", height="4.5em"))
        self.note_fr = Textarea(layout=Layout(width="36em", max_width="100%", height="4.5em"))
        self.save_button = classed(Button(description=t("ctx_save", lang), button_style="primary",
                                          layout=Layout(width="auto")), "cpas-ctx-save")
        self.remove_button = classed(Button(description=t("ctx_remove", lang), button_style="warning",
                                            layout=Layout(width="auto")), "cpas-ctx-remove")
        fields = [labelled(self.pick, t("ctx_stakeholder", lang), "cpas-ctx-pick"),
                  labelled(self.code, t("sh_code", lang), "cpas-ctx-code"),
                  labelled(self.name, t("sh_name", lang), "cpas-ctx-name"),
                  labelled(self.name_fr, t("sh_name_fr", lang), "cpas-ctx-name-fr")]
        fields += [labelled(w, t(f"sh_{f}", lang), f"cpas-ctx-{f}") for f, w in self.enums.items()]
        if self.area_names:
            fields.append(VBox([labelled(self.areas_pick, t("sh_areas", lang), "cpas-ctx-areas"),
                                HTML(f"<i>{html.escape(t('ctx_areas_hint', lang))}</i>")]))
        fields += [labelled(self.texts[f], t(f"sh_{f}", lang), f"cpas-ctx-{f}") for f in TEXT_FIELDS]
        fields += [labelled(self.outcomes_pick, t("sh_outcomes", lang), "cpas-ctx-outcomes"),
                   labelled(self.note, t("sh_note", lang), "cpas-ctx-note"),
                   labelled(self.note_fr, t("sh_note_fr", lang), "cpas-ctx-note-fr"),
                   HBox([self.save_button, self.remove_button])]
        self.form = VBox(fields, layout=Layout(width="38em", max_width="100%", padding="0 16px 0 0"))

    def _wire(self) -> None:
        guard = self.guard
        self.cycle_pick.observe(guard(self._on_cycle), names="value")
        self.compare_pick.observe(guard(self._on_compare), names="value")
        self.pick.observe(guard(self._on_pick), names="value")
        self.tabs.observe(guard(self._on_tab), names="selected_index")
        self.refresh_button.on_click(guard(self._on_refresh))
        self.save_button.on_click(guard(self._on_save))
        self.remove_button.on_click(guard(self._on_remove))
        self.seed_button.on_click(guard(self._on_seed))

    # -- reading the store and showing it -----------------------------------------------------------
    def load_form(self, code_value: str) -> None:
        """Fill the form with a stakeholder of the shown map, or empty it for a new one."""
        state, options = self.state, self.options
        row = next((r for r in state["rows"] if r["code"] == code_value and r["status"] == ACTIVE), None)
        known = [r["code"] for r in state["rows"]] + state.get("all_codes", [])
        self.code.value = row["code"] if row else next_code(known)
        self.code.disabled = row is not None
        self.name.value, self.name_fr.value = (row["name"], row.get("name_fr") or "") if row else ("", "")
        for field, widget in self.enums.items():
            widget.value = row[field] if row and row[field] in options.codes(field) else options.codes(field)[0]
        self.areas_pick.value = tuple(a for a in (row or {}).get("areas", []) if a in self.area_names)
        for f, widget in self.texts.items():
            widget.value = (row or {}).get(f) or ""
        offered = dict(self.outcomes_pick.options).values()
        self.outcomes_pick.value = tuple(o for o in (row or {}).get("outcomes", []) if o in offered)
        this_cycle = state["mapped_in"] == self.cycle_pick.value
        self.note.value = (row or {}).get("note") or "" if this_cycle else ""
        self.note_fr.value = (row or {}).get("note_fr") or "" if this_cycle else ""
        self.remove_button.disabled = row is None

    def _read_map(self, cycles: list[str], wanted: str) -> bool:
        """Read the map shown for ``wanted`` into the state; True when it is synthetic."""
        state = self.state
        try:
            cmap = self.sh.context_map(self.mission, wanted)
            state["rows"], state["mapped_in"], synthetic = cmap["entries"], cmap["cycle"], cmap["is_synthetic"]
        except NotFoundError:
            state["rows"], state["mapped_in"], synthetic = [], None, False
        state["all_codes"] = [r["code"] for c in cycles for r in self.sh.context_map(self.mission, c)["entries"]]
        return synthetic

    def _show_status(self, wanted: str, synthetic: bool) -> None:
        lang, mapped_in = self.lang, self.state["mapped_in"]
        if mapped_in is None:
            self.status.value = f"<p>{html.escape(t('ctx_no_snapshot', lang).format(cycle=wanted))}</p>"
            return
        carried = "" if mapped_in == wanted else t("ctx_carried", lang).format(mapped=mapped_in)
        self.status.value = (f"<p>{html.escape(t('ctx_shows', lang).format(cycle=wanted, mapped=carried))}</p>"
                             + (f'<p class="cpas-ctx-synthetic">{html.escape(t("ctx_synthetic", lang))}</p>'
                                if synthetic else ""))

    def refresh(self, keep: str | None = None) -> None:
        """Read the store; show the chosen cycle's map, its views and the changes since the compared cycle."""
        lang, state = self.lang, self.state
        self.options = options = self.sh.stakeholder_options(self.mission)
        fw = self.store.framework(self.mission, self.cycle_pick.value)
        self.outcomes_pick.options = [(f"{o.code} {o.label(lang)}", o.code) for _, o in fw.outcomes()]
        cycles = list(self.sh.context_cycles(self.mission)["cycle"])
        wanted = self.cycle_pick.value
        choices = cycle_options(cycles, wanted, self.kind)
        state["quiet"] = True  # setting pick lists below must not run their callbacks
        if list(self.cycle_pick.options) != choices:
            self.cycle_pick.options = choices
            self.cycle_pick.value = wanted
        synthetic = self._read_map(cycles, wanted)
        self.seed_button.layout.display = "none" if cycles or not fw.stakeholders else "flex"
        rows = state["rows"]
        self._show_status(wanted, synthetic)
        self.register_view.value = register_html(rows, options, self.area_names, lang)
        self.matrix_view.value = matrix_html(rows, options, lang)
        self.outcomes_view.value = per_outcome_html(rows, fw, options, lang)
        earlier = [c for c in cycles if Period.parse(c) < Period.parse(state["mapped_in"] or wanted)]
        previous = earlier[-1] if earlier else None
        if self.compare_pick.value in earlier and state.get("compared_for") == state["mapped_in"]:
            previous = self.compare_pick.value  # the user's choice stays while the same map is shown
        state["compared_for"] = state["mapped_in"]
        self.compare_pick.options = earlier
        self.compare_pick.value = previous
        self.show_changes()
        state["map_drawn"] = None
        if self.tabs.selected_index == 3:
            self.draw_map()
        active = [(f"{display_name(r, lang)} ({r['code']})", r["code"]) for r in rows if r["status"] == ACTIVE]
        self.pick.options = [(t("ctx_new", lang), NEW)] + active
        self.pick.value = keep if keep in [c for _, c in active] else NEW
        state["quiet"] = False
        self.load_form(self.pick.value)

    def show_changes(self) -> None:
        """The changes from the compared cycle to the shown map."""
        if self.compare_pick.value is None or self.state["mapped_in"] is None:
            self.changes_view.value = f"<p>{html.escape(t('ctx_no_previous', self.lang))}</p>"
            return
        diff = self.sh.stakeholder_diff(self.mission, self.compare_pick.value, self.state["mapped_in"])
        self.changes_view.value = changes_html(diff["changes"], self.options, self.area_names, diff["from_snapshot"],
                                               diff["to_snapshot"], self.lang)

    def draw_map(self) -> None:
        """The per-area map (drawn once per shown map, when its tab is opened: it needs the boundaries)."""
        lang, state, names = self.lang, self.state, self.area_names
        if state["map_drawn"] == (self.cycle_pick.value, len(state["rows"])):
            return
        fw = self.fw
        if fw.mission.geography is None:
            self.map_view.value = f"<p>{html.escape(t('ctx_no_geography', lang))}</p>"
            return
        counts = area_counts(state["rows"], self.options, names, lang)
        chart = area_map(admin1_areas(fw.mission.geography), counts, self.cycle_pick.value, lang)
        listed = "".join(f"<tr><td>{html.escape(names.get(c['area_code'], c['area_code']))}</td>"
                         f"<td>{c['stakeholders']}</td><td>{html.escape(c['names'])}</td></tr>"
                         for c in counts if c["stakeholders"])
        national = without_area(state["rows"], lang)
        self.map_view.value = (
            f'<div class="cpas-ctx-map">{inline_svg(chart, "ctx-map")}</div>'
            + (f"<p>{html.escape(t('sh_nationwide', lang).format(names=national))}</p>" if national else "")
            + f'<table class="cpas-ctx-table"><tr><th>{html.escape(t("sh_areas", lang))}</th>'
              f'<th>{html.escape(t("sh_count", lang))}</th>'
              f'<th>{html.escape(t("sh_register", lang))}</th></tr>{listed}</table>')
        state["map_drawn"] = (self.cycle_pick.value, len(state["rows"]))

    # -- callbacks ----------------------------------------------------------------------------------
    def _on_cycle(self, _change: dict[str, Any]) -> None:
        if self.state["quiet"]:
            return
        self.message.value = ""
        self.fw = self.store.framework(self.mission, self.cycle_pick.value)
        self.refresh()
        self.framework_tab.refresh()

    def _on_compare(self, _change: dict[str, Any]) -> None:
        if not self.state["quiet"]:
            self.show_changes()

    def _on_pick(self, change: dict[str, Any]) -> None:
        if not self.state["quiet"]:
            self.load_form(change["new"])

    def _on_tab(self, change: dict[str, Any]) -> None:
        if change["new"] == 3:
            self.draw_map()

    def _on_refresh(self, _button: Button) -> None:
        self.message.value = ""
        self.errors.outputs = ()
        self.refresh(self.pick.value)
        self.framework_tab.refresh()

    def _on_save(self, _button: Button) -> None:
        by = who(self.actor, self.message, self.lang)
        if by is None:
            return
        cycle = self.cycle_pick.value
        values = {"code": self.code.value.strip(), "name": self.name.value, "name_fr": self.name_fr.value,
                  **{f: w.value for f, w in self.enums.items()}, "areas": list(self.areas_pick.value),
                  "outcomes": list(self.outcomes_pick.value), **{f: w.value for f, w in self.texts.items()}}
        result = self.sh.save_stakeholder(self.mission, cycle, values, actor=by, note=self.note.value or None,
                                          source=SOURCE, note_fr=self.note_fr.value or None)
        what = f"{values['name'].strip()} ({values['code']}), {cycle}"
        self.message.value = ctx_message("ok", t("ctx_unchanged" if result == "unchanged" else "ctx_saved",
                                                 self.lang).format(what=what))
        self.refresh(values["code"])

    def _on_remove(self, _button: Button) -> None:
        by = who(self.actor, self.message, self.lang)
        if by is None or self.pick.value == NEW:
            return
        what = f"{self.name.value.strip()} ({self.pick.value})"
        self.sh.remove_stakeholder(self.mission, self.cycle_pick.value, self.pick.value,
                                   note=self.note.value or None, actor=by, note_fr=self.note_fr.value or None)
        self.message.value = ctx_message("ok", t("ctx_removed", self.lang).format(cycle=self.cycle_pick.value,
                                                                                   what=what))
        self.refresh()

    def _on_seed(self, _button: Button) -> None:
        by = who(self.actor, self.message, self.lang)
        if by is None:
            return
        cycle = self.cycle_pick.value
        fw = self.store.framework(self.mission, cycle)
        entries = [entry_record(e) for e in entries_from_framework(fw, self.options)]
        self.sh.save_context_map(self.mission, cycle, entries, actor=by,
                                 source=f"{SOURCE}: the framework's key stakeholders")
        self.message.value = ctx_message("ok", t("ctx_saved", self.lang).format(what=f"{len(entries)} × {cycle}"))
        self.refresh()


def context_app(store: Store, mission: str, cycle: str = "", language: str = "") -> Widget:
    """The context-mapping app's widget (see :class:`ContextApp`)."""
    return ContextApp(store, mission, cycle, language).widget


def context_page(*, query: str | None = None, **values: Any) -> Widget:
    """The notebook's page: the parameters validated and the app opened, or the one sentence saying why not."""
    def build() -> ContextApp:
        params = context_parameters(query=query, **values)
        return ContextApp(Store(params.db_url or None), params.mission, cycle=params.cycle, language=params.language)

    return app_page(build, language=address_language(query, values.get("language") or "en"))
