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

#: One row per scanned conversation (with zeros where nothing matched, so prevalence has its
#: denominator). ``words_*`` count span words (text side) by origin; ``articles`` lists, per
#: article matched, the share of its words that the conversation reproduces.
ARTICLE_COVERAGE = pa.struct(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("hits", pa.int32(), nullable=False),
        pa.field("words", pa.int64(), nullable=False),
        pa.field("article_words", pa.int64(), nullable=False),
        pa.field("coverage", pa.float32(), nullable=False),
        pa.field("model_coverage", pa.float32(), nullable=False),
    ]
)
SUMMARY_SCHEMA = pa.schema(
    [
        pa.field("conversation_id", pa.string(), nullable=False),
        pa.field("messages", pa.int32(), nullable=False),
        pa.field("hits", pa.int32(), nullable=False),
        pa.field("words_user", pa.int64(), nullable=False),
        pa.field("words_pasted", pa.int64(), nullable=False),
        pa.field("words_continued", pa.int64(), nullable=False),
        pa.field("words_generated", pa.int64(), nullable=False),
        pa.field("longest_span", pa.int32(), nullable=False),
        pa.field("articles_matched", pa.int32(), nullable=False),
        pa.field("articles", pa.list_(pa.field("item", ARTICLE_COVERAGE, nullable=False)), nullable=False),
    ]
)

SIGNALS = ("publisher_named", "publisher_link", "paywall_request", "attribution", "unverified_attribution")

#: One row per news signal in a message; offsets as in HITS_SCHEMA. ``detail``: a domain for links,
#: the pattern number for paywall requests; never the matched text.
SIGNALS_SCHEMA = pa.schema(
    [
        pa.field("conversation_id", pa.string(), nullable=False),
        pa.field("message_index", pa.int32(), nullable=False),
        pa.field("role", pa.string(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("signal", pa.string(), nullable=False),
        pa.field("publisher", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
    ]
)
