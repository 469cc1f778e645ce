"""Word page set-up shared by every document the workbench writes: A4 (the UN standard), margins, and a footer
naming the mission and cycle with ``Page n of N`` (Word fields, so the numbers stay right after editing).

``a4_pages(doc, footer="UN-DEMO · 2023/24-Q4", language="fr", landscape=False)``. python-docx is imported by
the caller (its ``Document``); this module only touches the XML it is given.
"""

from __future__ import annotations

from typing import Any

from cpas_kit.core.i18n import t

A4_CM = (21.0, 29.7)
MARGIN_CM = 2.0


def a4_pages(doc: Any, footer: str, language: str = "en", *, landscape: bool = False) -> None:
    """Every section of ``doc`` on A4 (portrait or landscape), 2 cm margins, footer ``<footer> · Page n of N``."""
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    short, long = Cm(A4_CM[0]), Cm(A4_CM[1])
    for section in doc.sections:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(MARGIN_CM))
        para = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
        para.text = ""
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        before, between, after = _page_words(language)
        for piece in (f"{footer} · {before}", "PAGE", between, "NUMPAGES", after):
            if piece in ("PAGE", "NUMPAGES"):
                _field(para, piece)
            elif piece:
                run = para.add_run(piece)
                run.font.size = Pt(8)


def _page_words(language: str) -> tuple[str, str, str]:
    """``Page `` / `` of `` / ``""`` around the two numbers, from the ``page_n_of_N`` label."""
    text = t("page_n_of_N", language)
    before, rest = text.split("{page}", 1)
    between, after = rest.split("{pages}", 1)
    return before, between, after


def _field(para: Any, code: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) in its own run, with a placeholder result until Word updates it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run = para.add_run()
    run.font.size = Pt(8)
    for kind, text in (("begin", None), (None, f" {code} "), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text.strip() == code:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
