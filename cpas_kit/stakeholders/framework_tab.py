"""The context-mapping app's Framework tab: add an indicator or change a target, checked exactly like a
framework workbook and saved as a new framework version from a named cycle.

``FrameworkTab(store, mission, language, actor, message, errors, current_cycle)`` builds the tab;
``widget`` is shown as the app's last tab and :meth:`FrameworkTab.refresh` re-reads the latest framework.
The small helpers here (the typed name every change records, typed numbers) are shared with the app.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from ipywidgets import HTML, Button, Dropdown, HBox, Layout, Output, Text, VBox

from cpas_kit.core.apps import labelled, message_html, show_errors
from cpas_kit.core.errors import CpasError
from cpas_kit.core.i18n import t
from cpas_kit.framework.edit import (
    FrameworkRejected,
    add_indicator,
    default_effective_from,
    save_edited_framework,
    set_target,
)
from cpas_kit.framework.model import Framework
from cpas_kit.store import Store

SOURCE = "context-mapping app"
WIDE = Layout(width="36em")
_LABELS = {"code": "fw_code", "name": "fw_name", "name_fr": "fw_name_fr", "unit": "unit",
           "baseline_value": "fw_baseline_value", "baseline_text": "fw_baseline_text",
           "baseline_period": "fw_baseline_period", "data_source": "fw_data_source",
           "target_period": "fw_target_period", "target_value": "fw_target_value"}


def ctx_message(kind: str, text: str, items: list[str] | None = None) -> str:
    """A message box of the context-mapping app (ok or error); every text is escaped here."""
    return message_html(kind, text, items or (), prefix="cpas-ctx")


def ctx_guard(message: HTML, errors: Output, language: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The app's callback decorator: a refused change or any other error is shown on the page."""
    def describe(exc: Exception) -> Any:
        if isinstance(exc, FrameworkRejected):
            return (t("fw_problems", language).format(n=len(exc.problems)),
                    [f"{_short_path(p)}: {m}" for p, m in exc.problems])
        if isinstance(exc, CpasError):
            return t("ctx_refused", language).format(why=str(exc))
        return None

    return show_errors(message, errors, describe=describe, prefix="cpas-ctx", refused_kind="error",
                       unexpected=lambda e: t("ctx_error", language).format(error=e))


def who(actor: Text, message: HTML, language: str) -> str | None:
    """The name typed in "your name" (every change records who made it); None, with a message, when empty."""
    if not actor.value.strip():
        message.value = ctx_message("error", t("ctx_name_needed", language))
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


def _rejected(problems: list[str]) -> FrameworkRejected:
    return FrameworkRejected([(p.split(": ", 1)[0], p.split(": ", 1)[1]) for p in problems])


