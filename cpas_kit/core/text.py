"""Text hygiene shared by every route in and every line out: control characters and terminal escapes.

``control_problem`` says why a text may not enter the store (a NUL byte or another control character, which
break workbooks, terminals and databases); ``safe_text`` makes any text safe to print on a terminal line (no
escape sequence from data can move the cursor, clear the screen or change the title).
"""

from __future__ import annotations

import re
from typing import Any

# ESC-introduced sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), and two-character escapes.
_ANSI_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# C0 controls except tab, newline and carriage return; DEL; C1 controls (0x80-0x9f, e.g. the 8-bit CSI).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidirectional overrides can make a terminal or a spreadsheet show text in another order than it is.
_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")


# Text a spreadsheet may run as a formula (OWASP's list plus the full-width forms Excel also accepts).
FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r", "\n")


def formula_like(value: Any) -> bool:
    """True when a spreadsheet could take this text for a formula."""
    return isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START)


def neutral_text(value: Any) -> Any:
    """Text a spreadsheet could run as a formula, with a leading apostrophe; other values unchanged."""
    if formula_like(value):
        return "'" + value
    return value


def plain_text(value: Any) -> Any:
    """The text the workbench wrote before :func:`neutral_text` (the leading apostrophe taken off)."""
    if isinstance(value, str) and value.startswith("'") and formula_like(value[1:]):
        return value[1:]
    return value


def control_problem(text: Any) -> str | None:
    """Why ``text`` may not be stored (it holds a control character), or ``None`` when it is clean."""
    if not isinstance(text, str):
        return None
    m = _CONTROL_RE.search(text)
    if m is None:
        return None
    code = ord(m.group())
    name = "a NUL byte" if code == 0 else f"the control character U+{code:04X}"
    return (f"the text holds {name} at character {m.start() + 1}, which no spreadsheet or report can show; "
            "remove it (retype the text) and try again")


def strip_controls(text: str) -> str:
    """``text`` without escape sequences and control characters (tab, newline and carriage return kept)."""
    return _CONTROL_RE.sub("", _ANSI_RE.sub("", text))


def safe_text(value: Any, *, multiline: bool = False) -> str:
    """Any value as text safe for a terminal: escape sequences removed, other control characters shown as ``?``.

    Tabs and line breaks become spaces unless ``multiline``; ``None`` becomes an empty string.
    """
    if value is None:
        return ""
    text = _BIDI_RE.sub("", _ANSI_RE.sub("", str(value)))
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _CONTROL_RE.sub("?", text).replace("\t", " ")
    return _LINE_CONTROL_RE.sub(lambda m: " " if m.group() in "\t\n\r" else "?", text)
