from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from sealroom.produce.loadfiles import DAT_FIELDS, FIELD_SEP, QUOTE, dat_bytes, read_dat, read_dat_file

GOLDEN = Path(__file__).parent / "golden"
# values as a DAT carries them: anything but ® (the in-field newline marker) and lone carriage returns
values = st.text(st.characters(blacklist_characters="\u00ae\r", blacklist_categories=("Cs",)), max_size=30)


@given(st.lists(st.lists(values, min_size=3, max_size=3), max_size=5))
def test_dat_round_trips_through_a_standard_csv_reader(rows: list[list[str]]) -> None:
    fields = ("A", "B", "C")
    records = [dict(zip(fields, r, strict=True)) for r in rows]
    data = dat_bytes(records, fields).decode("utf-8")
    parsed = list(csv.reader(io.StringIO(data, newline=""), delimiter=FIELD_SEP, quotechar=QUOTE))
    assert parsed[0] == list(fields)
    assert [[v.replace("\u00ae", "\n") for v in p] for p in parsed[1:]] == rows
    assert list(read_dat(io.StringIO(data, newline=""))) == records
    # one physical line per record: in-field newlines never break a row
    assert data.count("\r\n") == len(rows) + 1


def test_golden_dat_is_byte_identical(small_dataset: Path, make_production) -> None:
    r = make_production(small_dataset)
    produced = {
        "ABC_VOL001.dat": (r.out / "VOL001/DATA/ABC_VOL001.dat").read_bytes(),
        "ABC_VOL001.csv": (r.out / "VOL001/DATA/ABC_VOL001.csv").read_bytes(),
        "ABC0000001.txt": (r.out / "VOL001/TEXT/ABC0000001.txt").read_bytes(),
        "ABC0000002.json": (r.out / "VOL001/NATIVES/ABC0000002.json").read_bytes(),
        "redaction_log.csv": (r.out / "redaction_log.csv").read_bytes(),
    }
    if os.environ.get("SEALROOM_UPDATE_GOLDEN"):
        for name, data in produced.items():
            (GOLDEN / name).write_bytes(data)
    for name, data in produced.items():
        assert data == (GOLDEN / name).read_bytes(), f"{name} differs from tests/produce/golden/{name}"


def test_golden_dat_parses_with_the_dat_delimiters() -> None:
    with open(GOLDEN / "ABC_VOL001.dat", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\x14", quotechar="þ"))
    assert tuple(rows[0]) == DAT_FIELDS
    assert [r[0] for r in rows[1:]] == ["ABC0000001", "ABC0000002", "ABC0000003"]
    assert all(len(r) == len(DAT_FIELDS) for r in rows)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["HAS_REPRODUCTION"] == "Y" and first["ARTICLES"] == "news-1916-0001"
    assert first["NATIVEPATH"] == "VOL001\\NATIVES\\ABC0000001.json"
    assert read_dat_file(GOLDEN / "ABC_VOL001.dat")[1]["MODEL"] == "gpt-4o"
