"""Optional page images: the transcript rendered as a PDF with a Bates stamp on every page.

Uses ``fpdf2`` and a Unicode TrueType font (DejaVu Sans: ``SEALROOM_PDF_FONT``, else the copy
matplotlib ships, else Debian's ``fonts-dejavu-core``). Glyphs the font lacks (CJK, most emoji)
are drawn as blanks: the PDF is a convenience rendering, the TEXT and NATIVES files are the record.
The creation date is fixed so the same document always gives the same bytes.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sealroom.errors import ConfigError
from sealroom.produce.render import BANNERS

FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
_DEBIAN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def find_font() -> Path | None:
    env = os.environ.get("SEALROOM_PDF_FONT")
    if env:
        return Path(env) if Path(env).is_file() else None
    try:
        import matplotlib

        bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        if bundled.is_file():
            return bundled
    except ImportError:
        pass
    return _DEBIAN_FONT if _DEBIAN_FONT.is_file() else None


def check_pdf_support() -> Path:
    """The font to use; a ConfigError (before any work) when fpdf2 or a font is missing."""
    try:
        import fpdf  # noqa: F401
    except ImportError:
        raise ConfigError("--pdf needs the fpdf2 package (pip install fpdf2)", code="pdf_unavailable") from None
    font = find_font()
    if font is None:
        raise ConfigError(
            "--pdf needs a Unicode TrueType font: set SEALROOM_PDF_FONT to a .ttf file "
            "(DejaVuSans.ttf from fonts-dejavu-core or matplotlib)",
            code="pdf_font",
        )
    _silence()
    return font


def _silence() -> None:
    # fpdf2 and fontTools log missing glyphs by character: that would put document text in logs
    for name in ("fpdf", "fontTools"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def render_pdf(text: str, *, bates: str, designation: str, font: Path) -> tuple[bytes, int]:
    """PDF bytes and page count of a transcript; every page carries the banner and the Bates number."""
    from fpdf import FPDF

    _silence()

    class _Doc(FPDF):  # type: ignore[misc]
        def header(self) -> None:
            self.set_font("body", size=7)
            self.cell(0, 4, BANNERS[designation], align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("body", size=8)
            self.cell(0, 5, f"{bates}    page {self.page_no()} of {{nb}}", align="R")

    pdf: Any = _Doc(format="letter")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(bates)
    pdf.add_font("body", fname=str(font))
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    pdf.set_font("body", size=9)
    # control characters other than newline and tab have no glyph and confuse line breaking
    clean = "".join(c if c in "\n\t" or c >= " " else "\ufffd" for c in text).replace("\t", "    ")
    pdf.multi_cell(0, 4.2, clean)
    return bytes(pdf.output()), int(pdf.page_no())
