"""Arrow schemas of scan's outputs (the contract deidentify, report, produce and review read)."""

from __future__ import annotations

import pyarrow as pa

#: Where a reproduced span came from (see docs/scan.md).
ORIGINS = ("user", "pasted", "continued", "generated")
KINDS = ("verbatim", "near")

#: One row per reproduced span. ``start``/``end`` are character (code point) offsets into that
#: message's ``content`` in the scanned dataset; ``message_index`` is ``Message.index``.
HITS_SCHEMA = pa.schema(
    [
        pa.field("conversation_id", pa.string(), nullable=False),
        pa.field("message_index", pa.int32(), nullable=False),
        pa.field("role", pa.string(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("article_start", pa.int64(), nullable=False),
        pa.field("article_end", pa.int64(), nullable=False),
        pa.field("words", pa.int32(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("similarity", pa.float32(), nullable=False),
        pa.field("origin", pa.string(), nullable=False),
    ]
)
