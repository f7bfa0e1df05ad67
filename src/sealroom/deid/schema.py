"""Arrow schema of the de-identification replacement log (contract for produce and review)."""

from __future__ import annotations

import pyarrow as pa

#: One row per change made to a message (or a metadata field). ``start``/``end`` are character
#: offsets into the *input* text; ``out_start``/``out_end`` into the *de-identified* text, so a
#: viewer can mark the replacement. ``field`` is ``"content"`` for message text, else the name of
#: the metadata field (``message_index`` is -1 for conversation-level fields). Never the original
#: value: that exists only in the optional encrypted ``originals`` column.
REPLACEMENT_SCHEMA = pa.schema(
    [
        pa.field("conversation_id", pa.string(), nullable=False),
        pa.field("message_index", pa.int32(), nullable=False),
        pa.field("field", pa.string(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("out_start", pa.int64(), nullable=False),
        pa.field("out_end", pa.int64(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("detector", pa.string(), nullable=False),
        pa.field("score", pa.float32(), nullable=False),
        pa.field("operator", pa.string(), nullable=False),
        pa.field("replacement", pa.large_string(), nullable=False),
        pa.field("original_encrypted", pa.binary()),
    ]
)

#: Records the de-identifier could not treat (withheld from the output): ids, a stable code and a
#: reason naming offsets and parameters, never text. ``message_index`` is null for the whole record.
DEID_QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("conversation_id", pa.string(), nullable=False),
        pa.field("message_index", pa.int32()),
        pa.field("code", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
    ]
)
