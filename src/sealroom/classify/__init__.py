"""Classification of conversations into a fixed, user-changeable taxonomy (topic, intent, work,
language) plus scan's news signals; pluggable through the ``sealroom.classifiers`` registry."""

from sealroom.classify import keywords as _keywords  # noqa: F401  (registers keywords.v1)
from sealroom.classify.api import classify
from sealroom.classify.base import CLASSIFIERS, DEFAULT_CLASSIFIER, Classification, Classifier
from sealroom.classify.schema import CLASSIFIED_SCHEMA
from sealroom.classify.taxonomy import Taxonomy, load_taxonomy

__all__ = [
    "CLASSIFIED_SCHEMA",
    "CLASSIFIERS",
    "DEFAULT_CLASSIFIER",
    "Classification",
    "Classifier",
    "Taxonomy",
    "classify",
    "load_taxonomy",
]
