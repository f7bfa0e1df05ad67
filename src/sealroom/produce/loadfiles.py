"""Load files review platforms import: Concordance DAT, a CSV twin for people, Opticon OPT.

DAT conventions (Concordance/Relativity): UTF-8 without BOM, CRLF line ends, a header row, every
value wrapped in the text qualifier þ (U+00FE) and separated by U+0014; a newline inside a value is
written as ® (U+00AE). A qualifier inside a value is doubled, which is what Python's ``csv`` module
(``delimiter="\\x14", quotechar="þ"``) expects, so a standard reader parses the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

FIELD_SEP = "\x14"
QUOTE = "\u00fe"
NEWLINE = "\u00ae"
EOL = "\r\n"

#: The DAT/CSV columns, in order (docs/produce.md describes each).
DAT_FIELDS: tuple[str, ...] = (
    "BEGBATES",
    "ENDBATES",
    "DOCID",
    "DATE",
    "MODEL",
    "TURNS",
    "MESSAGES",
    "HAS_REPRODUCTION",
    "ARTICLES",
    "ORIGINS",
    "SIGNALS",
    "REPLACEMENTS",
    "DESIGNATION",
    "VOLUME",
    "TEXTPATH",
    "NATIVEPATH",
    "IMAGEPATH",
    "PAGECOUNT",
    "FILESIZE",
    "SHA256",
)


def dat_value(value: str) -> str:
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", NEWLINE)
    return QUOTE + text.replace(QUOTE, QUOTE + QUOTE) + QUOTE


def dat_line(values: Sequence[str]) -> str:
    return FIELD_SEP.join(dat_value(v) for v in values) + EOL


class LoadFileWriter:
    """Writes one volume's DAT and CSV side by side, a row per document."""

    def __init__(self, dat: IO[str], csv_fh: IO[str], fields: Sequence[str] = DAT_FIELDS) -> None:
        self.fields = tuple(fields)
        self.dat = dat
        self.csv = csv.writer(csv_fh, lineterminator=EOL)
        self.dat.write(dat_line(self.fields))
        self.csv.writerow(self.fields)

    def row(self, record: dict[str, str]) -> None:
        values = [record.get(f, "") for f in self.fields]
        self.dat.write(dat_line(values))
        self.csv.writerow(values)


def open_text(path: Path) -> IO[str]:
    # newline="" so CRLF is written exactly as given (no platform translation)
    return open(path, "w", encoding="utf-8", newline="")


def read_dat(fh: IO[str]) -> Iterator[dict[str, str]]:
    """Rows of a DAT as dicts (header row first), with ® turned back into newlines."""
    reader = csv.reader(fh, delimiter=FIELD_SEP, quotechar=QUOTE, strict=True)
    header = next(reader, None)
    if header is None:
        return
    for line_no, values in enumerate(reader, start=2):
        if len(values) != len(header):
            raise ValueError(f"line {line_no} has {len(values)} fields, header has {len(header)}")
        yield {k: v.replace(NEWLINE, "\n") for k, v in zip(header, values, strict=True)}


def read_dat_file(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(read_dat(fh))


def opt_line(image_key: str, volume: str, image_path: str, pages: int) -> str:
    """Opticon: ImageKey,Volume,ImagePath,DocBreak,FolderBreak,BoxBreak,PageCount."""
    return f"{image_key},{volume},{image_path},Y,,,{pages}{EOL}"


def dat_bytes(rows: Sequence[dict[str, str]], fields: Sequence[str] = DAT_FIELDS) -> bytes:
    """A whole DAT in memory (tests and small tools)."""
    buf = io.StringIO(newline="")
    w = LoadFileWriter(buf, io.StringIO(newline=""), fields)
    for r in rows:
        w.row(r)
    return buf.getvalue().encode("utf-8")
