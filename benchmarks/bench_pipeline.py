"""End-to-end throughput of the demo pipeline scaled up: conversations/s and characters/s per core,
per stage, with 1 and 2 workers, and the projection to 20 million conversations on 64 cores.

    python benchmarks/bench_pipeline.py --conversations 100000 --workers 1,2
    python benchmarks/bench_pipeline.py --conversations 10000 --workers 2 --datasets s3://bucket/bench
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pyarrow.compute as pc

from sealroom.dataset import Dataset
from sealroom.dataset.location import Location, location, remove_tree
from sealroom.pipeline.config import PipelineConfig
from sealroom.pipeline.demo import prepare_demo
from sealroom.pipeline.run import Pipeline

TARGET_CONVERSATIONS = 20_000_000
TARGET_CHARS = 1e11
TARGET_CORES = 64


def total_chars(hold: Location) -> int:
    table = Dataset.open(hold).read(["messages"])
    contents = pc.list_flatten(table.column("messages")).combine_chunks().field("content")
    return int(pc.sum(pc.utf8_length(contents)).as_py() or 0)


class PeakMemory:
    """Samples the resident memory of this process and of every descendant (workers are children of
    the forkserver, which getrusage does not see) twice a second."""

    def __init__(self) -> None:
        self.coordinator = 0
        self.largest_worker = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process(os.getpid())
        while not self._stop.wait(0.5):
            try:
                self.coordinator = max(self.coordinator, me.memory_info().rss)
                for child in me.children(recursive=True):
                    self.largest_worker = max(self.largest_worker, child.memory_info().rss)
            except psutil.Error:
                continue

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_once(root: Path, conversations: int, workers: int, datasets: str | None = None) -> dict[str, float]:
    work = root / f"w{workers}"
    pipeline_file = prepare_demo(work, conversations=conversations, workers=workers)
    text = pipeline_file.read_text()
    data = location(f"{datasets.rstrip('/')}/w{workers}") if datasets else work
    if datasets:
        text = f'datasets = "{data}"\n' + text
    text = re.sub(r"(?m)^shard_size = \d+$", "shard_size = 5000", text)
    text = re.sub(r"(?m)^\[review\]\ndb = .*$", "", text)  # a web app's load is measured by bench_review
    # count withheld conversations instead of stopping: the benchmark measures throughput
    text = text.replace("[deidentify]\n", "[deidentify]\nallow_quarantine = true\n")
    pipeline_file.write_text(text)
    t0 = time.perf_counter()
    with PeakMemory() as peak:
        outcomes = Pipeline(PipelineConfig.load(pipeline_file)).run(show_progress=False)
    wall = time.perf_counter() - t0
    result = {f"stage.{o.name}": o.seconds for o in outcomes}
    result["wall"] = wall
    result["rss_coordinator"] = peak.coordinator / 2**20
    result["rss_worker"] = peak.largest_worker / 2**20
    result["conversations"] = Dataset.open(data / "hold").rows
    result["chars"] = total_chars(data / "hold")
    result["withheld"] = Dataset.open(data / "deidentified").side("quarantine").rows
    shutil.rmtree(work)
    remove_tree(data)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument(
        "--datasets",
        default=None,
        metavar="URL",
        help="put the stage datasets under this folder or object-storage URL (s3://bucket/prefix)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        root = Path(tmp)
        for workers in (int(w) for w in args.workers.split(",")):
            r = run_once(root, args.conversations, workers, args.datasets)
            per_core_conv = r["conversations"] / r["wall"] / workers
            per_core_chars = r["chars"] / r["wall"] / workers
            hours = TARGET_CHARS / (per_core_chars * TARGET_CORES) / 3600
            print(f"\n== workers={workers}: {int(r['conversations'])} conversations, {int(r['chars'])} characters")
            for key, seconds in r.items():
                if key.startswith("stage."):
                    print(f"  {key[6:]:<11} {seconds:8.1f} s")
            print(f"  total       {r['wall']:8.1f} s ({int(r['withheld'])} conversations withheld by deidentify)")
            print(f"  throughput  {per_core_conv:8.1f} conversations/s per core")
            print(f"              {per_core_chars / 1e3:8.1f}K characters/s per core")
            print(f"  projection  {hours:8.1f} h for {TARGET_CONVERSATIONS:,} conversations (1e11 characters)")
            print(f"              on {TARGET_CORES} cores")
            print(f"  peak RSS    coordinator {r['rss_coordinator']:.0f} MiB, largest worker {r['rss_worker']:.0f} MiB")


if __name__ == "__main__":
    main()
