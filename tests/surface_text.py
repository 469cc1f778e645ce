"""What a reader sees in an output file (HTML, Word, Excel, CLI text), and the raw values that must never be in it.

Used by the surface tests: :func:`visible_text` extracts the words a person reads (no scripts, no styles, no
chart specs), :func:`raw_values` names every raw machine value found (``nan``, ``None``, JSON, epoch numbers,
Python reprs), :func:`english_words` the English words left in a French output.
"""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

RAW_PATTERNS = {
    "nan": re.compile(r"(?<![\w-])(nan|NaN|NaT|<NA>)(?![\w-])"),
    "None": re.compile(r"(?<![\w-])None(?![\w-])"),
    "JSON": re.compile(r"\{\s*\"|\[\s*\{|\":\s"),
    "epoch number": re.compile(r"(?<![\d.,])1[5-9]\d{8}(\d{3})?(?![\d.,])"),
    "Python repr": re.compile(r"<[\w.]+ object at 0x|\b(Store|Timestamp|datetime\.date|datetime\.datetime|"
                              r"Decimal|Period)\(|\bdtype:|\bName: \w+, dtype"),
    "microseconds": re.compile(r"\d{2}:\d{2}:\d{2}\.\d{3,6}"),
    "boolean": re.compile(r"(?<![\w-])(True|False)(?![\w-])"),
}


class _Text(HTMLParser):
    """Visible text of an HTML page: everything but <script>, <style> and <head>'s <meta>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if not self._skip:
            self.parts.append(data)


def html_text(path: Path) -> str:
    """The visible text of an HTML file."""
    parser = _Text()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return " ".join(" ".join(parser.parts).split())


def docx_text(path: Path) -> str:
    """Every paragraph, table cell, header and footer of a Word document."""
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    with zipfile.ZipFile(path) as z:  # fields (page numbers) and text boxes live in the XML only
        for name in z.namelist():
            if name.startswith("word/footer") or name.startswith("word/header"):
                parts.append(re.sub(r"<[^>]+>", " ", z.read(name).decode("utf-8")))
    return "\n".join(parts)


def xlsx_text(path: Path) -> str:
    """Every cell value of every sheet, as text."""
    wb = load_workbook(path, read_only=True)
    parts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            parts += [str(v) for v in row if v is not None and not isinstance(v, bool)]  # TRUE/FALSE cells: Excel's
    wb.close()
    return "\n".join(parts)


def text_of(path: Path) -> str:
    """What a reader sees in ``path`` (by its suffix)."""
    suffix = Path(path).suffix.lower()
    return {".html": html_text, ".docx": docx_text, ".xlsx": xlsx_text}[suffix](path)


def raw_values(text: str) -> list[str]:
    """``kind: 'context'`` for every raw machine value in ``text``; empty when clean."""
    found = []
    for kind, pattern in RAW_PATTERNS.items():
        for m in pattern.finditer(text):
            found.append(f"{kind}: {text[max(0, m.start() - 40):m.end() + 40]!r}")
    return found


# English words a French reader must never meet (whole words, case-sensitive where the word is a label).
ENGLISH_WORDS = ("Recommendation", "Impact area", "Impact Area", "Lead section", "Supporting section",
                 "Awaiting Review", "Approved", "Rejected", "Implemented", "Not Assigned", "Ongoing", "Overdue",
                 "on track", "off track", "no data", "Report generated", "Reporting period", "Generated",
                 "Host country", "Distance to target", "Baseline", "Target", "Senior Leadership", "create",
                 "Priority", "Outcome", "Indicator", "of the planned change", "still to go", "Field changed",
                 "Recorded in the tracker", "Reporting date", "Generated on", "Decision", "Comment", "Who", "When")
# Words part B of issue 15 owns (French mandate text, tracker values from the seeds, History actions, units):
PART_B_WORDS = ("Senior Leadership", "Not Assigned", "create")


def english_words(text: str, words: tuple[str, ...] = ENGLISH_WORDS) -> list[str]:
    """The English words of ``words`` found in a French ``text`` (whole words)."""
    return [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
