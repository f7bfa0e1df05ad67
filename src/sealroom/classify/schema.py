"""Arrow schema of classify's output: one row per conversation, labels plus scan's news signals.

The output stays inside the hold (it carries conversation ids and user keys so the report can
count distinct users); only ``sealroom report`` aggregates leave.
"""

from __future__ import annotations

import pyarrow as pa

from sealroom.schema import TIMESTAMP

CLASSIFIED_SCHEMA = pa.schema(
    [
        pa.field("conversation_id", pa.string(), nullable=False),
        pa.field("user_key", pa.string()),
        pa.field("created_at", TIMESTAMP),
        pa.field("model", pa.string()),
        pa.field("classifier", pa.string(), nullable=False),
        pa.field("topic", pa.string(), nullable=False),
        pa.field("topic_confidence", pa.float32(), nullable=False),
        pa.field("intent", pa.string(), nullable=False),
        pa.field("intent_confidence", pa.float32(), nullable=False),
        pa.field("work_related", pa.bool_(), nullable=False),
        pa.field("work_confidence", pa.float32(), nullable=False),
        pa.field("language", pa.string(), nullable=False),
        pa.field("language_confidence", pa.float32(), nullable=False),
        # news signals from scan (zero / empty when classify ran without --hits)
        pa.field("hit_spans", pa.int32(), nullable=False),
        pa.field("reproduced_words", pa.int64(), nullable=False),
        pa.field("origins", pa.list_(pa.string()), nullable=False),
        pa.field("article_ids", pa.list_(pa.string()), nullable=False),
        pa.field("signals", pa.list_(pa.string()), nullable=False),
    ]
)
