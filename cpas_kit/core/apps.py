"""What every Voila app shares: the parameters a page address may set, message boxes, callbacks that show
their errors on the page, and the page shown instead of an app that cannot open.

Under Voila each page gets its own kernel. With ``--preheat_kernel`` that kernel runs the notebook before
anyone asks for the page, so the address is not known yet: :func:`page_query` waits for it with Voila's own
helper (``voila.utils.get_query_string``); without preheating Voila puts it in ``$QUERY_STRING``. The store
URL never comes from the address.

An app notebook's last cell is ``app_page(lambda: TrackerApp.open(...), language)``: when the store is
empty, the address names a mission that is not there or a parameter is misspelt, the page shows the same
one sentence the ``cpas`` command would print, instead of Voila's "There was an error when executing cell".
"""

from __future__ import annotations

import html
import os
import traceback
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import parse_qs

from ipywidgets import HTML, Output, VBox, Widget
from pydantic import BaseModel, ValidationError

from cpas_kit.core.errors import CpasError, ParametersError, pydantic_problems
from cpas_kit.core.i18n import LANGUAGES, t

M = TypeVar("M", bound=BaseModel)
APP_STYLE = """<style>
.cpas-app-msg-ok {border-left: 4px solid #2e7d32; background: #edf7ed; padding: 6px 10px}
.cpas-app-msg-refused, .cpas-app-msg-error {border-left: 4px solid #a4262c; background: #fdecea; padding: 6px 10px}
.cpas-app-msg-info {border-left: 4px solid #1f6fb2; background: #eef4fb; padding: 6px 10px}
.cpas-app-cannot-open {max-width: 60em; font-size: 1.05em}
</style>"""


# -- page-address parameters ---------------------------------------------------------------------------
_PREHEATED_QUERY: list[str] = []  # the one request a preheated kernel serves, once it has arrived


def page_query() -> str:
    """The page address's query string: waits for it when the kernel was preheated by Voila.

    Voila delivers a preheated kernel's request once: a second ``get_query_string()`` would wait for good (the
    page would never finish loading), so the first answer is kept for every later call in this kernel.
    """
    if os.environ.get("VOILA_PREHEAT") == "True":
        if not _PREHEATED_QUERY:
            from voila.utils import get_query_string  # only under a preheating Voila server

            _PREHEATED_QUERY.append(get_query_string() or "")
        return _PREHEATED_QUERY[0]
    return os.environ.get("QUERY_STRING", "")


def url_parameters(query: str | None, allowed: Iterable[str]) -> dict[str, str]:
    """The ``allowed`` parameters of a page address (default: this page's); never anything else."""
    raw = page_query() if query is None else query
    found = parse_qs(raw.lstrip("?"), keep_blank_values=False)
    return {k: found[k][-1] for k in allowed if found.get(k)}


def app_parameters(model: type[M], allowed: Iterable[str], *, query: str | None = None,
                   check: Callable[[M], None] | None = None, **values: Any) -> M:
    """The notebook's parameters as ``model``, validated; the page address's ``allowed`` values win.

    ``check`` may refuse a validated value with a :class:`CpasError` (e.g. a cycle that is not a period);
    every refusal is one :class:`ParametersError` naming where the value came from.
    """
    from_url = url_parameters(query, allowed)
    source = "the page address" if from_url else "parameters"
    try:
        params = model(**(values | from_url))
        if check is not None:
            check(params)
    except ValidationError as exc:
        raise ParametersError(f"{source}: " + "; ".join(pydantic_problems(exc))) from None
    except ParametersError:
        raise
    except CpasError as exc:
        raise ParametersError(f"{source}: {exc}") from None
    return params


def address_language(query: str | None = None, default: str = "en") -> str:
    """The language the page address asks for when it is a supported one (for messages shown before the app)."""
    asked = url_parameters(query, ("language",)).get("language", "")
    return asked if asked in LANGUAGES else default


