"""The parallel half of produce: render every selected conversation into a staged row.

Bates numbers are fixed before this step runs (each task knows its shard's first number), so
tasks are independent and resumable like any other step. Volumes are assigned afterwards, in one
sequential pass (volume.py), because splitting by size depends on everything before.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from sealroom.dataset import Dataset, TaskWriter
from sealroom.dataset.location import Location, location, parquet_file
from sealroom.keys import load_key
from sealroom.produce.bates import format_bates
from sealroom.produce.inputs import SideSource, read_id_list, remap_rows
from sealroom.produce.render import render_document
from sealroom.step import Stats, Step, Task

STAGED_SCHEMA = pa.schema(
    [
        pa.field("bates", pa.int64(), nullable=False),
        pa.field("docid", pa.string(), nullable=False),
        pa.field("native", pa.large_binary(), nullable=False),
        pa.field("text", pa.large_binary(), nullable=False),
        pa.field("dat_json", pa.string(), nullable=False),
        pa.field("redactions_json", pa.string(), nullable=False),
        pa.field("pdf", pa.large_binary()),
        pa.field("pages", pa.int32()),
    ]
)
BATCH_ROWS = 256
DOCID_PURPOSE = "produce.docid"


def docid_for(key_material: bytes, conversation_id: str) -> str:
    """The DOCID: a keyed hash of the conversation id (128 bits, hex); irreversible without the key."""
    return hmac.new(key_material, conversation_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


class RenderStep(Step):
    stage = "produce.render"
    outputs = {"main": STAGED_SCHEMA}

    def __init__(
        self,
        dataset: str | os.PathLike[str] | Location,
        *,
        prefix: str,
        digits: int,
        designation: str,
        timestamps: str,
        select: str,
        select_fingerprint: str,
        key_file: Path | None,
        key_fingerprint: str,
        shard_plan: list[tuple[str, int, int]],  # (shard file, first Bates number, documents)
        hits: SideSource | None,
        replacements: SideSource | None,
        signals: SideSource | None,
        pdf: bool = False,
    ) -> None:
        self.dataset = location(dataset)
        self.prefix = prefix
        self.digits = digits
        self.designation = designation
        self.timestamps = timestamps
        self.select = select
        self.select_fingerprint = select_fingerprint
        self.key_file = key_file
        self.key_fingerprint = key_fingerprint
        self.shard_plan = shard_plan
        self.hits = hits
        self.replacements = replacements
        self.signals = signals
        self.pdf = pdf
        self._font: Path | None = None
        self._docid_key: bytes | None = None
        self._selected: set[str] | None = None

    def __getstate__(self) -> dict[str, Any]:
        # the derived key and the id set are rebuilt in each worker's setup(), never pickled
        state = dict(self.__dict__)
        state["_docid_key"] = None
        state["_selected"] = None
        return state

    def config(self) -> dict[str, Any]:
        return {
            "prefix": self.prefix,
            "digits": self.digits,
            "designation": self.designation,
            "timestamps": self.timestamps,
            "select": self.select_fingerprint,
            "key": self.key_fingerprint,
            "plan": [list(p) for p in self.shard_plan],
            "sides": {s.name: [s.fingerprint, s.needs_remap] for s in self._sides()},
            "pdf": self.pdf,
        }

    def _sides(self) -> list[SideSource]:
        return [s for s in (self.hits, self.replacements, self.signals) if s is not None]

    def inputs(self) -> list[dict[str, Any]]:
        return [Dataset.open(self.dataset).as_input()] + [Dataset.open(s.path).as_input() for s in self._sides()]

    def plan(self) -> list[Task]:
        return [
            Task(file.removeprefix("part-").removesuffix(".parquet"), (file, first, n))
            for file, first, n in self.shard_plan
            if n > 0
        ]

    def setup(self) -> None:
        key = load_key(self.key_file)
        self._docid_key = key.derive(DOCID_PURPOSE)
        if self.pdf:
            from sealroom.produce.pdf import check_pdf_support

            self._font = check_pdf_support()
        if self.select == "hits":
            from sealroom.produce.inputs import hit_ids

            assert self.hits is not None
            self._selected = hit_ids(self.hits)
        elif self.select != "all":
            self._selected = read_id_list(Path(self.select))

    def process(self, task: Task, out: TaskWriter) -> Stats:
        if self._docid_key is None:
            self.setup()
        assert self._docid_key is not None
        file, number, expected = task.payload
        stats = Stats()
        pf = parquet_file(self.dataset / file)
        value_set = None if self._selected is None else pa.array(sorted(self._selected), pa.string())
        # the side rows of this shard's documents, read once per task (not once per batch)
        ids_col = pf.read(columns=["conversation_id"]).column("conversation_id")
        if value_set is not None:
            ids_col = ids_col.filter(pc.is_in(ids_col, value_set=value_set))
        ids = ids_col.to_pylist()
        reps = self.replacements.rows_for(file, ids) if self.replacements else {}
        hits = self.hits.rows_for(file, ids) if self.hits else {}
        sigs = self.signals.rows_for(file, ids) if self.signals else {}
        for batch in pf.iter_batches(batch_size=BATCH_ROWS):
            table = pa.Table.from_batches([batch])
            if value_set is not None:
                table = table.filter(pc.is_in(table.column("conversation_id"), value_set=value_set))
            if table.num_rows == 0:
                continue
            convs = table.to_pylist()
            rows: dict[str, list[Any]] = {name: [] for name in STAGED_SCHEMA.names}
            for conv in convs:
                cid = conv["conversation_id"]
                conv_reps = reps.get(cid, [])
                conv_hits = hits.get(cid, [])
                conv_sigs = sigs.get(cid, [])
                if self.hits is not None and self.hits.needs_remap:
                    conv_hits = remap_rows(conv_hits, conv_reps)
                if self.signals is not None and self.signals.needs_remap:
                    conv_sigs = remap_rows(conv_sigs, conv_reps)
                docid = docid_for(self._docid_key, cid)
                doc = render_document(
                    conv,
                    bates=format_bates(self.prefix, number, self.digits),
                    docid=docid,
                    designation=self.designation,
                    timestamps=self.timestamps,
                    hits=conv_hits,
                    replacements=conv_reps,
                    signals=conv_sigs,
                )
                rows["bates"].append(number)
                rows["docid"].append(docid)
                rows["native"].append(doc.native)
                rows["text"].append(doc.text)
                rows["dat_json"].append(orjson.dumps(doc.dat).decode())
                rows["redactions_json"].append(orjson.dumps(doc.redactions).decode())
                if self._font is not None:
                    from sealroom.produce.pdf import render_pdf

                    pdf, pages = render_pdf(
                        doc.text.decode("utf-8"),
                        bates=doc.dat["BEGBATES"],
                        designation=self.designation,
                        font=self._font,
                    )
                    rows["pdf"].append(pdf)
                    rows["pages"].append(pages)
                    stats.add("pages", pages)
                else:
                    rows["pdf"].append(None)
                    rows["pages"].append(None)
                number += 1
                stats.add("documents")
                stats.add("hits", len(conv_hits))
                stats.add("replacements", len(conv_reps))
                stats.add("signals", len(conv_sigs))
                stats.add("documents_with_hits", 1 if conv_hits else 0)
            out.write("main", pa.table(rows, schema=STAGED_SCHEMA))
        if stats.get("documents", 0) != expected:
            from sealroom.produce.errors import ProductionError

            raise ProductionError(f"shard {file}: rendered {stats.get('documents', 0)} documents, planned {expected}")
        return stats
