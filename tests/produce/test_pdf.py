from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest

from sealroom.dataset.files import dump_json
from sealroom.produce.loadfiles import read_dat_file
from sealroom.produce.pdf import find_font
from sealroom.produce.verify import verify_production

pytest.importorskip("fpdf")
if find_font() is None:  # pragma: no cover - depends on the machine
    pytest.skip("no DejaVu Sans font for --pdf", allow_module_level=True)


def test_pdf_page_images_with_opticon_load_file(small_dataset: Path, make_production, tmp_path: Path) -> None:
    r = make_production(small_dataset, pdf=True)
    rows = read_dat_file(r.out / "VOL001/DATA/ABC_VOL001.dat")
    opt = (r.out / "VOL001/DATA/ABC_VOL001.opt").read_text(encoding="utf-8").splitlines()
    assert len(opt) == 3
    for row, line in zip(rows, opt, strict=True):
        pdf = (r.out / row["IMAGEPATH"].replace("\\", "/")).read_bytes()
        assert pdf.startswith(b"%PDF-")
        pages = int(row["PAGECOUNT"])
        assert pages >= 1
        assert line == f"{row['BEGBATES']},VOL001,VOL001\\IMAGES\\{row['BEGBATES']}.pdf,Y,,,{pages}"
    assert r.counts["pages"] == sum(int(row["PAGECOUNT"]) for row in rows)
    assert verify_production(r.out).ok
    # same input, same bytes (the PDF creation date is fixed)
    again = make_production(small_dataset, pdf=True)
    assert (again.out / "VOL001/IMAGES/ABC0000001.pdf").read_bytes() == (
        r.out / "VOL001/IMAGES/ABC0000001.pdf"
    ).read_bytes()
    # a changed OPT line is named even when the manifest is made to match
    opt_path = r.out / "VOL001/DATA/ABC_VOL001.opt"
    opt_path.write_text(opt_path.read_text().replace(",Y,,,", ",N,,,", 1), encoding="utf-8")
    m = orjson.loads((r.out / "manifest.json").read_bytes())
    for f in m["files"]:
        if f["path"].endswith(".opt"):
            f["sha256"] = hashlib.sha256(opt_path.read_bytes()).hexdigest()
            f["size"] = opt_path.stat().st_size
    (r.out / "manifest.json").write_bytes(dump_json(m))
    problems = verify_production(r.out).problems
    assert problems == ["VOL001/DATA/ABC_VOL001.opt (document ABC0000001): line differs from the DAT row"]


def test_missing_glyphs_are_not_logged(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    from sealroom.produce.pdf import check_pdf_support, render_pdf

    font = check_pdf_support()
    data, pages = render_pdf("秘密の名前 and more\n" * 3, bates="ABC0000009", designation="AEO", font=font)
    assert data.startswith(b"%PDF-") and pages == 1
    out = capsys.readouterr()
    assert "秘" not in out.out + out.err and "秘" not in caplog.text
