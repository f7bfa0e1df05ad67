"""Ingest: real chat-log formats into the hold (canonical conversations as Parquet shards), with
malformed records quarantined with a reason and every source file hashed in the manifest."""

from sealroom.ingest.api import IngestResult, ingest
from sealroom.ingest.records import QUARANTINE_SCHEMA, REASON_CODES, Quarantined

__all__ = ["QUARANTINE_SCHEMA", "REASON_CODES", "IngestResult", "Quarantined", "ingest"]
