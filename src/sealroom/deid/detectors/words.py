"""Word lists the cue detectors use to tell names from ordinary words."""

from __future__ import annotations

import importlib
from functools import cache

from faker.providers.lorem.en_US import Provider as _Lorem
from spacy.lang.en.stop_words import STOP_WORDS

# Words that follow "I'm" / "Hi" / a sign-off capitalised but are not names.
NOT_NAMES = frozenset(
    """i im a an the and or but so not just sorry here there going looking trying new glad happy sure fine ok okay
    well good great thanks thank everyone all team guys folks there sir madam friend friends world again
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december today tomorrow yesterday morning afternoon evening night please
    american british canadian australian german french spanish indian english chatgpt gpt claude assistant
    user bot ai mr mrs ms dr prof dear hello hey hi regards best cheers sincerely yours kind warm warmly
    from to in at on for with by of about as is am are was were be been being have has had do does did
    my your his her our their this that these those it its me you he she we they them us him what when
    where why how who which can could would should will shall might must yes no also very really still
    currently actually finally working writing planning back available interested curious man guys buddy dude
    bro mate everybody everyone all y'all sweetie honey babe love doc boss chief""".split()  # noqa: SIM905
) | frozenset(STOP_WORDS)
FILLER_AFTER_NAME = frozenset("and but i im here from at in with who the a an is was".split())  # noqa: SIM905
# Annotations and at-rules that look like @handles in code.
DECORATORS = frozenset(
    """property staticmethod classmethod dataclass override abstractmethod cached_property app router pytest
    functools Override Test Component Autowired Bean Entity Service Controller Inject Input Output param return
    returns throws interface media import keyframes font-face apply tailwind mixin include extend use supports
    echo""".split()  # noqa: SIM905
)
# Words that are names sometimes but ordinary words far more often.
AMBIGUOUS_NAMES = frozenset(
    """will may june april august grace hope joy faith bill mark rose lily iris amber ruby pearl summer autumn
    dawn eve art frank sunny chase hunter brook river sky star page rich young long short""".split()  # noqa: SIM905
)
#: Common English words (spaCy's stop words, the words above, and Faker's ~1,000-word en_US lorem list,
#: which is pinned with Faker). A one-word name that is also one of these is propagated across a
#: conversation only as written (capitalised or in capitals), and NER may not report it on its own.
COMMON_WORDS = NOT_NAMES | AMBIGUOUS_NAMES | frozenset(w.casefold() for w in _Lorem.word_list)
#: Name particles: never searched for on their own.
PARTICLES = frozenset("van von de del della der den di da du dos le la al bin ibn st".split())  # noqa: SIM905

_NAME_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "en_IN")


@cache
def known_names() -> frozenset[str]:
    """Case-folded first and last names from Faker's person data for a few locales (loaded once, on
    first use): a word NER called a name that is also a known name is a name in any case."""
    names: set[str] = set()
    for locale in _NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in ("first_names", "first_names_male", "first_names_female", "last_names"):
            names.update(n.casefold() for n in getattr(provider, attr, ()))
    return frozenset(names) - COMMON_WORDS
