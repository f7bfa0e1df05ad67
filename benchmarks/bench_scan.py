"""Benchmark of the scan stage: index build, index size, scan throughput, planted-span recall.

    python benchmarks/bench_scan.py                      # shared news corpus + 100M/10M synthetic
    python benchmarks/bench_scan.py --ref-tokens 5e6 --query-tokens 1e6   # a quick run

Synthetic corpus: articles of Zipf-distributed words from a 50,000-word vocabulary. Queries:
two-message conversations of the same kind of text, some carrying planted spans copied from random
articles, verbatim (20-300 words) or with 1-10% of words edited (substituted, inserted, deleted).
Scan throughput is measured through the real stage (``scan`` with one local worker: tokens / wall
second on one core), and separately for the matcher alone.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import numpy as np

from sealroom.dataset import Dataset
from sealroom.dataset.tables import write_tables
from sealroom.runner import LocalRunner
from sealroom.scan import AlignParams, CorpusIndex, build_corpus, find_matches
from sealroom.scan.build import build_index
from sealroom.scan.normalize import tokenize
from sealroom.scan.sources import Article
from sealroom.schema import CONVERSATION_SCHEMA, Conversation, Message, conversations_to_table

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Words:
    """Zipf-distributed made-up words (so common n-grams recur the way they do in prose)."""

    def __init__(self, seed: int, vocab: int = 50_000) -> None:
        rng = random.Random(seed)
        syll = [
            "ka",
            "lo",
            "mi",
            "ren",
            "tu",
            "sa",
            "vor",
            "pe",
            "dil",
            "no",
            "ga",
            "shu",
            "ber",
            "at",
            "quo",
            "xi",
            "el",
            "im",
            "tor",
            "bra",
        ]
        words: set[str] = set()
        while len(words) < vocab:
            words.add("".join(rng.choice(syll) for _ in range(rng.randint(1, 4))))
        self.vocab = np.array(sorted(words), dtype=object)
        p = 1.0 / np.arange(1, vocab + 1) ** 1.05
        self.cdf = np.cumsum(p / p.sum())
        self.rng = np.random.default_rng(seed)

    def text(self, n: int) -> str:
        ids = np.searchsorted(self.cdf, self.rng.random(n))
        ids = np.minimum(ids, self.vocab.size - 1)
        return " ".join(self.vocab[ids].tolist())


def synthetic_articles(total_tokens: int, seed: int) -> tuple[int, Any]:
    words = Words(seed)
    n = 0

    def gen():  # type: ignore[no-untyped-def]
        nonlocal n
        made = 0
        i = 0
        rng = np.random.default_rng(seed + 1)
        while made < total_tokens:
            size = int(rng.integers(200, 1800))
            made += size
            yield Article(f"syn-{i:08d}", words.text(size))
            i += 1
        n = i

    return 0, gen()


def edit_words(ws: list[str], rng: random.Random, share: float) -> list[str]:
    out = list(ws)
    for _ in range(max(1, int(len(ws) * share))):
        i = rng.randrange(len(out))
        op = rng.randrange(3)
        if op == 0:
            out[i] = "zzsub"
        elif op == 1:
            out.insert(i, "zzins")
        elif len(out) > 1:
            del out[i]
    return out


def reproduced(piece: str, tok: Any, s: int, n: int) -> tuple[int, int, int]:
    """The article words an edited copy of article tokens ``[s, s + n)`` still reproduces: from the first
    to the last of them found in the copy (an edit of an end word, or the rejoining of an OCR line-break
    hyphenation, makes the copy shorter than the span it was made from). Character range and words."""
    blocks = [
        b
        for b in SequenceMatcher(
            None, tokenize(piece).hashes.tolist(), tok.hashes[s : s + n].tolist(), autojunk=False
        ).get_matching_blocks()
        if b.size
    ]
    if not blocks:
        return int(tok.starts[s]), int(tok.starts[s]), 0
    f, t = s + blocks[0].b, s + blocks[-1].b + blocks[-1].size
    return int(tok.starts[f]), int(tok.ends[t - 1]), t - f


def queries(
    idx: CorpusIndex, total_tokens: int, seed: int, folder: Path, plant_every: int = 10
) -> tuple[Path, list[dict[str, Any]]]:
    """Conversations of ~1,000 words; every ``plant_every``-th (none if 0) carries a planted span in its reply."""
    words = Words(seed + 7)
    rng = random.Random(seed)
    convs, truth = [], []
    made = 0
    i = 0
    while made < total_tokens:
        user = words.text(rng.randint(30, 300))
        reply = words.text(rng.randint(300, 1200))
        plant = None
        if plant_every and i % plant_every == 0:
            art = rng.randrange(idx.n_articles)
            text, tok = idx.article_tokens(art)
            n = rng.choice([20, 30, 50, 80, 120, 200, 300])
            if len(tok) > n + 2:
                s = rng.randrange(len(tok) - n)
                a0, a1 = int(tok.starts[s]), int(tok.ends[s + n - 1])
                near = (i // plant_every) % 2 == 1
                piece = text[a0:a1]  # verbatim: the article's own characters
                if near:
                    piece = " ".join(edit_words(piece.split(), rng, rng.uniform(0.01, 0.10)))
                k0, k1, kept = reproduced(piece, tok, s, n)
                cut = rng.randint(0, len(reply))
                cut = reply.rfind(" ", 0, cut) + 1
                reply = reply[:cut] + piece + " " + reply[cut:]
                plant = {
                    "cid": f"q{i:07d}",
                    "article": idx.article_id(art),
                    "a0": a0,
                    "a1": a1,
                    "words": n,
                    "near": near,
                    # what the copy reproduces: its first to its last surviving article word (an edit
                    # of the first or last word makes a copy shorter than the span it was made from)
                    "k0": k0,
                    "k1": k1,
                    "kept_words": kept,
                }
        if plant:
            truth.append(plant)
        convs.append(
            Conversation(
                f"q{i:07d}",
                "bench",
                messages=[
                    Message(0, f"q{i}-0", None, "user", user),
                    Message(1, f"q{i}-1", f"q{i}-0", "assistant", reply),
                ],
            )
        )
        made += len(user.split()) + len(reply.split())
        i += 1
    shards = [conversations_to_table(convs[j : j + 2000]) for j in range(0, len(convs), 2000)]
    out = folder / "queries"
    write_tables(out, "ingest", {"main": CONVERSATION_SCHEMA}, [{"main": t} for t in shards])
    return out, truth


def recall(hits_dir: Path, truth: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    hits = Dataset.open(hits_dir).read(["conversation_id", "article_id", "article_start", "article_end"]).to_pylist()
    by: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for h in hits:
        by.setdefault((h["conversation_id"], h["article_id"]), []).append((h["article_start"], h["article_end"]))
    out: dict[str, list[int]] = {}

    def count(key: str, spans: list[tuple[int, int]], a0: int, a1: int, need: float) -> None:
        covered = sum(max(0, min(a1, e) - max(a0, s)) for s, e in spans)
        out.setdefault(key, [0, 0])
        out[key][0] += int(covered >= need * (a1 - a0))
        out[key][1] += 1

    for t in truth:
        spans = by.get((t["cid"], t["article"]), [])
        size = ">=50" if t["words"] >= 50 else "20-49"
        count(f"{'near' if t['near'] else 'verbatim'} {size} words", spans, t["a0"], t["a1"], 0.9 if t["near"] else 1.0)
        if t["near"]:  # the same near spans by the article words the edited copy still reproduces
            kept = t["kept_words"]
            size = ">=50" if kept >= 50 else "20-49" if kept >= 20 else "<20 (below --min-words)"
            count(f"near, by words reproduced, {size}", spans, t["k0"], t["k1"], 0.9)
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


def bench_build(label: str, make, folder: Path) -> CorpusIndex:  # type: ignore[no-untyped-def]
    t0, c0 = time.perf_counter(), time.process_time()
    idx = make(folder)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    info = idx.info()
    print(
        f"[{label}] build: {idx.n_articles:,} articles, {idx.n_tokens:,} tokens in {dt:.1f}s = "
        f"{idx.n_tokens / dt / 1e6:.2f}M tokens/s wall ({idx.n_tokens / cpu / 1e6:.2f}M per CPU-second); "
        f"fingerprints {info['fingerprints']:,}; "
        f"resident index {info['resident_bytes_per_token']:.3f} bytes/token; on disk "
        f"{info['disk_bytes'] / idx.n_tokens:.2f} bytes/token; peak RSS {peak_rss_mb():,.0f} MB"
    )
    return idx


def bench_scan(label: str, idx: CorpusIndex, ds: Path, folder: Path) -> Path:
    out = folder / "hits"
    shutil.rmtree(out, ignore_errors=True)
    # the stage in a fresh process (one worker, in-process), so its peak memory is its own:
    # VmHWM belongs to the address space, which starts afresh at exec
    code = (
        "import json, sys, time\n"
        "t0, c0 = time.perf_counter(), time.process_time()\n"
        "from sealroom.runner import LocalRunner\n"
        "from sealroom.scan import scan\n"
        "t1, c1 = time.perf_counter(), time.process_time()\n"
        "scan(sys.argv[1], sys.argv[2], sys.argv[3], runner=LocalRunner(1), show_progress=False)\n"
        "t2, c2 = time.perf_counter(), time.process_time()\n"
        "st = {x.split(':')[0]: int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('Vm')}\n"
        "print(json.dumps({'wall': t2 - t0, 'cpu': c2 - c0, 'scan_wall': t2 - t1, 'scan_cpu': c2 - c1,"
        " 'hwm_kb': st['VmHWM']}))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(ds), str(idx.path), str(out)], stdout=subprocess.PIPE, text=True
    )
    peak = {"RssAnon": 0, "RssFile": 0}
    while proc.poll() is None:  # sample private and file-backed resident memory while it runs
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                key = line.split(":")[0]
                if key in peak:
                    peak[key] = max(peak[key], int(line.split()[1]))
        except OSError:
            break
        time.sleep(0.05)
    stdout, _ = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"scan failed with exit code {proc.returncode}")
    m = json.loads(stdout.strip().splitlines()[-1])
    s = Dataset.open(out).manifest.stats
    n = s["tokens"]
    print(
        f"[{label}] scan stage, one process: {int(n):,} tokens; {n / m['scan_wall'] / 1e6:.2f}M tokens/s wall, "
        f"{n / m['scan_cpu'] / 1e6:.2f}M per CPU-second ({n / m['cpu'] / 1e6:.2f}M counting imports); "
        f"{int(s['hits']):,} hits, {int(s.get('candidates', 0)):,} candidates, "
        f"{int(s.get('pairs_aligned', 0)):,} pairs aligned; peak RSS {m['hwm_kb'] / 1024:,.0f} MB (sampled peaks: "
        f"{peak['RssAnon'] / 1024:,.0f} MB private, {peak['RssFile'] / 1024:,.0f} MB file-backed: libraries and "
        "the index pages touched, shared between processes and evictable)"
    )
    texts = [
        m["content"]
        for _, t in Dataset.open(ds).iter_shards(["messages"])
        for ms in t.column("messages").to_pylist()
        for m in ms
    ]
    t0, c0 = time.perf_counter(), time.process_time()
    for j in range(0, len(texts), 4000):
        find_matches(idx, texts[j : j + 4000], AlignParams())
    n = int(s["tokens"])
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"[{label}] matcher alone: {n / dt / 1e6:.2f}M tokens/s wall, {n / cpu / 1e6:.2f}M per CPU-second")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ref-tokens", type=float, default=100e6, help="synthetic corpus size in words")
    ap.add_argument("--query-tokens", type=float, default=10e6, help="synthetic query size in words")
    ap.add_argument("--plant-every", type=int, default=10, help="plant a span in every N-th conversation")
    ap.add_argument("--skip-shared", action="store_true", help="skip the shared news corpus")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-scan-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}; workdir {work}")
    try:
        news = SHARED / "news" / "chronam_1916-01.jsonl.gz"
        if not args.skip_shared and news.exists():
            shutil.rmtree(work / "news", ignore_errors=True)
            idx = bench_build("news", lambda f: build_corpus([news], f / "index", show_progress=False), work / "news")
            chats = SHARED / "chat"
            try:
                from sealroom.ingest import ingest

                ingest([chats], work / "news" / "hold", runner=LocalRunner(1), show_progress=False)
                bench_scan("news x shared chats", idx, work / "news" / "hold", work / "news")
            except ImportError:
                print("[news] sealroom.ingest not available: chat scan skipped")
            qs, truth = queries(idx, int(min(args.query_tokens, 2e6)), 11, work / "news", args.plant_every)
            bench_scan("news x synthetic queries", idx, qs, work / "news")
            for k, (ok, n) in recall(work / "news" / "hits", truth).items():
                print(f"[news] recall {k}: {ok}/{n} = {ok / max(n, 1):.1%}")
        if not args.skip_synthetic:
            shutil.rmtree(work / "syn", ignore_errors=True)
            _, gen = synthetic_articles(int(args.ref_tokens), 5)
            idx = bench_build("synthetic", lambda f: build_index(gen, f / "index", show_progress=False), work / "syn")
            qs, truth = queries(idx, int(args.query_tokens), 13, work / "syn", args.plant_every)
            bench_scan("synthetic", idx, qs, work / "syn")
            for k, (ok, n) in recall(work / "syn" / "hits", truth).items():
                print(f"[synthetic] recall {k}: {ok}/{n} = {ok / max(n, 1):.1%}")
            # the same amount of text with nothing planted: what a scan costs where (almost) nothing
            # matches, as in a real sample; alignment work grows with hits, not with tokens
            clean = work / "syn-clean"
            clean.mkdir(exist_ok=True)
            qs, _ = queries(idx, int(args.query_tokens), 17, clean, plant_every=0)
            bench_scan("synthetic, nothing planted", idx, qs, clean)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
