"""Report files written the way real ones look, for the council tests: a text PDF (a minimal PDF writer: pages of
Helvetica lines, the way a report printed to PDF carries its text layer), a PDF without text (a scan), a Word file."""

from __future__ import annotations

import posixpath
from pathlib import Path


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _pdf(path: Path, contents: list[bytes], *, with_font: bool) -> Path:
    """A PDF whose pages draw ``contents`` (content streams); Helvetica in WinAnsiEncoding when ``with_font``."""
    objects: list[bytes] = []
    n = len(contents)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    font_id = 3 + 2 * n
    for i, stream in enumerate(contents):
        resources = f"/Resources << /Font << /F1 {font_id} 0 R >> >>" if with_font else "/Resources << >>"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] {resources} "
                       f"/Contents {4 + 2 * i} 0 R >>".encode())
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def write_text_pdf(path: Path, paragraphs: list[str], *, width: int = 90, per_page: int = 40) -> Path:
    """A text PDF of ``paragraphs``, each wrapped at ``width`` characters (lines run on, as in a real report) with a
    blank line between paragraphs and a page number line at the foot of each page."""
    lines: list[str] = []
    for para in paragraphs:
        current = ""
        for word in para.split():
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        lines += [current, ""]
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)]
    contents = []
    for number, page in enumerate(pages, start=1):
        ops = [b"BT /F1 10 Tf 14 TL 50 800 Td"]
        for line in page + ["", f"{number}/{len(pages)}"]:
            ops.append(b"(" + _escape(line) + b") Tj T*")
        ops.append(b"ET")
        contents.append(b"\n".join(ops))
    return _pdf(path, contents, with_font=True)


def write_scanned_pdf(path: Path) -> Path:
    """A PDF whose page is only drawn shapes (a scan has an image and no text layer)."""
    return _pdf(path, [b"0.5 g 50 50 495 742 re f"], with_font=False)


def write_docx(path: Path, blocks: list[tuple[str, str]], *, auto_number: bool = False,
               footnotes: list[str] | None = None) -> Path:
    """A Word report: ``("heading", text)`` as Heading 1, ``("para", text)`` as body text (numbered automatically
    with Word's "List Number" style when ``auto_number``, the number then being no part of the text), and real Word
    ``footnotes`` (a footnotes part referenced from the first paragraph, as Word writes them)."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    doc = docx.Document()
    paragraphs = []
    for kind, text in blocks:
        if kind == "heading":
            doc.add_heading(text, level=1)
        elif auto_number:
            paragraphs.append(doc.add_paragraph(text, style="List Number"))
        else:
            paragraphs.append(doc.add_paragraph(text))
    if footnotes:
        ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        notes = "".join(f'<w:footnote w:id="{i}"><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
                        f"</w:footnote>" for i, text in enumerate(footnotes, start=1))
        xml = (f'<w:footnotes {ns}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
               f"</w:footnote>{notes}</w:footnotes>")
        word_dir = posixpath.dirname(doc.part.partname)  # the package folder of document.xml
        part = Part(PackURI(posixpath.join(word_dir, "footnotes.xml")),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                    xml.encode("utf-8"), doc.part.package)
        doc.part.relate_to(part, RT.FOOTNOTES)
        for i in range(1, len(footnotes) + 1):
            paragraphs[0]._p.append(parse_xml(f'<w:r {ns}><w:footnoteReference w:id="{i}"/></w:r>'))
    doc.save(str(path))
    return path
