from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from sealroom import log

SECRET = "Jane Q. Public lives at 12 Elm Street"


@pytest.fixture
def log_file(tmp_path: Path):
    path = tmp_path / "events.jsonl"
    log.configure(path)
    yield path
    root = logging.getLogger(log.ROOT)
    for h in list(root.handlers):
        if isinstance(h, logging.FileHandler):
            root.removeHandler(h)
            h.close()


def test_ids_and_numbers_pass_text_is_withheld(log_file: Path) -> None:
    logger = log.get_logger("ingest")
    log.event(logger, "task_done", shard="part-00001.parquet", rows=12, ok=True, conversation_id="abc-123")
    log.event(logger, "oops", snippet=SECRET, values=[SECRET, 3])
    lines = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert lines[0]["shard"] == "part-00001.parquet" and lines[0]["rows"] == 12
    assert lines[1]["snippet"] == f"<withheld str len={len(SECRET)}>"
    assert SECRET not in log_file.read_text()


def test_free_text_messages_args_and_tracebacks_never_reach_a_handler(log_file: Path) -> None:
    logger = log.get_logger("deid.engine")
    logger.warning("failed on %s", SECRET)
    logger.error(f"value was {SECRET}")
    try:
        raise ValueError(SECRET)
    except ValueError:
        logger.exception("step_failed")
    text = log_file.read_text()
    assert "Jane" not in text and "Elm" not in text
    assert "step_failed" in text
