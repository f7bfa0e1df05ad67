"""Normalization and word tokenization as numpy array operations, with offsets into the original text.

Both the corpus and every scanned message go through :func:`tokenize`, so whatever it folds
together matches and nothing else does. Per code point (tables built once per process):

- Unicode compatibility folding (NFKD, then NFKC after case folding): full-width forms, ligatures
  (``ﬁ`` → ``fi``), superscripts and the like become their plain letters;
- case folding (``Straße`` ≡ ``STRASSE``);
- Latin/Greek/Cyrillic diacritics are dropped (``résumé`` ≡ ``resume``: OCR and retyping lose
  them); marks outside the combining-diacritics blocks (Indic vowel signs, …) stay part of words;
- every quote, apostrophe, dash, ellipsis and other punctuation or symbol separates words, which
  unifies their variants and never glues punctuation to a word (``hello!`` ≡ ``hello``);
- soft hyphens and zero-width joiners are ignored inside words; a hyphen at a line break between
  two word characters joins the halves (``news-\\npaper`` ≡ ``newspaper``);
- Han and kana characters are one token each (those scripts do not separate words by spaces).

A token's hash is a polynomial in its folded characters, so a character that folds to several
(``ß`` → ``ss``) hashes exactly like those characters typed out. Offsets are code point offsets
into the original string (what Python's ``str`` slicing and Arrow's string columns use), never
byte offsets, and never offsets into a normalized copy.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

#: Bump when anything below changes what a token hashes to (indexes record it and refuse a mismatch).
HASH_VERSION = 1

MASK64 = (1 << 64) - 1
_P = 0x9E3779B97F4A7C15  # polynomial base for characters inside a token (odd: invertible mod 2**64)
_SEP, _WORD, _IGNORE, _SINGLE = 0, 1, 2, 3
_HYPHENS = np.array([0x2D, 0x2010, 0x2011, 0xAC], dtype=np.uint32)  # -, ‐, ‑, ¬ (OCR line-end hyphen)
_SPACE_CPS = [c for c in range(0x3001) if chr(c).isspace()]
_STRIP_MARK_RANGES = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))
_SINGLE_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_IGNORABLE = {0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}
_LIMIT = 0x110000


def splitmix64(x: np.ndarray) -> np.ndarray:
    """A fast, well-mixing bijection on uint64 (Steele et al.), applied element-wise."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _mix_int(x: int) -> int:
    """:func:`splitmix64` of one Python int (same result, without numpy's per-call cost)."""
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


_STRIPPED = frozenset(c for lo, hi in _STRIP_MARK_RANGES for c in range(lo, hi + 1))


def _stripped(ch: str) -> bool:
    return ord(ch) in _STRIPPED


