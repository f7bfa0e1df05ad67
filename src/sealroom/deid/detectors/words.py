"""Word lists the cue detectors use to tell names from ordinary words."""

from __future__ import annotations

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