class FrameworkTab:
    """The small framework-editing view of the context-mapping app."""

    def __init__(self, store: Store, mission: str, language: str, actor: Text, message: HTML, errors: Output,
                 current_cycle: Callable[[], str], framework: Framework):
        self.store, self.mission, self.lang = store, mission, language
        self.actor, self.message, self.current_cycle = actor, message, current_cycle
        self.latest = framework
        self.current = HTML()
        self.current.add_class("cpas-fw-current")
        self.effective = Text(value=default_effective_from(framework), layout=WIDE)
        guard = ctx_guard(message, errors, language)
        add_form, target_form = self._add_form(), self._target_form()
        self.target_ind.observe(self._on_target_indicator, names="value")
        self.add_button.on_click(guard(self._on_add))
        self.target_button.on_click(guard(self._on_target))
        self.refresh()
        self._on_target_indicator({"new": self.target_ind.value})
        self.widget = VBox([self.current, labelled(self.effective, t("fw_effective", language), "cpas-fw-effective"),
                            HBox([add_form, target_form], layout=Layout(flex_flow="row wrap"))])

    def _add_form(self) -> VBox:
        lang = self.lang
        self.outcome = Dropdown(layout=WIDE)
        self.ind = {k: Text(layout=WIDE) for k in _LABELS}
        self.level = Dropdown(options=[(t(v, lang), v) for v in ("strategic", "stakeholder", "output")], layout=WIDE)
        self.kind = Dropdown(options=[(t(f"fw_{v}", lang), v) for v in ("quantitative", "qualitative")],
                             layout=WIDE)
        self.direction = Dropdown(options=[(t(v, lang), v) for v in ("increase", "decrease", "maintain")],
                                  layout=WIDE)
        self.section = Dropdown(layout=WIDE)
        self.add_button = Button(description=t("fw_save_indicator", lang), button_style="primary",
                                 layout=Layout(width="auto"))
        self.add_button.add_class("cpas-fw-add")
        texts = [labelled(w, t(_LABELS[k], lang), f"cpas-fw-{k.replace('_', '-')}") for k, w in self.ind.items()]
        return VBox([HTML(f"<h4>{html.escape(t('fw_add_indicator', lang))}</h4>"),
                     labelled(self.outcome, t("outcome", lang), "cpas-fw-outcome"), *texts[:4],
                     labelled(self.level, t("level", lang), "cpas-fw-level"),
                     labelled(self.kind, t("fw_kind", lang), "cpas-fw-kind"),
                     labelled(self.direction, t("direction", lang), "cpas-fw-direction"), *texts[4:],
                     labelled(self.section, t("section", lang), "cpas-fw-section"), self.add_button],
                    layout=Layout(width="38em", padding="0 16px 0 0"))

    def _target_form(self) -> VBox:
        lang = self.lang
        self.target_ind = Dropdown(layout=WIDE)
        self.target = {k: Text(layout=WIDE) for k in ("period", "value", "text")}
        self.target_button = Button(description=t("fw_save_target", lang), button_style="primary",
                                    layout=Layout(width="auto"))
        self.target_button.add_class("cpas-fw-save-target")
        return VBox([HTML(f"<h4>{html.escape(t('fw_change_target', lang))}</h4>"),
                     labelled(self.target_ind, t("indicator", lang), "cpas-fw-indicator"),
                     labelled(self.target["period"], t("fw_target_period", lang), "cpas-fw-period"),
                     labelled(self.target["value"], t("fw_target_value", lang), "cpas-fw-value"),
                     labelled(self.target["text"], t("fw_target_text", lang), "cpas-fw-text"), self.target_button],
                    layout=Layout(width="38em"))

    def refresh(self) -> None:
        """Show the latest framework version and refill the pick lists from it."""
        lang = self.lang
        self.latest = latest = self.store.framework(self.mission)
        meta = self.store.framework_version_for(self.mission)
        current = t("fw_current", lang).format(version=meta["version"], cycle=meta["effective_from"])
        self.current.value = f"<p>{html.escape(current)}</p>"
        _refill(self.outcome, [(f"{o.code} {o.label(lang)}", o.code) for _, o in latest.outcomes()])
        _refill(self.section, [(s.label(lang), s.code) for s in latest.sections])
        _refill(self.target_ind, [(f"{i.code} {i.label(lang)}", i.code) for _, _, i in latest.indicators()])
        if not self.ind["baseline_period"].value:
            self.ind["baseline_period"].value = self.current_cycle()

    def _on_target_indicator(self, change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        found = self.latest.indicator(change["new"]).targets
        last = found[-1] if found else None
        self.target["period"].value = last.period if last else self.current_cycle()
        self.target["value"].value = "" if last is None or last.value is None else f"{last.value:g}"
        self.target["text"].value = "" if last is None or last.text is None else last.text

    def _save(self, doc: dict[str, Any], what: str) -> None:
        by = who(self.actor, self.message, self.lang)
        if by is None:
            return
        version, created = save_edited_framework(self.store, doc, effective_from=self.effective.value.strip(),
                                                 actor=by, source=f"{SOURCE}: {what}")
        meta = self.store.framework_versions(self.mission)
        eff = meta[meta["version"] == version]["effective_from"].iloc[0]
        self.message.value = ctx_message("ok", t("fw_saved" if created else "fw_unchanged", self.lang).format(
            version=version, cycle=eff))
        self.refresh()

    def _on_add(self, _button: Button) -> None:
        problems: list[str] = []
        base_value = _number(self.ind["baseline_value"].value, t("fw_baseline_value", self.lang), problems)
        target_value = _number(self.ind["target_value"].value, t("fw_target_value", self.lang), problems)
        if problems:
            raise _rejected(problems)
        text = {k: w.value.strip() or None for k, w in self.ind.items()}
        baseline = {k: v for k, v in (("value", base_value), ("text", text["baseline_text"]),
                                      ("period", text["baseline_period"])) if v is not None}
        targets = [] if not text["target_period"] else [
            {k: v for k, v in (("period", text["target_period"]), ("value", target_value)) if v is not None}]
        indicator = {k: v for k, v in {
            "code": text["code"], "name": text["name"], "name_fr": text["name_fr"], "level": self.level.value,
            "kind": self.kind.value, "unit": text["unit"], "direction": self.direction.value, "baseline": baseline,
            "targets": targets, "data_source": text["data_source"], "responsible_section": self.section.value,
        }.items() if v is not None}
        self._save(add_indicator(self.latest, self.outcome.value, indicator), f"indicator {text['code']} added")

    def _on_target(self, _button: Button) -> None:
        problems: list[str] = []
        value = _number(self.target["value"].value, t("fw_target_value", self.lang), problems)
        if problems:
            raise _rejected(problems)
        period = self.target["period"].value.strip()
        doc = set_target(self.latest, self.target_ind.value, period, value, self.target["text"].value.strip() or None)
        self._save(doc, f"target of {self.target_ind.value} for {period}")