def _is_wordish(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM"


def _strip(s: str) -> str:
    return s if s.isascii() else "".join(ch for ch in s if ord(ch) not in _STRIPPED)


def fold(text: str) -> str:
    """The folded form of one character (or a short string), as the tables use it."""
    s = _strip(unicodedata.normalize("NFKD", text))
    s = unicodedata.normalize("NFKC", s.casefold()).casefold()
    return _strip(unicodedata.normalize("NFKD", s))


class _Tables:
    """Per code point: class, folded length and hash contribution. BMP filled at once, the rest
    lazily for the astral code points a text actually contains."""

    def __init__(self) -> None:
        self.cls = np.zeros(_LIMIT, dtype=np.uint8)
        self.elen = np.zeros(_LIMIT, dtype=np.uint8)
        self.hval = np.zeros(_LIMIT, dtype=np.uint64)
        self.done = np.zeros(_LIMIT, dtype=bool)
        self.is_space = np.zeros(_LIMIT, dtype=bool)
        self.is_space[_SPACE_CPS] = True
        self.is_hyphen = np.zeros(_LIMIT, dtype=bool)
        self.is_hyphen[_HYPHENS] = True
        self._char_value: dict[str, int] = {}
        self.fill(np.arange(0x10000, dtype=np.uint32))

    def _value(self, ch: str) -> int:
        v = self._char_value.get(ch)
        if v is None:
            v = self._char_value[ch] = _mix_int(ord(ch) * 0x100000001B3 + 0x51ED27)
        return v

    def fill(self, cps: np.ndarray) -> None:
        for cp in cps.tolist():
            if self.done[cp]:
                continue
            self.done[cp] = True
            if 0xD800 <= cp <= 0xDFFF:
                continue
            ch = chr(cp)
            if cp in _IGNORABLE or _stripped(ch):
                self.cls[cp] = _IGNORE
                continue
            if not _is_wordish(ch):
                continue
            s = fold(ch)
            if not s:
                self.cls[cp] = _IGNORE
                continue
            if not all(_is_wordish(c) for c in s):
                continue  # e.g. ½ → 1⁄2: a symbol, not a word
            if len(s) > 255:
                continue
            h = 0
            p = 1
            for c in s:
                h = (h + self._value(c) * p) & MASK64
                p = (p * _P) & MASK64
            self.cls[cp] = _SINGLE if any(lo <= cp <= hi for lo, hi in _SINGLE_RANGES) else _WORD
            self.elen[cp] = len(s)
            self.hval[cp] = h

    def ensure(self, cps: np.ndarray) -> None:
        astral = cps[cps >= 0x10000]
        if astral.size:
            todo = np.unique(astral)
            todo = todo[~self.done[todo]]
            if todo.size:
                self.fill(todo)


_TABLES: _Tables | None = None
_POW = np.ones(1, dtype=np.uint64)


def tables() -> _Tables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _Tables()
    return _TABLES


def _powers(n: int) -> np.ndarray:
    global _POW
    if _POW.size < n:
        size = max(n, 2 * _POW.size, 256)
        pw = np.full(size, _P, dtype=np.uint64)
        pw[0] = 1
        _POW = np.cumprod(pw, dtype=np.uint64)
    return _POW


@dataclass(frozen=True, slots=True)
class Tokens:
    """Word tokens of a text: 64-bit hashes of their normalized form and ``[start, end)`` code
    point offsets into the original text."""

    hashes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return int(self.hashes.size)


def codepoints(text: str) -> np.ndarray:
    """The text as a uint32 array of code points (index i is character offset i)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _join_line_break_hyphens(cp: np.ndarray, cls: np.ndarray, t: _Tables) -> None:
    """Mark ``word-<whitespace with a newline>word`` hyphens and the whitespace as ignorable."""
    hy = np.flatnonzero(t.is_hyphen[cp])
    if not hy.size:
        return
    hy = hy[(hy > 0) & (hy < cp.size - 2)]
    hy = hy[cls[hy - 1] == _WORD]
    if not hy.size:
        return
    nonspace = np.flatnonzero(~t.is_space[cp])
    nxt_i = np.searchsorted(nonspace, hy + 1)
    ok = nxt_i < nonspace.size
    hy, nxt = hy[ok], nonspace[nxt_i[ok]]
    newlines = np.concatenate(([0], np.cumsum((cp == 10) | (cp == 13))))
    ok = (nxt > hy + 1) & (cls[nxt] == _WORD) & (newlines[nxt] - newlines[hy + 1] > 0)
    if ok.any():
        # every [hyphen, next word) range becomes ignorable: +1 at starts, -1 at ends, running sum
        n = cp.size + 1
        inside = np.cumsum(np.bincount(hy[ok], minlength=n) - np.bincount(nxt[ok], minlength=n))[:-1] > 0
        cls[inside] = _IGNORE


#: Texts longer than this are tokenized piecewise (bounded memory for a 50 MB message).
PIECE_CHARS = 1 << 22


def tokenize_codepoints(cp: np.ndarray) -> Tokens:
    if cp.size <= PIECE_CHARS:
        return _tokenize_piece(cp)
    t = tables()
    t.ensure(cp)
    parts = []
    lo = 0
    while lo < cp.size:
        hi = min(lo + PIECE_CHARS, cp.size)
        if hi < cp.size:
            # cut just after a word character that a space follows, or after punctuation: no token,
            # and no line-break hyphenation (a hyphen, then whitespace), can span such a cut
            window = cp[lo + PIECE_CHARS // 2 : hi]
            c = t.cls[window[:-1]]
            punct = (c == _SEP) & ~t.is_space[window[:-1]] & ~t.is_hyphen[window[:-1]]
            ok = np.flatnonzero(((c == _WORD) & (window[1:] == 0x20)) | punct)
            if ok.size:
                hi = lo + PIECE_CHARS // 2 + int(ok[-1]) + 1
        tok = _tokenize_piece(cp[lo:hi])
        parts.append(Tokens(tok.hashes, tok.starts + lo, tok.ends + lo))
        lo = hi
    return Tokens(
        np.concatenate([p.hashes for p in parts]),
        np.concatenate([p.starts for p in parts]),
        np.concatenate([p.ends for p in parts]),
    )


def _tokenize_piece(cp: np.ndarray) -> Tokens:
    t = tables()
    t.ensure(cp)
    cls = t.cls[cp]
    _join_line_break_hyphens(cp, cls, t)
    inword = (cls == _WORD) | (cls == _IGNORE)
    single = cls == _SINGLE
    member = inword | single
    prev = np.zeros_like(inword)
    prev[1:] = inword[:-1]
    start = (inword & ~prev) | single
    idx = np.flatnonzero(member)
    if not idx.size:
        empty = np.zeros(0, dtype=np.int64)
        return Tokens(np.zeros(0, dtype=np.uint64), empty, empty)
    mcp = cp[idx]
    e = t.elen[mcp].astype(np.int32)
    mstart = start[idx]
    first = np.flatnonzero(mstart)  # positions (in idx) where tokens begin
    ex = np.cumsum(e, dtype=np.int64) - e  # exclusive prefix of folded length
    pos = ex - ex[first][np.cumsum(mstart, dtype=np.int32) - 1]
    contrib = t.hval[mcp] * _powers(int(pos.max()) + 1)[pos]
    sums = np.add.reduceat(contrib, first)
    flen = np.add.reduceat(e, first)
    starts = idx[first]
    ends = idx[np.append(first[1:], idx.size) - 1] + 1
    keep = flen > 0  # a run of only ignorable characters is not a word
    if not keep.all():
        sums, flen, starts, ends = sums[keep], flen[keep], starts[keep], ends[keep]
    hashes = splitmix64(sums ^ (flen.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)))
    return Tokens(hashes, starts.astype(np.int64), ends.astype(np.int64))


def tokenize(text: str) -> Tokens:
    return tokenize_codepoints(codepoints(text))


#: Joins texts for batch tokenization: not whitespace (so no hyphenation joins across it), not a word.
SEPARATOR = "\x00"


def _tokenize_joined(texts: list[str]) -> tuple[Tokens, np.ndarray]:
    joined = SEPARATOR.join(texts)
    lens = np.fromiter((len(s) for s in texts), dtype=np.int64, count=len(texts))
    bases = np.zeros(len(texts), dtype=np.int64)
    if len(texts) > 1:
        bases[1:] = np.cumsum(lens[:-1] + 1)
    tok = tokenize_codepoints(codepoints(joined))
    doc = np.searchsorted(bases, tok.starts, side="right") - 1
    return Tokens(tok.hashes, tok.starts - bases[doc], tok.ends - bases[doc]), doc


#: Texts are tokenized in joined chunks of about this many characters: large enough to amortize
#: numpy's per-call overhead over many short messages, small enough that the arrays stay in cache.
CHUNK_CHARS = 1 << 17


def tokenize_many(texts: list[str]) -> tuple[Tokens, np.ndarray, np.ndarray]:
    """Tokenize many texts at once. Returns the tokens (offsets relative to their own text), the
    text number of every token, and ``first`` (len(texts)+1): where each text's tokens begin."""
    parts: list[tuple[Tokens, np.ndarray]] = []
    lo = 0
    size = 0
    for i, s in enumerate(texts):
        size += len(s) + 1
        if size >= CHUNK_CHARS or i == len(texts) - 1:
            tok, doc = _tokenize_joined(texts[lo : i + 1])
            parts.append((tok, doc + lo))
            lo, size = i + 1, 0
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Tokens(np.zeros(0, dtype=np.uint64), empty, empty), empty, np.zeros(len(texts) + 1, dtype=np.int64)
    tokens = Tokens(
        np.concatenate([p[0].hashes for p in parts]),
        np.concatenate([p[0].starts for p in parts]),
        np.concatenate([p[0].ends for p in parts]),
    )
    doc = np.concatenate([p[1] for p in parts])
    first = np.searchsorted(doc, np.arange(len(texts) + 1), side="left")
    return tokens, doc, first
