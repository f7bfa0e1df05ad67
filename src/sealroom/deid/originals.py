"""Encrypted originals for the replacement log (``--log-originals``): AES-256-GCM.

The nonce is synthetic (an HMAC of the row's position and the plaintext), so the same input and
keys give byte-identical output, and a nonce repeats only for an identical (position, plaintext)
pair, which then yields an identical ciphertext and reveals nothing new. The row's position is
bound as associated data, so a ciphertext cannot be moved to another row unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sealroom.errors import IntegrityError
from sealroom.keys import SecretKey

NONCE_BYTES = 12


def _aad(conversation_id: str, message_index: int, field: str, start: int, end: int) -> bytes:
    return f"{conversation_id}\x00{message_index}\x00{field}\x00{start}\x00{end}".encode("utf-8", "surrogatepass")


class OriginalsCipher:
    def __init__(self, key: SecretKey) -> None:
        self._aes = AESGCM(key.derive("deid-originals-aes256gcm"))
        self._nonce_key = key.derive("deid-originals-nonce")
        self.fingerprint = key.fingerprint

    def encrypt(
        self, original: str, conversation_id: str, message_index: int, field: str, start: int, end: int
    ) -> bytes:
        aad = _aad(conversation_id, message_index, field, start, end)
        plain = original.encode("utf-8", "surrogatepass")
        nonce = hmac.new(self._nonce_key, aad + b"\x01" + plain, hashlib.sha256).digest()[:NONCE_BYTES]
        return nonce + self._aes.encrypt(nonce, plain, aad)

    def decrypt(self, blob: bytes, conversation_id: str, message_index: int, field: str, start: int, end: int) -> str:
        aad = _aad(conversation_id, message_index, field, start, end)
        try:
            plain = self._aes.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        except InvalidTag:
            raise IntegrityError(
                f"original of {conversation_id} message {message_index} {field} [{start}:{end}] does not "
                "decrypt: wrong key or altered log",
                code="originals_invalid",
            ) from None
        return plain.decode("utf-8", "surrogatepass")


def decrypt_original(key: SecretKey, row: dict[str, object]) -> str:
    """The original value of one replacement-log row (``REPLACEMENT_SCHEMA`` dict)."""
    blob = row.get("original_encrypted")
    if not isinstance(blob, bytes | bytearray):
        raise IntegrityError("this replacement-log row has no encrypted original", code="originals_absent")
    return OriginalsCipher(key).decrypt(
        bytes(blob),
        str(row["conversation_id"]),
        int(row["message_index"]),  # type: ignore[call-overload]
        str(row["field"]),
        int(row["start"]),  # type: ignore[call-overload]
        int(row["end"]),  # type: ignore[call-overload]
    )
