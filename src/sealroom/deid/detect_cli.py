"""``sealroom detect`` and ``sealroom evaluate``: the detectors on JSONL documents, and their scores."""

from __future__ import annotations

import json
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import click
import orjson

from sealroom.errors import ConfigError, InputError

_POLICIES = click.Choice(["all", "gated", "windows", "roles", "off"])


def _analyzer(config: Path | None, ner_policy: str | None) -> Any:
    from sealroom.deid.analyzer import Analyzer, AnalyzerConfig

    data: dict[str, Any] = {}
    if config is not None:
        try:
            raw = config.read_bytes()
            data = tomllib.loads(raw.decode()) if config.suffix == ".toml" else json.loads(raw)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read analyzer config {config.name}: {type(exc).__name__}") from None
        data = data.get("analyzer", data)
    if ner_policy:
        data["ner_policy"] = ner_policy
    try:
        return Analyzer(AnalyzerConfig(**data))
    except ValueError as exc:
        raise ConfigError(
            f"invalid analyzer config: {exc.errors()[0]['loc'] if hasattr(exc, 'errors') else ''}"
        ) from None


def _predict(docs: list[dict[str, Any]], analyzer: Any) -> tuple[dict[str, list[Any]], float]:
    from sealroom.deid.evaluation.detect import detect_documents
    from sealroom.deid.evaluation.metrics import Span

    analyzer.load()
    t0 = time.perf_counter()
    pred = {
        doc_id: [Span(f.start, f.end, f.label) for f in found] for doc_id, found in detect_documents(docs, analyzer)
    }
    return pred, time.perf_counter() - t0


@click.command("detect")
@click.argument("docs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True, help="SPANS.jsonl")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Analyzer config.")
@click.option("--ner-policy", type=_POLICIES, default=None, help="Where NER runs [default: gated].")
@click.option("--explain", is_flag=True, help="Add each span's detector and explanation.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def detect(docs: Path, out: Path, config: Path | None, ner_policy: str | None, explain: bool, quiet: bool) -> None:
    """Find identifiers in DOCS.jsonl lines {"id","text"[,"turns"]}; write {"id","spans"} lines."""
    from sealroom.deid.evaluation.detect import detect_documents, read_jsonl, span_line
    from sealroom.progress import progress_bar

    analyzer = _analyzer(config, ner_policy)
    n = 0
    t0 = time.perf_counter()
    documents = list(read_jsonl(docs))
    chars = sum(len(d["text"]) for d in documents)
    with out.open("wb") as f, progress_bar("detect", total=len(documents), enabled=not quiet) as advance:
        for doc_id, found in detect_documents(documents, analyzer):
            f.write(orjson.dumps(span_line(doc_id, found, explain)) + b"\n")
            n += 1
            advance(1)
    dt = time.perf_counter() - t0
    click.echo(f"{n} documents, {chars} characters in {dt:.1f}s ({chars / max(dt, 1e-9):,.0f} chars/s) -> {out}")


@click.command("evaluate")
@click.option("--gold", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--pred", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="SPANS.jsonl to score.")
@click.option("--baseline", type=click.Choice(["presidio"]), multiple=True, help="Also run and score a baseline.")
@click.option("--baseline-threshold", type=float, default=0.0, show_default=True, help="Presidio score threshold.")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Analyzer config.")
@click.option("--ner-policy", type=_POLICIES, default=None, help="Where NER runs [default: gated].")
@click.option("--limit", type=int, default=None, help="Score only the first N gold documents.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the full report.")
def evaluate(
    gold: Path,
    pred: Path | None,
    baseline: tuple[str, ...],
    baseline_threshold: float,
    config: Path | None,
    ner_policy: str | None,
    limit: int | None,
    json_out: Path | None,
) -> None:
    """Span-level P/R/F1 per label (exact and overlap), whole-span and entity-level recall and the
    spurious-span rate of sealroom (or --pred) against gold lines {"id","text","spans"}."""
    from rich.console import Console

    from sealroom.deid.evaluation.detect import read_jsonl
    from sealroom.deid.evaluation.metrics import Span
    from sealroom.deid.evaluation.metrics import evaluate as score
    from sealroom.deid.evaluation.report import comparison_table, target_check

    docs = list(read_jsonl(gold))[:limit]
    for k, doc in enumerate(docs):
        if not isinstance(doc.get("spans"), list):
            raise InputError(f"{gold.name}: document {k} has no 'spans' list")
    chars = sum(len(d["text"]) for d in docs)
    results: dict[str, dict[str, Any]] = {}
    speed: dict[str, float] = {}
    if pred is not None:
        predictions = {
            str(line["id"]): [Span(int(s["start"]), int(s["end"]), str(s["label"])) for s in line.get("spans", [])]
            for line in (orjson.loads(raw) for raw in pred.read_bytes().splitlines() if raw.strip())
        }
        results["pred"] = score(docs, predictions).as_dict()
    else:
        predictions, dt = _predict(docs, _analyzer(config, ner_policy))
        results["sealroom"] = score(docs, predictions).as_dict()
        speed["sealroom"] = chars / max(dt, 1e-9)
    if "presidio" in baseline:
        from sealroom.deid.evaluation.presidio_baseline import build_presidio, presidio_detect

        engine = build_presidio()
        t0 = time.perf_counter()
        base = presidio_detect(docs, threshold=baseline_threshold, engine=engine)
        speed["presidio"] = chars / max(time.perf_counter() - t0, 1e-9)
        results["presidio"] = score(docs, base).as_dict()
    console = Console(width=None if sys.stdout.isatty() else 160)  # a full table in files and CI logs
    console.print(comparison_table(results))
    for system, cps in speed.items():
        console.print(f"{system}: {cps:,.0f} chars/s on this machine (one process)")
    first = next(iter(results))
    checks = target_check(results[first])
    console.print(
        "targets: " + ", ".join(f"{k} {'ok' if v['met'] else 'MISSED'} ({v['value']:.3f})" for k, v in checks.items())
    )
    if json_out is not None:
        payload = {"documents": len(docs), "characters": chars, "results": results, "chars_per_s": speed,
                   "targets": checks}  # fmt: skip
        json_out.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
