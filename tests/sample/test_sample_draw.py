from __future__ import annotations

import hmac
import random
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sample_holds import conversation, make_hold, make_key

from sealroom.dataset import Dataset
from sealroom.errors import ConfigError, KeyFileError
from sealroom.keys import load_key
from sealroom.runner import LocalRunner
from sealroom.sample import sample
from sealroom.sample.api import WORK
from sealroom.schema import conversations_to_table

N = 2000
ONE = LocalRunner(1)


def draw(hold: Path, out: Path, key_file: Path, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("runner", ONE)
    return sample(hold, out, key_file=key_file, show_progress=False, **kw)


def u_of(key_file: Path, cid: str) -> float:
    sub = load_key(key_file).derive("sample")
    return int.from_bytes(hmac.digest(sub, cid.encode(), "sha256")[:8], "big") / 2**64


def ids(path: Path) -> list[str]:
    return Dataset.open(path).read(["conversation_id"]).column("conversation_id").to_pylist()


@pytest.fixture(scope="module")
def shuffled_hold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same 2,000 conversations in another order and another shard layout."""
    order = list(range(N))
    random.Random(7).shuffle(order)
    return make_hold(tmp_path_factory.mktemp("hold2") / "hold", N, shards=7, order=order)


def test_rate_sample_is_exactly_the_documented_membership(hold: Path, key_file: Path, tmp_path: Path) -> None:
    res = draw(hold, tmp_path / "s", key_file, rate=0.25)
    want = sorted(f"conv-{i:07d}" for i in range(N) if u_of(key_file, f"conv-{i:07d}") < 0.25)
    assert sorted(ids(tmp_path / "s")) == want
    assert res.sample_size == len(want) and res.population == N
    # rows are the hold's records, unchanged, in the hold's order
    got = Dataset.open(tmp_path / "s").read()
    assert got.equals(conversations_to_table([conversation(int(c.split("-")[1])) for c in ids(tmp_path / "s")]))
    assert [s.file for s in Dataset.open(tmp_path / "s").shards] == [s.file for s in Dataset.open(hold).shards]
    assert not (tmp_path / "s" / WORK).exists()


@pytest.mark.parametrize(
    "kw",
    [
        {"rate": 0.1},
        {"size": 150, "stratify": "month(created_at)"},
        {"per_stratum": 9, "stratify": "account_type", "where": "model != 'gpt-4'"},
    ],
)
def test_same_key_same_sample_across_shard_layouts_and_file_order(
    hold: Path, shuffled_hold: Path, key_file: Path, tmp_path: Path, kw: dict
) -> None:
    a = draw(hold, tmp_path / "a", key_file, **kw)
    b = draw(shuffled_hold, tmp_path / "b", key_file, **kw)
    assert sorted(ids(tmp_path / "a")) == sorted(ids(tmp_path / "b"))
    assert a.ids_sha256 == b.ids_sha256
    for k in ("rows", "population", "sample", "strata", "exclusions", "method", "sample_ids"):
        assert a.report[k] == b.report[k]


def test_same_output_bytes_with_any_worker_count(hold: Path, key_file: Path, tmp_path: Path) -> None:
    kw = {"size": 200, "stratify": "account_type", "where": ["len(messages) >= 1"]}
    one = draw(hold, tmp_path / "one", key_file, **kw)
    two = draw(hold, tmp_path / "two", key_file, runner=LocalRunner(2), **kw)
    assert Dataset.open(tmp_path / "one").fingerprint == Dataset.open(tmp_path / "two").fingerprint
    assert (tmp_path / "one" / "sampling_report.json").read_bytes().replace(b"/one", b"/x") == (
        tmp_path / "two" / "sampling_report.json"
    ).read_bytes().replace(b"/two", b"/x")
    assert one.report["sample"] == two.report["sample"] == 200


@pytest.mark.slow
def test_same_sample_on_the_dask_runner(hold: Path, key_file: Path, tmp_path: Path) -> None:
    from sealroom.runner import make_runner

    local = draw(hold, tmp_path / "local", key_file, size=120, stratify="model")
    runner = make_runner(cluster="local:2")
    try:
        dask = draw(hold, tmp_path / "dask", key_file, size=120, stratify="model", runner=runner)
    finally:
        runner.close()
    assert Dataset.open(tmp_path / "local").fingerprint == Dataset.open(tmp_path / "dask").fingerprint
    assert local.ids_sha256 == dask.ids_sha256


def test_different_key_gives_a_different_sample(
    hold: Path, key_file: Path, other_key_file: Path, tmp_path: Path
) -> None:
    a = draw(hold, tmp_path / "a", key_file, size=100)
    b = draw(hold, tmp_path / "b", other_key_file, size=100)
    assert a.sample_size == b.sample_size == 100
    assert a.ids_sha256 != b.ids_sha256
    assert len(set(ids(tmp_path / "a")) & set(ids(tmp_path / "b"))) < 30
    assert a.report["key_fingerprint"] != b.report["key_fingerprint"]


def test_size_takes_the_smallest_u_with_exact_proportional_strata(hold: Path, key_file: Path, tmp_path: Path) -> None:
    res = draw(hold, tmp_path / "s", key_file, size=301, stratify="model")
    convs = [conversation(i) for i in range(N)]
    strata = Counter(c.model for c in convs)
    # largest remainder on 667/667/666 of 2000 for 301: 100.4, 100.4, 100.2 -> 101, 100, 100 by label order
    by_value = {s["value"]: s for s in res.report["strata"]}
    assert sum(s["sample"] for s in res.report["strata"]) == 301
    for value, s in by_value.items():
        assert s["rows"] == s["population"] == strata[value]
        assert s["sample"] == s["target"]
        assert abs(s["target"] - 301 * strata[value] / N) < 1
        want = sorted((c for c in convs if c.model == value), key=lambda c: u_of(key_file, c.conversation_id))
        got = {cid for cid in ids(tmp_path / "s") if conversation(int(cid.split("-")[1])).model == value}
        assert got == {c.conversation_id for c in want[: s["target"]]}


def test_per_stratum_with_exclusions_and_null_strata(hold: Path, key_file: Path, tmp_path: Path) -> None:
    res = draw(
        hold,
        tmp_path / "s",
        key_file,
        per_stratum=40,
        stratify="month(created_at)",
        where=["account_type != 'business'", "len(messages) = 2"],
    )
    convs = [conversation(i) for i in range(N)]
    first = [c for c in convs if c.account_type != "business" and c.account_type is not None]
    e0 = res.report["exclusions"][0]
    assert e0["excluded"] == sum(c.account_type == "business" for c in convs)
    assert e0["excluded_null"] == sum(c.account_type is None for c in convs)
    e1 = res.report["exclusions"][1]
    assert e1["excluded"] == sum(len(c.messages) != 2 for c in first)
    eligible = [c for c in first if len(c.messages) == 2]
    assert res.report["population"] == len(eligible) and res.report["rows"] == N
    months = Counter(None if c.created_at is None else c.created_at.strftime("%Y-%m") for c in eligible)
    for s in res.report["strata"]:
        assert s["population"] == months.get(s["value"], 0)
        assert s["sample"] == min(40, s["population"])
    assert res.report["strata"][-1]["value"] is None  # the null stratum exists and is listed last
    got = set(ids(tmp_path / "s"))
    assert got <= {c.conversation_id for c in eligible}


def test_size_larger_than_the_population_takes_everything(hold: Path, key_file: Path, tmp_path: Path) -> None:
    res = draw(hold, tmp_path / "s", key_file, size=10 * N, where="model = 'gpt-4'")
    assert res.sample_size == res.report["population"] == sum(conversation(i).model == "gpt-4" for i in range(N))


def test_rate_one_takes_everything_eligible(hold: Path, key_file: Path, tmp_path: Path) -> None:
    assert draw(hold, tmp_path / "s", key_file, rate=1).sample_size == N


def test_rerun_resumes_and_a_changed_request_is_refused(hold: Path, key_file: Path, tmp_path: Path) -> None:
    first = draw(hold, tmp_path / "s", key_file, size=50)
    again = draw(hold, tmp_path / "s", key_file, size=50)
    assert again.ran == 0 and again.skipped == len(Dataset.open(hold).shards)
    assert again.report == first.report
    with pytest.raises(ConfigError, match="--restart"):
        draw(hold, tmp_path / "s", key_file, size=60)
    assert draw(hold, tmp_path / "s", key_file, size=60, restart=True).sample_size == 60


def test_no_key_material_in_any_output(hold: Path, key_file: Path, tmp_path: Path) -> None:
    draw(hold, tmp_path / "s", key_file, size=30, stratify="model")
    key = load_key(key_file)
    secrets = [key.material, key.material.hex().encode(), key.derive("sample"), key.derive("sample").hex().encode()]
    for p in (tmp_path / "s").rglob("*"):
        if p.is_file():
            data = p.read_bytes() if p.suffix != ".parquet" else pq.read_table(p).to_string().encode()
            assert not any(s in data for s in secrets), p.name


def test_no_conversation_text_outside_the_sampled_records(hold: Path, key_file: Path, tmp_path: Path) -> None:
    """Titles and messages carry a canary: only the sampled Parquet records may contain it."""
    draw(hold, tmp_path / "s", key_file, size=30, stratify="month(created_at)", where="len(title) > 3")
    checked = 0
    for p in (tmp_path / "s").rglob("*"):
        if p.is_file() and p.suffix != ".parquet":
            assert b"CANARY" not in p.read_bytes(), p.name
            checked += 1
    assert checked >= 3  # manifest, plan, report, summary, done markers


@pytest.mark.parametrize(
    ("kw", "error", "fragment"),
    [
        ({"rate": 0}, ConfigError, "--rate must be in (0, 1]"),
        ({"rate": 1.5}, ConfigError, "--rate must be in (0, 1]"),
        ({"rate": -0.1}, ConfigError, "--rate"),
        ({"rate": float("nan")}, ConfigError, "--rate"),
        ({"size": 0}, ConfigError, "--size"),
        ({"rate": 0.1, "size": 5}, ConfigError, "exactly one of --rate, --size"),
        ({}, ConfigError, "exactly one of"),
        ({"per_stratum": 5}, ConfigError, "--per-stratum needs --stratify"),
        ({"rate": 0.1, "stratify": "plan"}, ConfigError, "--stratify: unknown column 'plan'"),
        ({"rate": 0.1, "where": "open('x')"}, ConfigError, "--where: unknown function 'open'"),
        ({"rate": 0.1, "where": ["model = 'a'", "exec"]}, ConfigError, "--where #2"),
    ],
)
def test_bad_parameters_fail_naming_the_parameter(
    hold: Path, key_file: Path, tmp_path: Path, kw: dict, error: type, fragment: str
) -> None:
    with pytest.raises(error) as err:
        draw(hold, tmp_path / "s", key_file, **kw)
    assert fragment in str(err.value)
    assert not (tmp_path / "s").exists()


def test_missing_or_empty_key_file(hold: Path, tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="--key-file: key file not found"):
        draw(hold, tmp_path / "s", tmp_path / "absent.key", rate=0.1)
    (tmp_path / "empty.key").write_text("\n")
    with pytest.raises(KeyFileError, match="--key-file: key is empty"):
        draw(hold, tmp_path / "s", tmp_path / "empty.key", rate=0.1)
    with pytest.raises(KeyFileError, match="--key-file"):
        draw(hold, tmp_path / "s", make_key(tmp_path / "short.key", "short"), rate=0.1)
    with pytest.raises(KeyFileError, match="--key-file is required"):
        sample(hold, tmp_path / "s", key_file=None, rate=0.1)
