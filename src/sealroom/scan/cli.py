"""CLI: ``sealroom corpus build|add|info``, ``sealroom scan``, ``sealroom search``."""

from __future__ import annotations

from pathlib import Path

import click

from sealroom.cli.options import DATASET, DATASET_IN, INDEX_IN, open_runner, runner_options
from sealroom.dataset.location import Location


@click.group()
def corpus() -> None:
    """Index a publisher's articles for scanning."""


@corpus.command("build")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Index folder to create.")
@click.option("--ngram", "k", type=click.IntRange(2, 32), default=5, show_default=True, help="Words per fingerprint.")
@click.option("--window", "w", type=click.IntRange(1, 64), default=8, show_default=True, help="Winnowing window.")
@click.option("--publisher", default=None, help="Publisher key for articles that name none (see --publishers).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def corpus_build(sources: tuple[Path, ...], out: Path, k: int, w: int, publisher: str | None, quiet: bool) -> None:
    """Index ARTICLES (JSONL/JSON/Parquet records with id and text, folders of .txt, .gz of any).

    Every run of at least NGRAM + WINDOW - 1 words shared with an article is found by a scan.
    """
    from sealroom.scan.build import build_corpus

    idx = build_corpus(list(sources), out, k=k, w=w, publisher=publisher, show_progress=not quiet)
    _print_info(idx.info())


@corpus.command("add")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--index", "index", required=True, type=click.Path(path_type=Path), help="Existing index folder.")
@click.option("--publisher", default=None, help="Publisher key for articles that name none.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def corpus_add(sources: tuple[Path, ...], index: Path, publisher: str | None, quiet: bool) -> None:
    """Add articles to an index as a new segment (ids already indexed are skipped)."""
    from sealroom.scan.build import add_to_corpus

    idx, stats = add_to_corpus(index, list(sources), publisher=publisher, show_progress=not quiet)
    click.echo(f"added {stats['articles']} articles ({stats['tokens']} words), skipped {stats['duplicates']} known ids")
    _print_info(idx.info())


@corpus.command("info")
@click.argument("index", type=click.Path(path_type=Path))
def corpus_info(index: Path) -> None:
    """Print an index's counts and parameters."""
    from sealroom.scan.index import CorpusIndex

    _print_info(CorpusIndex.open(index).info())


def _print_info(info: dict[str, object]) -> None:
    for key, value in info.items():
        if isinstance(value, float):
            value = f"{value:.3f}"
        click.echo(f"{key}: {value}")


@click.command()
@click.argument("dataset", type=DATASET_IN)
@click.option("--index", "index", required=True, type=INDEX_IN, help="Corpus index folder (or URL).")
@click.option("--out", "out", required=True, type=DATASET, help="Hits dataset to write.")
@click.option("--min-words", type=click.IntRange(min=5), default=20, show_default=True, help="Shortest span reported.")
@click.option("--publishers", type=click.Path(path_type=Path), default=None, help="Publisher signals TOML.")
@runner_options
def scan_command(
    dataset: Location,
    index: Location,
    out: Location,
    min_words: int,
    publishers: Path | None,
    workers: int | None,
    cluster: str | None,
    restart: bool,
    quiet: bool,
) -> None:
    """Find text of the indexed articles in DATASET's conversations: hits, summary/ and signals/."""
    from sealroom.scan.step import scan

    with open_runner(workers, cluster) as runner:
        result = scan(
            dataset,
            index,
            out,
            min_words=min_words,
            publishers=publishers,
            runner=runner,
            restart=restart,
            show_progress=not quiet,
        )
    s = result.stats
    click.echo(
        f"scanned {int(s.get('conversations', 0))} conversations ({int(s.get('tokens', 0))} words): "
        f"{int(s.get('hits', 0))} hits in {int(s.get('conversations_with_hits', 0))} conversations "
        f"(user {int(s.get('hits_user', 0))}, pasted {int(s.get('hits_pasted', 0))}, "
        f"continued {int(s.get('hits_continued', 0))}, generated {int(s.get('hits_generated', 0))}); "
        f"{result.ran} shards scanned, {result.skipped} already done"
    )


@click.command()
@click.argument("dataset", type=DATASET_IN)
@click.option(
    "--index",
    "index",
    required=True,
    type=click.Path(path_type=Path),
    help="Index of DATASET's messages (built here on first use, reused after).",
)
@click.option("--queries", required=True, type=click.Path(path_type=Path), help="JSONL of {id, text} to find.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="JSONL of matching spans.")
@click.option("--min-words", type=click.IntRange(min=5), default=20, show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def search_command(dataset: Location, index: Path, queries: Path, out: Path, min_words: int, quiet: bool) -> None:
    """Find the query texts in DATASET; write only conversation ids, message numbers and offsets."""
    from sealroom.scan.search import search

    r = search(dataset, queries, out, index=index, min_words=min_words, show_progress=not quiet)
    click.echo(f"{r.queries} queries: {r.matches} matching spans in {r.conversations} conversations → {r.out}")
