"""Source-format adapters, found through a registry (third parties add theirs with the
``sealroom.adapters`` entry-point group, under a versioned name such as ``myformat.v1``)."""

from __future__ import annotations

from sealroom.errors import ConfigError
from sealroom.ingest.adapters.base import Adapter, RecordContext
from sealroom.ingest.adapters.chatgpt import ChatGPTAdapter
from sealroom.ingest.adapters.lmsys import LmsysAdapter
from sealroom.ingest.adapters.openai_jsonl import OpenAIJsonlAdapter
from sealroom.ingest.adapters.sharegpt import ShareGPTAdapter
from sealroom.ingest.adapters.wildchat import WildChatAdapter
from sealroom.registry import Registry

ADAPTERS: Registry[type[Adapter]] = Registry("ingest adapter", "sealroom.adapters")
for _cls in (ChatGPTAdapter, OpenAIJsonlAdapter, ShareGPTAdapter, WildChatAdapter, LmsysAdapter):
    ADAPTERS.add(_cls.name, _cls)


def all_adapters() -> list[Adapter]:
    """One instance per registered adapter, in auto-detection order (most specific first)."""
    return sorted((ADAPTERS.get(n)() for n in ADAPTERS.names()), key=lambda a: (a.priority, a.name))


def adapter_for(fmt: str) -> Adapter:
    """``fmt`` is a short name (``chatgpt``: its newest version) or a versioned one (``chatgpt.v1``)."""
    if fmt in ADAPTERS:
        return ADAPTERS.get(fmt)()
    matches = [a for a in all_adapters() if a.short == fmt]
    if not matches:
        known = ", ".join(sorted({a.short for a in all_adapters()}))
        raise ConfigError(f"unknown --format {fmt!r} (known: auto, {known})", code="unknown_format")
    return max(matches, key=lambda a: int(a.name.rsplit(".v", 1)[-1]) if ".v" in a.name else 0)


def format_names() -> list[str]:
    return sorted({a.short for a in all_adapters()})


__all__ = ["ADAPTERS", "Adapter", "RecordContext", "adapter_for", "all_adapters", "format_names"]
