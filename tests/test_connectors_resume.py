"""Résumé text extraction: real (small, generated) PDF and DOCX files, and every limit."""

from __future__ import annotations

import io

import docx
import pytest

from connectors.resume import Limits, ResumeError, extract_text, file_kind


def make_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one line of Helvetica text per page (offsets computed, no library)."""
    page_ids = [3 + 2 * i for i in range(len(pages))]
    font_id = 3 + 2 * len(pages)
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % p for p in page_ids), len(pages)),
        font_id: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for page_id, text in zip(page_ids, pages, strict=True):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")
        stream = b"BT /F1 12 Tf 72 720 Td (" + escaped + b") Tj ET"
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (page_id + 1, font_id)
        )
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, objects[number]))
    xref_at = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for number in sorted(objects):
        out.write(b"%010d 00000 n \n" % offsets[number])
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at))
    return out.getvalue()


def make_docx(paragraphs: list[str], table_cells: list[str] = ()) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table_cells:
        table = document.add_table(rows=1, cols=len(table_cells))
        for cell, text in zip(table.rows[0].cells, table_cells, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_pdf_text_is_extracted_page_by_page():
    text = extract_text(make_pdf(["Jonathan Meyers", "Brightline Software (2020-)"]), "cv.pdf")
    assert "Jonathan Meyers" in text
    assert "Brightline Software" in text


def test_docx_text_includes_paragraphs_and_tables():
    data = make_docx(["Mina Park", "Frontend Engineer"], ["Kakao", "2019-2024"])
    text = extract_text(data, "cv.docx")
    assert text.splitlines()[:2] == ["Mina Park", "Frontend Engineer"]
    assert "Kakao" in text


def test_page_limit_stops_reading_further_pages():
    data = make_pdf(["first page", "second page", "third page"])
    text = extract_text(data, "cv.pdf", limits=Limits(max_pages=2))
    assert "second page" in text
    assert "third page" not in text


def test_char_limit_cuts_the_text():
    text = extract_text(make_docx(["x" * 500]), "cv.docx", limits=Limits(max_chars=100))
    assert len(text) == 100


def test_byte_limit_refuses_big_files():
    with pytest.raises(ResumeError, match="over the 1000 limit"):
        extract_text(make_docx(["big"]), "cv.docx", limits=Limits(max_bytes=1000))


def test_kind_comes_from_magic_bytes_not_the_name():
    assert file_kind(make_pdf(["a"]), "cv.docx") == "pdf"
    assert file_kind(make_docx(["a"]), "cv.pdf") == "docx"


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"\x89PNG\r\n\x1a\nnot a resume", "photo.png", "neither PDF nor DOCX"),
        (b"%PDF-1.4 truncated garbage", "cv.pdf", "^the PDF is damaged or unreadable"),
        (b"PK\x03\x04 truncated zip", "cv.docx", "^the DOCX is damaged"),
    ],
)
def test_unreadable_files_raise_with_a_reason(data: bytes, name: str, reason: str):
    with pytest.raises(ResumeError, match=reason):
        extract_text(data, name)
