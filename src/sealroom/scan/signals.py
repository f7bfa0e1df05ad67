"""News signals per message: a publisher named, its links, paywall requests, and attributions.

Configured per publisher in TOML (``publishers.toml`` beside this module is the default). An
attribution in a non-user message ("according to the New York Times, …") is ``attribution`` when
the same message reproduces text of one of that publisher's articles, and ``unverified_attribution``
(a candidate hallucination) when it does not. Articles without a ``publisher`` count for every
publisher (a single-publisher corpus needs no labels). Signals carry offsets and the publisher key;
``detail`` holds a domain or the pattern number, never the matched text.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sealroom.errors import ConfigError

DEFAULT_PUBLISHERS = Path(__file__).with_name("publishers.toml")

_ATTRIBUTION_BEFORE = (
    r"(?:according to|reported (?:by|in)|reports? (?:by|in)|as (?:reported|published|stated|noted|written) (?:by|in)"
    r"|citing|cited (?:by|in)|wrote in|writes in|published (?:by|in)|quoted (?:by|in)"
    r"|(?:an?|the|this|that) (?:article|report|story|piece|column|op-ed|editorial) (?:in|from|by|published by))"
)
_ATTRIBUTION_AFTER = r"(?:reported|reports|wrote|writes|said|says|published|noted|revealed|article|story|report)"


@dataclass(frozen=True, slots=True)
class Signal:
    start: int
    end: int
    signal: str
    publisher: str
    detail: str | None = None


@dataclass
class Publisher:
    key: str
    named: re.Pattern[str] | None
    link: re.Pattern[str] | None
    attribution: re.Pattern[str] | None
    #: lower-case words one of which every match contains (a cheap test before the expressions run)
    keywords: tuple[str, ...]


@dataclass
class SignalConfig:
    publishers: list[Publisher]
    strong: list[re.Pattern[str]]
    weak: list[re.Pattern[str]]
    paywall_keywords: tuple[str, ...] | None
    source: str


def _keywords(phrases: list[str]) -> tuple[str, ...]:
    # every word of a phrase appears literally (lower-cased) in any text the phrase matches; the
    # longest is the rarest test
    return tuple(sorted({max(ph.split(), key=len).lower() for ph in phrases if ph.split()}))


def _alt(items: list[str]) -> str:
    return "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in sorted(items, key=len, reverse=True))


def _compile(pattern: str, where: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"{where}: invalid regular expression ({exc.msg} at position {exc.pos})") from None


def load_signal_config(path: Path | None = None) -> SignalConfig:
    p = Path(path) if path is not None else DEFAULT_PUBLISHERS
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"publishers file not found: {p}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML ({exc})") from None
    pubs = []
    for key, spec in sorted((data.get("publishers") or {}).items()):
        if not isinstance(spec, dict):
            raise ConfigError(f"{p}: [publishers.{key}] must be a table")
        names = [str(s) for s in spec.get("names", [])]
        abbrevs = [str(s) for s in spec.get("abbreviations", [])]
        attr_names = [str(s) for s in spec.get("attribution_names", [])]
        domains = [str(s).lower() for s in spec.get("domains", [])]
        parts = []
        if names:
            parts.append(rf"(?i:\b(?:{_alt(names)})\b)")
        if abbrevs:
            parts.append(rf"\b(?:{_alt(abbrevs)})\b")
        named = _compile("|".join(parts), f"{p} [publishers.{key}]", 0) if parts else None
        link = None
        if domains:
            link = _compile(
                rf"(?:https?://)?(?:[a-z0-9-]{{1,63}}\.){{0,8}}(?P<domain>{_alt(domains)})\b(?:[/?#][^\s<>\"'()\[\]]*)?",
                f"{p} [publishers.{key}] domains",
            )
        who = [*names, *attr_names, *abbrevs]
        attribution = None
        if who:
            alt = _alt(who)
            attribution = _compile(
                rf"\b{_ATTRIBUTION_BEFORE}\s+(?:the\s+)?(?:{alt})\b|\b(?:the\s+)?(?:{alt})\s+{_ATTRIBUTION_AFTER}\b",
                f"{p} [publishers.{key}] attribution",
            )
        pubs.append(Publisher(key, named, link, attribution, _keywords(who) + tuple(domains)))
    paywall = data.get("paywall") or {}
    strong = [_compile(s, f"{p} [paywall] strong #{i}") for i, s in enumerate(paywall.get("strong", []))]
    weak = [_compile(s, f"{p} [paywall] weak #{i}") for i, s in enumerate(paywall.get("weak", []))]
    kw = paywall.get("keywords")
    keywords = tuple(str(k).lower() for k in kw) if kw is not None else None
    return SignalConfig(pubs, strong, weak, keywords, str(p))


def message_signals(text: str, role: str, config: SignalConfig, matched_publishers: set[str | None]) -> list[Signal]:
    """Signals in one message. ``matched_publishers``: publishers of articles this message reproduces
    (``None`` for articles without a publisher, which verify any attribution)."""
    out: list[Signal] = []
    mentioned: set[str] = set()
    low = text.lower()
    for pub in config.publishers:
        if not any(k in low for k in pub.keywords):
            continue
        if pub.named is not None:
            for m in pub.named.finditer(text):
                out.append(Signal(m.start(), m.end(), "publisher_named", pub.key))
                mentioned.add(pub.key)
        if pub.link is not None:
            for m in pub.link.finditer(text):
                out.append(Signal(m.start(), m.end(), "publisher_link", pub.key, m.group("domain").lower()))
                mentioned.add(pub.key)
        if role != "user" and pub.attribution is not None:
            verified = pub.key in matched_publishers or None in matched_publishers
            kind = "attribution" if verified else "unverified_attribution"
            for m in pub.attribution.finditer(text):
                out.append(Signal(m.start(), m.end(), kind, pub.key))
    if role == "user" and (config.paywall_keywords is None or any(k in low for k in config.paywall_keywords)):
        target = ",".join(sorted(mentioned))
        for i, rx in enumerate(config.strong):
            for m in rx.finditer(text):
                out.append(Signal(m.start(), m.end(), "paywall_request", target, f"strong#{i}"))
    if role == "user" and mentioned:
        target = ",".join(sorted(mentioned))
        for i, rx in enumerate(config.weak):
            for m in rx.finditer(text):
                out.append(Signal(m.start(), m.end(), "paywall_request", target, f"weak#{i}"))
    out.sort(key=lambda s: (s.start, s.end, s.signal, s.publisher))
    return out


def messages_to_check(texts: list[str], config: SignalConfig) -> np.ndarray:
    """Which messages can hold any signal: one case-insensitive pass for every keyword over the
    whole batch, instead of a test per message (most messages name no publisher and no paywall)."""
    if config.paywall_keywords is None and (config.strong or config.weak):
        return np.ones(len(texts), dtype=bool)
    words = {k for p in config.publishers for k in p.keywords} | set(config.paywall_keywords or ())
    mask = np.zeros(len(texts), dtype=bool)
    if not words or not texts:
        return mask
    # str.lower keeps every length except U+0130 (İ → i̇), so offsets in the lowered copy are the
    # original ones once that character is replaced; str.find is a fast C scan per keyword
    low = "\x00".join(texts).replace("\u0130", "i").lower()
    bases = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    hits: list[int] = []
    for w in words:
        at = low.find(w)
        while at >= 0:
            hits.append(at)
            at = low.find(w, at + len(w))
    if hits:
        mask[np.searchsorted(bases, np.array(hits), side="right") - 1] = True
    return mask
