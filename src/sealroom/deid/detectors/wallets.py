"""Crypto wallet addresses with their checksums: Bitcoin Base58Check and Bech32/Bech32m, Ethereum
EIP-55 (Keccak-256, implemented here because ``hashlib``'s SHA3 uses different padding)."""

from __future__ import annotations

import hashlib
import re

from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors._util import BaseDetector

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(_B58)}


def base58check_ok(s: str) -> bool:
    n = 0
    for ch in s:
        idx = _B58_INDEX.get(ch)
        if idx is None:
            return False
        n = n * 58 + idx
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    raw = b"\x00" * (len(s) - len(s.lstrip("1"))) + raw
    if len(raw) < 5:
        return False
    payload, check = raw[:-4], raw[-4:]
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == check


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def bech32_ok(s: str) -> bool:
    s = s.lower()
    hrp, _, data = s.rpartition("1")
    if not hrp or len(data) < 6 or any(ch not in _BECH32 for ch in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + [_BECH32.index(c) for c in data]
    return _polymod(values) in (1, 0x2BC830A3)  # Bech32 or Bech32m


_RC = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000, 0x000000000000808B,
    0x0000000080000001, 0x8000000080008081, 0x8000000000008009, 0x000000000000008A, 0x0000000000000088,
    0x0000000080008009, 0x000000008000000A, 0x000000008000808B, 0x800000000000008B, 0x8000000000008089,
    0x8000000000008003, 0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
_ROT = (0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14)
_M = (1 << 64) - 1


def keccak256(data: bytes) -> bytes:
    """Original Keccak-256 (pad 0x01), as Ethereum uses it."""
    rate = 136
    msg = bytearray(data) + b"\x01" + b"\x00" * ((-len(data) - 1) % rate)
    msg[-1] |= 0x80
    st = [0] * 25
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            st[i] ^= int.from_bytes(msg[off + 8 * i : off + 8 * i + 8], "little")
        for rc in _RC:
            c = [st[x] ^ st[x + 5] ^ st[x + 10] ^ st[x + 15] ^ st[x + 20] for x in range(5)]
            d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _M) for x in range(5)]
            st = [st[i] ^ d[i % 5] for i in range(25)]
            b = [0] * 25
            for x in range(5):
                for y in range(5):
                    v = st[x + 5 * y]
                    r = _ROT[x + 5 * y]
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = ((v << r) | (v >> (64 - r))) & _M if r else v
            st = [b[i] ^ ((~b[(i % 5 + 1) % 5 + 5 * (i // 5)]) & b[(i % 5 + 2) % 5 + 5 * (i // 5)]) for i in range(25)]
            st[0] ^= rc
    return b"".join(st[i].to_bytes(8, "little") for i in range(4))


def eip55_ok(address: str) -> bool:
    body = address[2:]
    if body == body.lower() or body == body.upper():
        return True  # no checksum encoded
    digest = keccak256(body.lower().encode()).hex()
    return all((ch.upper() if int(h, 16) >= 8 else ch.lower()) == ch for ch, h in zip(body, digest[:40], strict=True))


_BTC_B58 = re.compile(r"(?<![\w])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![\w])")
_BTC_BECH32 = re.compile(r"(?i)(?<![\w])(?:bc|tb)1[ac-hj-np-z02-9]{11,71}(?![\w])")
_ETH = re.compile(r"(?<![\w])0x[0-9a-fA-F]{40}(?![\w])")


@DETECTORS.register("crypto_wallet.v1")
class CryptoWalletDetector(BaseDetector):
    name = "crypto_wallet.v1"
    labels = ("CRYPTO_WALLET",)

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out = []
        for m in _BTC_B58.finditer(text):
            if base58check_ok(m.group()):
                out.append(
                    self.finding(m.start(), m.end(), "CRYPTO_WALLET", 0.95, "Bitcoin address, Base58Check valid")
                )
        for m in _BTC_BECH32.finditer(text):
            if bech32_ok(m.group()):
                out.append(self.finding(m.start(), m.end(), "CRYPTO_WALLET", 0.95, "Bitcoin address, Bech32 valid"))
        if "0x" in text:
            for m in _ETH.finditer(text):
                if eip55_ok(m.group()):
                    mixed = m.group()[2:] not in (m.group()[2:].lower(), m.group()[2:].upper())
                    why = "Ethereum address, EIP-55 checksum valid" if mixed else "Ethereum-style address"
                    out.append(self.finding(m.start(), m.end(), "CRYPTO_WALLET", 0.95 if mixed else 0.7, why))
        return out
