from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sealroom.cli.main import cli


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_produce_verify_decrypt_from_the_command_line(small_dataset: Path, key_file: Path, tmp_path: Path) -> None:
    sign, ident = tmp_path / "sign.pem", tmp_path / "them.age"
    assert run("produce-keygen", sign).exit_code == 0
    res = run("produce-keygen", ident, "--age")
    assert res.exit_code == 0
    recipient = res.output.strip().rsplit(" ", 1)[-1]
    assert recipient.startswith("age1")
    assert run("produce-keygen", sign).exit_code != 0  # never overwrites a key
    out = tmp_path / "PROD"
    res = run(
        "produce", small_dataset, "--out", out, "--prefix", "NYT", "--start", "10", "--key-file", key_file,
        "--sign-key", sign, "--encrypt-to", recipient, "--designation", "AEO", "-j", "1", "-q",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "NYT0000010-NYT0000012" in res.output
    res = run("verify", out, "--public-key", f"{sign}.pub.pem")
    assert res.exit_code == 0 and "3 documents" in res.output
    received = tmp_path / "received"
    assert run("decrypt", out / "delivery", "--identity", ident, "--out", received).exit_code == 0
    assert run("verify", received, "--public-key", f"{sign}.pub.pem").exit_code == 0
    # tamper: exit code 5 (integrity) and the file is named
    p = received / "VOL001/TEXT/NYT0000011.txt"
    p.write_bytes(p.read_bytes() + b" ")
    res = run("verify", received)
    assert res.exit_code == 5
    assert "VOL001/TEXT/NYT0000011.txt" in res.output


def test_against_replacements_finds_leaked_originals(tmp_path: Path, key_file: Path) -> None:
    from produce_fixtures import FixtureStep, conversations
    from test_verify import rehash

    from sealroom.deid.originals import OriginalsCipher
    from sealroom.keys import load_key
    from sealroom.runner import LocalRunner, run_step

    convs, reps, hits = conversations()
    cipher = OriginalsCipher(load_key(key_file))
    for r, original in zip(reps, ["Jane Roe", "jane.roe@example.org"], strict=True):
        args = (r["conversation_id"], r["message_index"], r["field"], r["start"], r["end"])
        r["original_encrypted"] = cipher.encrypt(original, *args)
    d = tmp_path / "D"
    run_step(FixtureStep(convs, reps, hits, 2), d, LocalRunner(1), show_progress=False)
    out = tmp_path / "P"
    args = ["produce", d, "--out", out, "--prefix", "ABC", "--key-file", key_file, "-j", "1", "-q"]
    assert run(*args).exit_code == 0
    check = ["verify", out, "--against-replacements", d / "replacements", "--originals-key", key_file]
    res = run(*check, "--key-file", key_file)
    assert res.exit_code == 0 and "for 2 original values" in res.output
    # leaks planted in transcripts (and re-hashed): the name in its own conversation, the e-mail
    # address in another conversation's document; named by file and replacement, values never printed
    own = out / "VOL001/TEXT/ABC0000001.txt"
    own.write_text(own.read_text() + "\nsigned, Jane Roe\n")
    other = out / "VOL001/TEXT/ABC0000002.txt"
    other.write_text(other.read_text() + "\nmail jane.roe@example.org\n")
    third = out / "VOL001/TEXT/ABC0000003.txt"
    third.write_text(third.read_text() + "\nJane Roe is a common name elsewhere\n")
    rehash(out)
    res = run(*check, "--key-file", key_file)
    assert res.exit_code == 5
    assert "VOL001/TEXT/ABC0000001.txt (document ABC0000001): contains the original value of a PERSON" in res.output
    assert "VOL001/TEXT/ABC0000002.txt (document ABC0000002): contains the original value of a EMAIL" in res.output
    assert "ABC0000003" not in res.output  # a name in another conversation is not a leak by itself
    assert "jane.roe@example.org" not in res.output and "Jane Roe" not in res.output
