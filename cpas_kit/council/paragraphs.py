"""A report to the Security Council as blocks: numbered (operative) paragraphs, other paragraphs, headings, footnotes.

UN reports number their paragraphs ``12.`` at the start; headings are ``I. Strategic context`` or ``A. Protection of
civilians`` (short, no final full stop); footnotes start with a superscript number. Word files read from python-docx
(automatic numbering counts as a number, Word footnotes are read from their own part), PDFs from their text layer
(pypdf), ``.txt``/``.md`` as text. A PDF without a text layer (a scan) is refused with a sentence saying so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cpas_kit.core.errors import CpasError

SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
_NUMBERED = re.compile(r"^(\d{1,3})\.\s+(?=\S)")
_ROMAN_HEADING = re.compile(r"^[IVXLC]{1,6}\.\s+\S.{0,150}$")
_LETTER_HEADING = re.compile(r"^[A-H]\.\s+[A-ZÀ-Ý].{0,150}$")
_FOOTNOTE = re.compile(rf"^(?:[{SUPERSCRIPTS}]+|\[\^\w+\]:|\*\s)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_PAGE_FURNITURE = re.compile(
    r"^(?:\d{1,3}/\d{1,3}|[ASE]/(?:RES/)?\d{2,4}/\d+(?:/Add\.\d+)?|\d{2}-\d{5}(?:\s*\(\w\))?|Page \d+|\d{1,3})$")
_CAPTION = re.compile(r"^(?:(?:Figure|Table|Tableau|Graphique|Map|Carte)\s+[IVXLC\d]+\b"
                      r"|(?:Source|Sources|Note|Notes)\s?:"
                      r"|\([A-Za-zÀ-ÿ ,;]{2,60}\)$)")
_SUBITEM = re.compile(r"^(?:-\s*)?\([a-z]{1,4}\)\s")
_FULL_STOP = re.compile(r"[.!?][»\"”’)]?$")
_UN_HEADING_STYLE = re.compile(r"^(?:hch|h1|h23|h4|h56|h_?\d)g?$")  # the UN document templates' heading styles
_SENTENCE_END = re.compile(r"[.:;!?»\"”)]$")


class ReportReadError(CpasError):
    """The report file cannot be read as text (unknown type, damaged, or a PDF without a text layer)."""


@dataclass
class Block:
    """One unit of a report: ``kind`` is ``paragraph``, ``heading`` or ``footnote``; ``number`` for ``12.``."""

    kind: str
    text: str
    number: int | None = None
    index: int = 0  # position among the report's blocks, from 1

    @property
    def is_operative(self) -> bool:
        """A numbered paragraph of the report's body."""
        return self.kind == "paragraph" and self.number is not None

    @property
    def label(self) -> str:
        """How the paragraph is named to a reader: ``12`` or ``(unnumbered, block 3)``."""
        return str(self.number) if self.number is not None else f"({self.index})"


def read_report(path: str | Path) -> list[Block]:
    """The blocks of a ``.docx``, ``.pdf``, ``.txt`` or ``.md`` report, in reading order."""
    p = Path(path)
    if not p.is_file():
        raise ReportReadError(f"the report file {p} does not exist; check the path")
    suffix = p.suffix.lower()
    if suffix == ".docx":
        blocks = _docx_blocks(p)
    elif suffix == ".pdf":
        blocks = blocks_from_lines(_pdf_lines(p))
    elif suffix in (".txt", ".md", ".text", ".markdown"):
        blocks = blocks_from_text(_read_text(p), markdown=suffix in (".md", ".markdown"))
    else:
        raise ReportReadError(f"{p.name} is not a report file the check can read: use a .docx, .pdf, .txt or .md file")
    for i, b in enumerate(blocks, start=1):
        b.index = i
    if not any(b.kind == "paragraph" for b in blocks):
        raise ReportReadError(f"{p.name} holds no paragraph of text; is it the report?")
    return blocks


def _read_text(p: Path) -> str:
    raw = p.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