# -- messages ------------------------------------------------------------------------------------------
def message_html(kind: str, text: str, items: Iterable[str] = (), *, prefix: str = "cpas-app") -> str:
    """A message box (kind: ok, refused, error, info) with an optional list; every text is escaped here.

    The box carries ``{prefix}-msg-{kind}`` (what each app's style and the browser tests select on) and
    ``cpas-app-msg-{kind}``.
    """
    extra = "".join(f"<li>{html.escape(i)}</li>" for i in items)
    classes = f"{prefix}-msg-{kind}" + ("" if prefix == "cpas-app" else f" cpas-app-msg-{kind}")
    return f'<div class="{classes}">{html.escape(text)}' + (f"<ul>{extra}</ul>" if extra else "") + "</div>"


def classed(widget: Any, css: str) -> Any:
    """``widget`` with the CSS class ``css`` (what the pages' style and the browser tests select on)."""
    widget.add_class(css)
    return widget


def esc(value: Any) -> str:
    """A value as escaped HTML text ('' for missing)."""
    return "" if value is None else html.escape(str(value))


def show_errors(message: HTML, errors: Output, *, describe: Callable[[Exception], Any],
                unexpected: Callable[[str], str], prefix: str,
                refused_kind: str = "refused") -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A decorator for callbacks: a refused change or any other error is shown on the page, never swallowed.

    ``describe`` turns an expected error into the sentence to show, or ``(sentence, [item, …])`` (None: not
    expected); anything else is ``unexpected("Type: message")`` with its traceback in ``errors``.
    """
    def reported(callback: Callable[..., None]) -> Callable[..., None]:
        def run(*args: Any) -> None:
            try:
                callback(*args)
            except Exception as exc:  # noqa: BLE001 - shown to the user, with a traceback when unexpected
                said = describe(exc)
                if said is not None:
                    sentence, items = (said, ()) if isinstance(said, str) else said
                    message.value = message_html(refused_kind, sentence, items, prefix=prefix)
                    return
                message.value = message_html("error", unexpected(f"{type(exc).__name__}: {exc}"), prefix=prefix)
                errors.append_stderr(traceback.format_exc())
        return run
    return reported


def labelled(widget: Widget, label: str, css_class: str | None = None) -> VBox:
    """``widget`` under its label in bold (the label above keeps long labels from being cut off)."""
    if css_class:
        widget.add_class(css_class)
    return VBox([HTML(f"<b>{html.escape(label)}</b>"), widget])


# -- the page instead of an app that cannot open -------------------------------------------------------
def cannot_open(reason: str, language: str = "en") -> Widget:
    """The page shown when an app cannot open: what went wrong in one sentence, as the CLI says it."""
    lang = language if language in LANGUAGES else "en"
    box = HTML(f"{APP_STYLE}<h2>{html.escape(t('app_cannot_open', lang))}</h2>"
               + message_html("refused", reason) + f"<p>{html.escape(t('app_cannot_open_hint', lang))}</p>")
    return classed(VBox([box]), "cpas-app-cannot-open")


def app_page(build: Callable[[], Any], language: str | None = None) -> Widget:
    """``build()``'s widget (or its ``.widget``); when it refuses with a :class:`CpasError`, that sentence.

    ``language`` (default: the page address's, else English) is the language of the heading around the
    sentence; the sentence is the one the ``cpas`` command prints.
    """
    lang = language or address_language()
    try:
        app = build()
    except CpasError as exc:
        return cannot_open(str(exc), lang)
    except Exception as exc:  # noqa: BLE001 - e.g. a store without tables: one sentence, as the CLI gives it
        if "no such table" in str(exc) or "UndefinedTable" in type(getattr(exc, "orig", exc)).__name__:
            return cannot_open(t("app_store_empty", lang), lang)
        return cannot_open(f"unexpected error ({type(exc).__name__}: {_first_line(exc)})", lang)
    return app.widget if hasattr(app, "widget") else app


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else ""
