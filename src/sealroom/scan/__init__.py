"""scan: find conversations that reproduce a publisher's articles, with exact spans and origins.

Library API (the CLI is a thin layer over it)::

    build_corpus(sources, out, *, k=5, w=8, publisher=None, overwrite=False) -> CorpusIndex
    add_to_corpus(index, sources, *, publisher=None) -> (CorpusIndex, counts)
    CorpusIndex.open(path)
    scan(dataset, index, out, *, min_words=20, publishers=None, runner=None, restart=False,
         show_progress=True) -> StepResult
    search(dataset, queries, out, *, index, min_words=20, show_progress=True) -> SearchResult
    find_matches(index, texts, AlignParams(min_words=20)) -> list[Match]
"""

from sealroom.scan.align import AlignParams, Span
from sealroom.scan.build import add_to_corpus, build_corpus
from sealroom.scan.index import CorpusIndex
from sealroom.scan.matcher import Match, find_matches
from sealroom.scan.schema import HITS_SCHEMA, KINDS, ORIGINS, SIGNALS_SCHEMA, SUMMARY_SCHEMA
from sealroom.scan.search import SearchResult, search
from sealroom.scan.step import ScanStep, scan

__all__ = [
    "HITS_SCHEMA",
    "KINDS",
    "ORIGINS",
    "SIGNALS_SCHEMA",
    "SUMMARY_SCHEMA",
    "AlignParams",
    "CorpusIndex",
    "Match",
    "ScanStep",
    "SearchResult",
    "Span",
    "add_to_corpus",
    "build_corpus",
    "find_matches",
    "scan",
    "search",
]