_LIGATURES = str.maketrans({c: unicodedata.normalize("NFKC", c) for c in "ﬀﬁﬂﬃﬄﬅﬆ"})  # PDF text layers


def _clean(text: str) -> str:
    """One line of text: links and emphasis of Markdown dropped, ligatures and soft hyphens undone, spaces of every
    width (em spaces after a paragraph number, no-break spaces) made one plain space."""
    text = _MD_LINK.sub(r"\1", text).replace("\u00ad", "").translate(_LIGATURES)
    return re.sub(r"[^\S\n]+", " ", text.replace("**", "").replace("__", "")).strip()


def classify_line(text: str, *, markdown: bool = False) -> tuple[str, int | None, str]:
    """``(kind, number, text)`` of one block of text, the number stripped from a numbered paragraph."""
    if markdown and text.startswith("#"):
        return "heading", None, text.lstrip("#").strip()
    if _FOOTNOTE.match(text):
        return "footnote", None, text
    if m := _NUMBERED.match(text):
        body = text[m.end():].strip()
        if _is_short_heading(body, words=16):  # "1. Strategic force generation": a numbered sub-heading
            return "heading", None, text
        return "paragraph", int(m.group(1)), body
    if _CAPTION.match(text):
        return "heading", None, text
    if (_ROMAN_HEADING.match(text) or _LETTER_HEADING.match(text)) and not _SENTENCE_END.search(text):
        return "heading", None, text
    return "paragraph", None, text


def blocks_from_text(text: str, *, markdown: bool = False) -> list[Block]:
    """Blocks of plain text: blank lines separate blocks; a paragraph broken by a page is joined again."""
    chunks = [_clean(" ".join(c.splitlines())) for c in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    blocks: list[Block] = []
    for chunk in chunks:
        if not chunk or _PAGE_FURNITURE.match(chunk) or (markdown and re.fullmatch(r"[-*_]{3,}", chunk)):
            continue
        kind, number, body = classify_line(chunk, markdown=markdown)
        sub_item = kind == "paragraph" and number is None and _SUBITEM.match(body)
        if sub_item and blocks and blocks[-1].kind == "paragraph":
            blocks[-1].text = f"{blocks[-1].text} {body}"  # (a), (b): sub-paragraphs belong to the paragraph above
            continue
        if kind == "paragraph" and number is None and _continues(blocks, body):
            blocks[-1].text = f"{blocks[-1].text} {body}"
            continue
        if kind == "paragraph" and number is None and _is_short_heading(body):
            kind = "heading"
        blocks.append(Block(kind, body, number))
    return blocks


def _continues(blocks: list[Block], body: str) -> bool:
    """The chunk goes on with the previous paragraph's sentence (a page or column break cut it)."""
    last = next((b for b in reversed(blocks) if b.kind != "footnote"), None)  # footnotes sit at the page's foot
    if last is None or last.kind != "paragraph" or _FULL_STOP.search(last.text):
        return False
    if not (body[:1].islower() or body.startswith("(") or last.number is not None):
        return False
    if last is not blocks[-1]:
        blocks.append(blocks.pop(blocks.index(last)))  # the paragraph continues after its page's footnotes
    return True


def _is_short_heading(text: str, words: int = 12) -> bool:
    """A short line without a full stop: a heading, a title, a date line."""
    return len(text) <= 8 * words and not _SENTENCE_END.search(text) and len(text.split()) <= words


def blocks_from_lines(lines: list[str]) -> list[Block]:
    """Blocks of a PDF's text lines: a numbered line, a heading or a footnote opens a block, a blank line closes one,
    other lines run on. A numbered block that stays short and has no full stop is a numbered heading."""
    blocks: list[Block] = []
    open_block: Block | None = None
    widest, last_short_stop = 1, False
    for raw in lines:
        line = _clean(raw)
        if not line:
            open_block = None
            continue
        if _PAGE_FURNITURE.match(line):
            continue
        if last_short_stop and line[:1].isupper():
            open_block = None  # the line above ended a sentence well before the margin: a new paragraph
        widest = max(widest, len(line))
        last_short_stop = bool(_FULL_STOP.search(line)) and len(line) < 0.7 * widest
        numbered = _NUMBERED.match(line)
        if numbered:
            kind, number, body = "paragraph", int(numbered.group(1)), line[numbered.end():].strip()
        else:
            kind, number, body = classify_line(line)
        starts = number is not None or kind in ("heading", "footnote")
        if not starts and open_block is not None and open_block.kind in ("paragraph", "footnote"):
            if open_block.text.endswith("-") and body[:1].islower():
                open_block.text = open_block.text[:-1] + body
            else:
                open_block.text = f"{open_block.text} {body}"
            continue
        if not starts and _is_short_heading(body):
            kind = "heading"
        open_block = Block(kind, body, number)
        blocks.append(open_block)
        if kind == "heading":
            open_block = None
    for b in blocks:
        if b.number is not None and _is_short_heading(b.text, words=16):
            b.kind, b.text, b.number = "heading", f"{b.number}. {b.text}", None
    return blocks


def _pdf_lines(p: Path) -> list[str]:
    from pypdf import PdfReader  # only PDF reports need it
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(p))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as exc:
        raise ReportReadError(f"{p.name} cannot be read as a PDF ({exc}); open it and save it again, or use the "
                              "Word version of the report") from exc
    if sum(len(t.strip()) for t in pages) < 20 * max(1, len(pages)):
        raise ReportReadError(f"{p.name} has no text layer (it looks like a scanned image): the check needs the "
                              "report's text; use the Word file or a PDF saved from it, or run OCR on the scan first")
    return [line for page in pages for line in page.splitlines()]


