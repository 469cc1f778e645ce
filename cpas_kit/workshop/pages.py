"""What the two workshop apps share: their parameters (one ``parameters`` cell for papermill and Voila, the
page address overriding it), translated refusals, small HTML helpers, and the live poll.

The page address, message boxes and CSS classes come from :mod:`cpas_kit.core.apps`, shared by every app
(``page_query`` waits for the address when Voila preheated the kernel). The store URL never comes from the
address.

The apps poll the store on the kernel's event loop (an ``asyncio`` task, so widget updates happen on the
kernel's own thread) and redraw only what changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cpas_kit.core.apps import classed, esc, message_html, page_query  # noqa: F401 - shared by the pages
from cpas_kit.core.apps import url_parameters as _url_parameters
from cpas_kit.core.errors import CpasError, ParametersError, pydantic_problems
from cpas_kit.core.i18n import LABELS, t
from cpas_kit.store import Store
from cpas_kit.workshop.sessions import WorkshopError, normalise_join_code

URL_PARAMETERS = ("mission", "cycle", "session", "participant", "language")
STYLE = """<style>
.cpas-ws {max-width: 1100px}
.cpas-ws h2, .cpas-ws h3 {margin: 0.4em 0}
.cpas-ws-msg-ok {border-left: 4px solid #2e7d32; background: #edf7ed; padding: 6px 10px}
.cpas-ws-msg-refused, .cpas-ws-msg-error {border-left: 4px solid #a4262c; background: #fdecea; padding: 6px 10px}
.cpas-ws-msg-info {border-left: 4px solid #1f6fb2; background: #eef4fb; padding: 6px 10px}
.cpas-ws-box {border: 1px solid #d0d7de; border-radius: 4px; padding: 8px 12px; margin: 6px 0}
.cpas-ws-chart svg {max-width: 100%; height: auto}
.cpas-ws-link {font-family: monospace; overflow-wrap: anywhere}
.cpas-ws-bar {display: grid; grid-template-columns: 14em 1fr 3em; align-items: center; column-gap: 8px}
.cpas-ws-bar-fill {background: #1f6fb2; height: 14px}
.cpas-ws-bar-modal .cpas-ws-bar-fill {background: #0b3d6b}
.cpas-ws-contested {color: #a4262c; font-weight: bold}
.cpas-ws-table {border-collapse: collapse}
.cpas-ws-table th, .cpas-ws-table td {text-align: left; vertical-align: top; padding: 2px 12px 2px 0}
.cpas-ws-current {font-weight: bold}
</style>"""


class PageParameters(BaseModel):
    """What the workshop apps need; the same fields as their notebooks' ``parameters`` cells."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mission: str = ""  # with cycle: find the open session of that mission and cycle
    cycle: str = ""
    session: str = ""  # the join code
    participant: str = ""  # a participant's resume token (participant app only)
    language: Literal["", "en", "fr"] = ""  # empty: the mission's default language
    db_url: str = ""  # empty: $CPAS_DB_URL or the embedded store

    @field_validator("session")
    @classmethod
    def _code(cls, v: str) -> str:
        return normalise_join_code(v) if v.strip() else ""


def url_parameters(query: str) -> dict[str, str]:
    """The parameters a page address may set (never the store URL)."""
    return _url_parameters(query, URL_PARAMETERS)


def page_parameters(*, query: str | None = None, **values: Any) -> PageParameters:
    """The notebook's parameters, validated; under Voila the page address's values win."""
    from_url = url_parameters(page_query() if query is None else query)
    source = "the page address" if from_url else "parameters"
    try:
        return PageParameters(**(values | from_url))
    except (ValidationError, WorkshopError) as exc:
        problems = pydantic_problems(exc) if isinstance(exc, ValidationError) else [str(exc)]
        raise ParametersError(f"{source}: " + "; ".join(problems)) from None


def error_text(exc: Exception, language: str) -> str:
    """A refusal in the page's language (workshop sentences are translated; others are shown as raised).

    Only the words a sentence names as such (``ws_word_*``: the scale, the text that is too long) are
    translated; a value the participant typed or chose is shown as it is.
    """
    if isinstance(exc, WorkshopError):
        values = {k: t(f"ws_word_{v}", language) if isinstance(v, str) and f"ws_word_{v}" in LABELS else v
                  for k, v in exc.values.items()}
        return t(exc.key, language).format(**values)
    if isinstance(exc, CpasError):
        return str(exc)
    return t("ws_store_busy", language) if "locked" in str(exc) or "busy" in str(exc) else f"{exc}"


def message(kind: str, text: str) -> str:
    """A message box (kind: ok, refused, error, info); ``text`` is escaped here."""
    return message_html(kind, text, prefix="cpas-ws")


def label(value: str | None, language: str) -> str:
    """A scale value in the page's language (a mission's own values are shown as written)."""
    if value is None:
        return "—"
    return t(value, language) if value in LABELS else value


def proposal_state(proposal: dict[str, Any], language: str) -> str:
    """Where a recommendation proposal stands, in words: sent to the tracker as #9, merged into #4, pending."""
    if proposal.get("recommendation_id") is not None:
        return t("ws_sent_as", language).format(id=proposal["recommendation_id"])
    if proposal.get("merged_into_id") is not None:
        return t("ws_merged_into", language).format(id=proposal["merged_into_id"])
    return t("ws_pending", language)


def clock(language: str) -> str:
    """Now, as the apps show it (local time of the server, which is the laptop in the room)."""
    return datetime.now(UTC).astimezone().strftime("%H:%M:%S")


def mission_language(store: Any, mission: str, asked: str) -> str:
    """The page's language: asked for, else the mission's default (MINUSCA → French), else English."""
    if asked:
        return asked
    try:
        return store.framework(mission).mission.default_language
    except CpasError:
        return "en"


def start_polling(step: Callable[[], Awaitable[None] | None], every: float) -> asyncio.Task | None:
    """Call ``step`` every ``every`` seconds on the running event loop; None when no loop runs (tests).

    An error in one round is swallowed so the next round runs (the step shows its own errors).
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return None
        if not loop.is_running():
            return None

    async def _loop() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                result = step()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # noqa: BLE001, S110 - a poll must survive one bad round (e.g. a busy store)
                pass

    return loop.create_task(_loop())


def opened_store(params: PageParameters, *, upgrade: bool = True) -> Store:
    """The store a workshop page works on; a mission named in the address must be in it (else the CLI's
    sentence, e.g. "mission 'UN-DEM' has no results framework in this store …")."""
    store = Store(params.db_url or None, upgrade=upgrade)
    if params.mission:
        store.framework_version_for(params.mission)
    return store
