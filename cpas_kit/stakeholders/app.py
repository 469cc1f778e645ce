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
import os
import re
import traceback
from collections.abc import Callable
from datetime import date
from typing import Any, Literal
from urllib.parse import parse_qs

from ipywidgets import (
    HTML,
    Button,
    Dropdown,
    HBox,
    Layout,
    Output,
    SelectMultiple,
    Tab,
    Text,
    Textarea,
    VBox,
    Widget,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cpas_kit.analysis.charts import inline_svg
from cpas_kit.core.errors import CpasError, NotFoundError, ParametersError, PeriodError, pydantic_problems
from cpas_kit.core.i18n import t
from cpas_kit.core.periods import Period
from cpas_kit.framework.edit import (
    FrameworkRejected,
    add_indicator,
    default_effective_from,
    save_edited_framework,
    set_target,
)
from cpas_kit.framework.geography import admin1_areas
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
SOURCE = "context-mapping app"
_WIDE = Layout(width="36em")


# -- parameters --------------------------------------------------------------------------------------
class ContextParameters(BaseModel):
    """What the context-mapping app needs; the same fields as the notebook's ``parameters`` cell."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mission: str = Field(min_length=1)
    cycle: str = ""
    language: Literal["", "en", "fr"] = ""
    db_url: str = ""


def context_parameters(*, query: str | None = None, **values: Any) -> ContextParameters:
    """The notebook's parameters, validated; under Voila the page address's mission, cycle and language win."""
    raw = os.environ.get("QUERY_STRING", "") if query is None else query
    found = parse_qs(raw.lstrip("?"), keep_blank_values=False)
    from_url = {k: found[k][-1] for k in URL_PARAMETERS if found.get(k)}
    try:
        params = ContextParameters(**(values | from_url))
        if params.cycle:
            Period.parse(params.cycle)
    except ValidationError as exc:
        source = "the page address" if from_url else "parameters"
        raise ParametersError(f"{source}: " + "; ".join(pydantic_problems(exc))) from None
    except PeriodError as exc:
        raise ParametersError(f"cycle: {exc}") from None
    return params


# -- helpers -----------------------------------------------------------------------------------------
def _message(kind: str, text: str, items: list[str] | None = None) -> str:
    """A message box (ok or error); every text is escaped here."""
    extra = "".join(f"<li>{html.escape(i)}</li>" for i in items or [])
    return (f'<div class="cpas-ctx-msg-{kind}">{html.escape(text)}'
            + (f"<ul>{extra}</ul>" if extra else "") + "</div>")


def _labelled(widget: Widget, label: str, css_class: str) -> VBox:
    widget.add_class(css_class)
    return VBox([HTML(f"<b>{html.escape(label)}</b>"), widget])


def _reporter(message: HTML, errors: Output, language: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A decorator for callbacks: a refused change or any other error is shown on the page, never swallowed."""
    def reported(callback: Callable[..., None]) -> Callable[..., None]:
        def run(*args: Any) -> None:
            try:
                callback(*args)
            except FrameworkRejected as exc:
                message.value = _message("error", t("fw_problems", language).format(n=len(exc.problems)),
                                         [f"{_short_path(p)}: {m}" for p, m in exc.problems])
            except CpasError as exc:
                message.value = _message("error", t("ctx_refused", language).format(why=str(exc)))
            except Exception as exc:  # noqa: BLE001 - shown to the user with its traceback, not swallowed
                message.value = _message("error", t("ctx_error", language).format(error=f"{type(exc).__name__}: {exc}"))
                errors.append_stderr(traceback.format_exc())
        return run
    return reported


def _who(actor: Text, message: HTML, language: str) -> str | None:
    """The name typed in "your name" (every change records who made it); None, with a message, when empty."""
    if not actor.value.strip():
        message.value = _message("error", t("ctx_name_needed", language))
        return None
    return actor.value.strip()


def _number(text: str, label: str, problems: list[str]) -> float | None:
    """A typed number (None when empty); an unreadable one is added to ``problems``."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        problems.append(f"{label}: '{text}' is not a number (use a point for decimals, e.g. 12.5)")
        return None


def _refill(pick: Dropdown, options: list[tuple[str, str]]) -> None:
    """New options for a drop-down, keeping its choice when still offered (else the first option)."""
    chosen = pick.value
    pick.options = options
    codes = [c for _, c in options]
    pick.value = chosen if chosen in codes else (codes[0] if codes else None)


def _short_path(path: str) -> str:
    """``priorities[0].outcomes[1].indicators[4].unit`` → ``unit`` (the field of the item being edited)."""
    return re.sub(r"^.*\]\.", "", path) if "]." in path else path


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
def context_app(store: Store, mission: str, cycle: str = "", language: str = "") -> Widget:
    """The whole context-mapping app for ``mission`` (default cycle: the latest map; default language: the
    mission's own)."""
    fw_state = {"fw": store.framework(mission)}
    language = language or fw_state["fw"].mission.default_language
    t("ctx_app_title", language)  # an unsupported language fails here, with the list of supported ones
    kind = fw_state["fw"].mission.cycle_kind
    options = StakeholderStore(store).stakeholder_options(mission)
    area_names = mission_area_names(fw_state["fw"]) or {}
    mapped = list(StakeholderStore(store).context_cycles(mission)["cycle"])
    start = str(Period.parse(cycle)) if cycle else (mapped[-1] if mapped else cycle_options([], None, kind)[0])
    state: dict[str, Any] = {"rows": [], "mapped_in": None, "map_drawn": None, "quiet": False}

    # controls ------------------------------------------------------------------------------------
    title = HTML(f"{css()}<h2>{html.escape(t('ctx_app_title', language))} — "
                 f"{html.escape(fw_state['fw'].mission.label(language))}</h2>")
    cycle_pick = Dropdown(options=cycle_options(mapped, start, kind), value=start, description=t("cycle", language))
    compare_pick = Dropdown(description=t("ctx_compare_with", language))
    actor = Text(placeholder=t("ctx_your_name", language), description=t("ctx_your_name", language))
    refresh_button = Button(description=t("trk_refresh", language), icon="refresh")
    for widget, name in ((cycle_pick, "cycle"), (compare_pick, "compare"), (actor, "by"),
                         (refresh_button, "refresh")):
        widget.add_class(f"cpas-ctx-{name}")
        if not isinstance(widget, Button):
            widget.style.description_width = "initial"
    status = HTML()
    status.add_class("cpas-ctx-status")
    seed_button = Button(description=t("ctx_seed", language), layout=Layout(width="auto", display="none"))
    seed_button.add_class("cpas-ctx-seed")
    message = HTML()
    message.add_class("cpas-ctx-message")
    errors = Output()
    errors.add_class("cpas-ctx-errors")

    register_view, matrix_view, outcomes_view, map_view, changes_view = (HTML() for _ in range(5))
    for widget, name in ((register_view, "register"), (matrix_view, "matrix"), (outcomes_view, "per-outcome"),
                         (map_view, "map"), (changes_view, "changes")):
        widget.add_class(f"cpas-ctx-{name}-view")

    def enum(field: str) -> Dropdown:
        return Dropdown(options=[(o.text(language), o.code) for o in options.of(field)], layout=_WIDE)

    pick = Dropdown(layout=_WIDE)
    code = Text(layout=_WIDE)
    name, name_fr = Text(layout=_WIDE), Text(layout=_WIDE)
    kind_pick, level_pick, stance_pick, influence_pick = (enum(f) for f in ("type", "level", "stance", "influence"))
    areas_pick = SelectMultiple(options=[(n, c) for c, n in sorted(area_names.items(), key=lambda x: x[1])],
                                rows=8, layout=_WIDE)
    texts = {f: Textarea(layout=Layout(width="36em", height="4.5em")) for f in TEXT_FIELDS}
    outcomes_pick = SelectMultiple(rows=8, layout=_WIDE)
    note = Textarea(placeholder=t("ctx_note_hint", language), layout=Layout(width="36em", height="4.5em"))
    save_button = Button(description=t("ctx_save", language), button_style="primary")
    remove_button = Button(description=t("ctx_remove", language), button_style="warning")
    save_button.add_class("cpas-ctx-save")
    remove_button.add_class("cpas-ctx-remove")
    fields = [
        _labelled(pick, t("ctx_stakeholder", language), "cpas-ctx-pick"),
        _labelled(code, t("sh_code", language), "cpas-ctx-code"),
        _labelled(name, t("sh_name", language), "cpas-ctx-name"),
        _labelled(name_fr, t("sh_name_fr", language), "cpas-ctx-name-fr"),
        _labelled(kind_pick, t("sh_type", language), "cpas-ctx-type"),
        _labelled(level_pick, t("sh_level", language), "cpas-ctx-level"),
        _labelled(stance_pick, t("sh_stance", language), "cpas-ctx-stance"),
        _labelled(influence_pick, t("sh_influence", language), "cpas-ctx-influence"),
    ]
    if area_names:
        fields.append(VBox([_labelled(areas_pick, t("sh_areas", language), "cpas-ctx-areas"),
                            HTML(f"<i>{html.escape(t('ctx_areas_hint', language))}</i>")]))
    fields += [_labelled(texts[f], t(f"sh_{f}", language), f"cpas-ctx-{f}") for f in TEXT_FIELDS]
    fields += [_labelled(outcomes_pick, t("sh_outcomes", language), "cpas-ctx-outcomes"),
               _labelled(note, t("sh_note", language), "cpas-ctx-note"), HBox([save_button, remove_button])]
    form = VBox(fields, layout=Layout(width="40em", min_width="40em", padding="0 16px 0 0"))
    register_view.layout = Layout(flex="1 1 auto", overflow="auto")

    framework_tab, framework_refresh = _framework_tab(store, mission, fw_state, language, actor, message, errors,
                                                      lambda: cycle_pick.value)

    tabs = Tab(children=[HBox([form, register_view]), matrix_view, outcomes_view, map_view, changes_view,
                         framework_tab])
    for i, key in enumerate(("ctx_tab_register", "ctx_tab_matrix", "ctx_tab_outcomes", "ctx_tab_map",
                             "ctx_tab_changes", "ctx_tab_framework")):
        tabs.set_title(i, t(key, language))
    tabs.add_class("cpas-ctx-tabs")

    # reading the store and showing it --------------------------------------------------------------
    def load_form(code_value: str) -> None:
        """Fill the form with a stakeholder of the shown map, or empty it for a new one."""
        row = next((r for r in state["rows"] if r["code"] == code_value and r["status"] == ACTIVE), None)
        known = [r["code"] for r in state["rows"]] + state.get("all_codes", [])
        code.value = row["code"] if row else next_code(known)
        code.disabled = row is not None
        name.value, name_fr.value = (row["name"], row.get("name_fr") or "") if row else ("", "")
        for widget, field in ((kind_pick, "type"), (level_pick, "level"), (stance_pick, "stance"),
                              (influence_pick, "influence")):
            widget.value = row[field] if row and row[field] in options.codes(field) else options.codes(field)[0]
        areas_pick.value = tuple(a for a in (row or {}).get("areas", []) if a in area_names)
        for f, widget in texts.items():
            widget.value = (row or {}).get(f) or ""
        outcomes_pick.value = tuple(o for o in (row or {}).get("outcomes", []) if o in dict(outcomes_pick.options)
                                    .values())
        note.value = (row or {}).get("note") or "" if state["mapped_in"] == cycle_pick.value else ""
        remove_button.disabled = row is None

    def refresh(keep: str | None = None) -> None:
        """Read the store; show the chosen cycle's map, its views and the changes since the compared cycle."""
        nonlocal options
        options = StakeholderStore(store).stakeholder_options(mission)
        fw = store.framework(mission, cycle_pick.value)
        outcomes_pick.options = [(f"{o.code} {o.label(language)}", o.code) for _, o in fw.outcomes()]
        cycles = list(StakeholderStore(store).context_cycles(mission)["cycle"])
        wanted = cycle_pick.value
        choices = cycle_options(cycles, wanted, kind)
        state["quiet"] = True  # setting pick lists below must not run their callbacks
        if list(cycle_pick.options) != choices:
            cycle_pick.options = choices
            cycle_pick.value = wanted
        try:
            cmap = StakeholderStore(store).context_map(mission, wanted)
            state["rows"], state["mapped_in"], synthetic = cmap["entries"], cmap["cycle"], cmap["is_synthetic"]
        except NotFoundError:
            state["rows"], state["mapped_in"], synthetic = [], None, False
        state["all_codes"] = [r["code"] for c in cycles
                              for r in StakeholderStore(store).context_map(mission, c)["entries"]]
        seed_button.layout.display = "none" if cycles or not fw.stakeholders else "flex"
        rows = state["rows"]
        if state["mapped_in"] is None:
            status.value = f"<p>{html.escape(t('ctx_no_snapshot', language).format(cycle=wanted))}</p>"
        else:
            carried = "" if state["mapped_in"] == wanted else t("ctx_carried", language).format(
                mapped=state["mapped_in"])
            status.value = (f"<p>{html.escape(t('ctx_shows', language).format(cycle=wanted, mapped=carried))}</p>"
                            + (f'<p class="cpas-ctx-synthetic">{html.escape(t("ctx_synthetic", language))}</p>'
                               if synthetic else ""))
        register_view.value = register_html(rows, options, area_names, language)
        matrix_view.value = matrix_html(rows, options, language)
        outcomes_view.value = per_outcome_html(rows, fw, options, language)
        earlier = [c for c in cycles if Period.parse(c) < Period.parse(state["mapped_in"] or wanted)]
        previous = earlier[-1] if earlier else None
        if compare_pick.value in earlier and state.get("compared_for") == state["mapped_in"]:
            previous = compare_pick.value  # the user's choice stays while the same map is shown
        state["compared_for"] = state["mapped_in"]
        compare_pick.options = earlier
        compare_pick.value = previous
        show_changes()
        state["map_drawn"] = None
        if tabs.selected_index == 3:
            draw_map()
        active_codes = [(f"{display_name(r, language)} ({r['code']})", r["code"]) for r in rows
                        if r["status"] == ACTIVE]
        pick.options = [(t("ctx_new", language), NEW)] + active_codes
        pick.value = keep if keep in [c for _, c in active_codes] else NEW
        state["quiet"] = False
        load_form(pick.value)

    def show_changes() -> None:
        """The changes from the compared cycle to the shown map."""
        if compare_pick.value is None or state["mapped_in"] is None:
            changes_view.value = f"<p>{html.escape(t('ctx_no_previous', language))}</p>"
            return
        diff = StakeholderStore(store).stakeholder_diff(mission, compare_pick.value, state["mapped_in"])
        changes_view.value = changes_html(diff["changes"], options, area_names, diff["from_snapshot"],
                                          diff["to_snapshot"], language)

    def draw_map() -> None:
        """The per-area map (drawn once per shown map, when its tab is opened: it needs the boundaries)."""
        if state["map_drawn"] == (cycle_pick.value, len(state["rows"])):
            return
        fw = fw_state["fw"]
        if fw.mission.geography is None:
            map_view.value = f"<p>{html.escape(t('ctx_no_geography', language))}</p>"
            return

        counts = area_counts(state["rows"], options, area_names, language)
        chart = area_map(admin1_areas(fw.mission.geography), counts, cycle_pick.value, language)
        listed = "".join(f"<tr><td>{html.escape(area_names.get(c['area_code'], c['area_code']))}</td>"
                         f"<td>{c['stakeholders']}</td><td>{html.escape(c['names'])}</td></tr>"
                         for c in counts if c["stakeholders"])
        national = without_area(state["rows"], language)
        map_view.value = (f'<div class="cpas-ctx-map">{inline_svg(chart, "ctx-map")}</div>'
                          + (f"<p>{html.escape(t('sh_nationwide', language).format(names=national))}</p>"
                             if national else "")
                          + f'<table class="cpas-ctx-table"><tr><th>{html.escape(t("sh_areas", language))}</th>'
                            f'<th>{html.escape(t("sh_count", language))}</th>'
                            f'<th>{html.escape(t("sh_register", language))}</th></tr>{listed}</table>')
        state["map_drawn"] = (cycle_pick.value, len(state["rows"]))

    reported = _reporter(message, errors, language)

    # callbacks ------------------------------------------------------------------------------------
    @reported
    def on_cycle(_change: dict[str, Any]) -> None:
        if state["quiet"]:
            return
        message.value = ""
        fw_state["fw"] = store.framework(mission, cycle_pick.value)
        refresh()
        framework_refresh()

    @reported
    def on_compare(_change: dict[str, Any]) -> None:
        if not state["quiet"]:
            show_changes()

    @reported
    def on_pick(change: dict[str, Any]) -> None:
        if not state["quiet"]:
            load_form(change["new"])

    @reported
    def on_tab(change: dict[str, Any]) -> None:
        if change["new"] == 3:
            draw_map()

    @reported
    def on_refresh(_button: Button) -> None:
        message.value = ""
        errors.outputs = ()
        refresh(pick.value)
        framework_refresh()

    @reported
    def on_save(_button: Button) -> None:
        by = _who(actor, message, language)
        if by is None:
            return
        values = {"code": code.value.strip(), "name": name.value, "name_fr": name_fr.value, "type": kind_pick.value,
                  "level": level_pick.value, "stance": stance_pick.value, "influence": influence_pick.value,
                  "areas": list(areas_pick.value), "outcomes": list(outcomes_pick.value),
                  **{f: w.value for f, w in texts.items()}}
        result = StakeholderStore(store).save_stakeholder(mission, cycle_pick.value, values, actor=by,
                                                          note=note.value or None,
                                        source=SOURCE)
        what = f"{values['name'].strip()} ({values['code']}), {cycle_pick.value}"
        message.value = _message("ok", t("ctx_unchanged" if result == "unchanged" else "ctx_saved",
                                         language).format(what=what))
        refresh(values["code"])

    @reported
    def on_remove(_button: Button) -> None:
        by = _who(actor, message, language)
        if by is None or pick.value == NEW:
            return
        what = f"{name.value.strip()} ({pick.value})"
        StakeholderStore(store).remove_stakeholder(mission, cycle_pick.value, pick.value, note=note.value or None,
                                                   actor=by)
        message.value = _message("ok", t("ctx_removed", language).format(cycle=cycle_pick.value, what=what))
        refresh()

    @reported
    def on_seed(_button: Button) -> None:
        by = _who(actor, message, language)
        if by is None:
            return
        fw = store.framework(mission, cycle_pick.value)
        entries = [entry_record(e) for e in entries_from_framework(fw, options)]
        StakeholderStore(store).save_context_map(mission, cycle_pick.value, entries, actor=by,
                                                 source=f"{SOURCE}: the framework's "
                               "key stakeholders")
        message.value = _message("ok", t("ctx_saved", language).format(what=f"{len(entries)} × {cycle_pick.value}"))
        refresh()

    cycle_pick.observe(on_cycle, names="value")
    compare_pick.observe(on_compare, names="value")
    pick.observe(on_pick, names="value")
    tabs.observe(on_tab, names="selected_index")
    refresh_button.on_click(on_refresh)
    save_button.on_click(on_save)
    remove_button.on_click(on_remove)
    seed_button.on_click(on_seed)
    refresh()

    app = VBox([title, HBox([cycle_pick, compare_pick, actor, refresh_button],
                            layout=Layout(flex_flow="row wrap", align_items="center")),
                status, seed_button, message, tabs, errors])
    app.add_class("cpas-ctx-app")
    return app


def _framework_tab(store: Store, mission: str, fw_state: dict[str, Any], language: str, actor: Text, message: HTML,
                   errors: Output, current_cycle: Callable[[], str]) -> tuple[Widget, Callable[[], None]]:
    """The small framework-editing view: add an indicator, change a target; returns (widget, refresh)."""
    fw = fw_state["fw"]
    current = HTML()
    current.add_class("cpas-fw-current")
    effective = Text(value=default_effective_from(fw), layout=_WIDE)
    outcome = Dropdown(layout=_WIDE)
    ind = {k: Text(layout=_WIDE) for k in ("code", "name", "name_fr", "unit", "baseline_value", "baseline_text",
                                            "baseline_period", "data_source", "target_period", "target_value")}
    level = Dropdown(options=[(t(v, language), v) for v in ("strategic", "stakeholder", "output")], layout=_WIDE)
    kind = Dropdown(options=[(t(f"fw_{v}", language), v) for v in ("quantitative", "qualitative")], layout=_WIDE)
    direction = Dropdown(options=[(t(v, language), v) for v in ("increase", "decrease", "maintain")], layout=_WIDE)
    section = Dropdown(layout=_WIDE)
    add_button = Button(description=t("fw_save_indicator", language), button_style="primary")
    add_button.add_class("cpas-fw-add")
    target_ind = Dropdown(layout=_WIDE)
    target = {k: Text(layout=_WIDE) for k in ("period", "value", "text")}
    target_button = Button(description=t("fw_save_target", language), button_style="primary")
    target_button.add_class("cpas-fw-save-target")
    labels = {"code": "fw_code", "name": "fw_name", "name_fr": "fw_name_fr", "unit": "unit",
              "baseline_value": "fw_baseline_value", "baseline_text": "fw_baseline_text",
              "baseline_period": "fw_baseline_period", "data_source": "fw_data_source",
              "target_period": "fw_target_period", "target_value": "fw_target_value"}
    add_form = VBox([HTML(f"<h4>{html.escape(t('fw_add_indicator', language))}</h4>"),
                     _labelled(outcome, t("outcome", language), "cpas-fw-outcome"),
                     *[_labelled(w, t(labels[k], language), f"cpas-fw-{k.replace('_', '-')}")
                       for k, w in list(ind.items())[:4]],
                     _labelled(level, t("level", language), "cpas-fw-level"),
                     _labelled(kind, t("fw_kind", language), "cpas-fw-kind"),
                     _labelled(direction, t("direction", language), "cpas-fw-direction"),
                     *[_labelled(w, t(labels[k], language), f"cpas-fw-{k.replace('_', '-')}")
                       for k, w in list(ind.items())[4:]],
                     _labelled(section, t("section", language), "cpas-fw-section"), add_button],
                    layout=Layout(width="40em", padding="0 16px 0 0"))
    target_form = VBox([HTML(f"<h4>{html.escape(t('fw_change_target', language))}</h4>"),
                        _labelled(target_ind, t("indicator", language), "cpas-fw-indicator"),
                        _labelled(target["period"], t("fw_target_period", language), "cpas-fw-period"),
                        _labelled(target["value"], t("fw_target_value", language), "cpas-fw-value"),
                        _labelled(target["text"], t("fw_target_text", language), "cpas-fw-text"), target_button],
                       layout=Layout(width="40em"))

    def refresh() -> None:
        """Show the latest framework version and refill the pick lists from it."""
        fw_state["latest"] = store.framework(mission)
        latest = fw_state["latest"]
        meta = store.framework_version_for(mission)
        current.value = f"<p>{html.escape(t('fw_current', language).format(version=meta['version'], cycle=meta['effective_from']))}</p>"  # noqa: E501
        _refill(outcome, [(f"{o.code} {o.label(language)}", o.code) for _, o in latest.outcomes()])
        _refill(section, [(s.label(language), s.code) for s in latest.sections])
        _refill(target_ind, [(f"{i.code} {i.label(language)}", i.code) for _, _, i in latest.indicators()])
        if not ind["baseline_period"].value:
            ind["baseline_period"].value = current_cycle()

    def on_target_indicator(change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        found = fw_state["latest"].indicator(change["new"]).targets
        last = found[-1] if found else None
        target["period"].value = last.period if last else current_cycle()
        target["value"].value = "" if last is None or last.value is None else f"{last.value:g}"
        target["text"].value = "" if last is None or last.text is None else last.text

    def save(doc: dict[str, Any], what: str) -> None:
        by = _who(actor, message, language)
        if by is None:
            return
        version, created = save_edited_framework(store, doc, effective_from=effective.value.strip(), actor=by,
                                                 source=f"{SOURCE}: {what}")
        meta = store.framework_versions(mission)
        eff = meta[meta["version"] == version]["effective_from"].iloc[0]
        message.value = _message("ok", t("fw_saved" if created else "fw_unchanged", language).format(
            version=version, cycle=eff))
        refresh()

    guarded = _reporter(message, errors, language)

    @guarded
    def on_add(_button: Button) -> None:
        problems: list[str] = []
        base_value = _number(ind["baseline_value"].value, t("fw_baseline_value", language), problems)
        target_value = _number(ind["target_value"].value, t("fw_target_value", language), problems)
        if problems:
            raise FrameworkRejected([(p.split(": ", 1)[0], p.split(": ", 1)[1]) for p in problems])
        text = {k: w.value.strip() or None for k, w in ind.items()}
        indicator = {k: v for k, v in {
            "code": text["code"], "name": text["name"], "name_fr": text["name_fr"], "level": level.value,
            "kind": kind.value, "unit": text["unit"], "direction": direction.value,
            "baseline": {k: v for k, v in (("value", base_value), ("text", text["baseline_text"]),
                                           ("period", text["baseline_period"])) if v is not None},
            "targets": [] if not text["target_period"] else [
                {k: v for k, v in (("period", text["target_period"]), ("value", target_value)) if v is not None}],
            "data_source": text["data_source"], "responsible_section": section.value,
        }.items() if v is not None}
        save(add_indicator(fw_state["latest"], outcome.value, indicator), f"indicator {text['code']} added")

    @guarded
    def on_target(_button: Button) -> None:
        problems: list[str] = []
        value = _number(target["value"].value, t("fw_target_value", language), problems)
        if problems:
            raise FrameworkRejected([(p.split(": ", 1)[0], p.split(": ", 1)[1]) for p in problems])
        period = target["period"].value.strip()
        doc = set_target(fw_state["latest"], target_ind.value, period, value, target["text"].value.strip() or None)
        save(doc, f"target of {target_ind.value} for {period}")

    target_ind.observe(on_target_indicator, names="value")
    add_button.on_click(on_add)
    target_button.on_click(on_target)
    refresh()
    on_target_indicator({"new": target_ind.value})
    tab = VBox([current, _labelled(effective, t("fw_effective", language), "cpas-fw-effective"),
                HBox([add_form, target_form])])
    return tab, refresh