def _docx_blocks(p: Path) -> list[Block]:
    import docx  # only Word reports need it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(p))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ReportReadError(f"{p.name} cannot be opened as a Word document; save it again as .docx") from exc
    blocks: list[Block] = []
    counter = 0
    for para in document.paragraphs:
        text = _clean(para.text)
        if not text:
            continue
        style = (para.style.name or "").lower() if para.style is not None else ""
        level = _numbering_level(para)
        if style.startswith(("heading", "title", "titre", "subtitle")) or _UN_HEADING_STYLE.match(style):
            blocks.append(Block("heading", text))
            continue
        kind, number, body = classify_line(text)
        if kind == "paragraph" and number is None and level is not None:
            if level > 0 and blocks and blocks[-1].kind == "paragraph":  # (a), (b): part of the paragraph above
                blocks[-1].text = f"{blocks[-1].text} {body}"
                continue
            counter += 1
            number = counter
        elif number is not None:
            counter = number
        if kind == "paragraph" and number is None and _is_short_heading(body):
            kind = "heading"
        blocks.append(Block(kind, body, number))
    blocks += [Block("footnote", note) for note in _docx_footnotes(document)]
    return blocks


def _numbering_level(para) -> int | None:
    """The list level of an automatically numbered Word paragraph (its own or its style's), else None."""
    from docx.oxml.ns import qn  # only Word reports need it

    for holder in (para._p.pPr, getattr(para.style, "_element", None)):
        if holder is None:
            continue
        ppr = holder if holder.tag == qn("w:pPr") else holder.find(qn("w:pPr"))
        num = ppr.find(qn("w:numPr")) if ppr is not None else None
        if num is not None:
            ilvl = num.find(qn("w:ilvl"))
            return int(ilvl.get(qn("w:val"))) if ilvl is not None else 0
    return None


def _docx_footnotes(document) -> list[str]:
    """The text of the document's Word footnotes (python-docx does not read them: the part is parsed here)."""
    from docx.oxml.ns import qn  # only Word reports need it
    from lxml import etree  # python-docx's own XML library

    out = []
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes"):
            root = etree.fromstring(rel.target_part.blob)
            for note in root.iter(qn("w:footnote")):
                if note.get(qn("w:type")) in ("separator", "continuationSeparator"):
                    continue
                text = _clean("".join(t.text or "" for t in note.iter(qn("w:t"))))
                if text:
                    out.append(text)
    return out
