"""Built-in detectors; importing this package registers them in ``sealroom.deid.base.DETECTORS``.

The spaCy NER module is imported here too, but spaCy itself loads only when the model is loaded.
"""

from sealroom.deid.detectors import (
    address,
    context,
    dates,
    identifiers,
    ner,
    patterns,
    phone,
    secrets,
    structured,
    url,
    wallets,
)

__all__ = [
    "address",
    "context",
    "dates",
    "identifiers",
    "ner",
    "patterns",
    "phone",
    "secrets",
    "structured",
    "url",
    "wallets",
]
