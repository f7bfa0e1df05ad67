"""Conversation-level consistency and keyed pseudonyms (issue 4, THREATS.md re-identification)."""

from __future__ import annotations

import re

from engine_standin import StandInAnalyzer, chat
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sealroom.deid.engine import Deidentifier
from sealroom.deid.policy import Policy
from sealroom.keys import SecretKey

PEOPLE = chat(
    "c-people",
    "Hi, I'm Jane Smith. My colleague John Carter says hello.",
    "Hello JANE! Ms. Smith's question first: jane, you will be fine.",
    "Thanks. Jane's report is late; John Carter knows why.",
    "Noted. Carter and Smith should talk.",
)


def contents(engine: Deidentifier, conv=PEOPLE) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.content for m in engine.deidentify(conv).conversation.messages]


def test_one_person_one_tag_in_every_turn_even_where_ner_did_not_run(key: SecretKey, policy: Policy) -> None:
    # names are detected only in user turns (as a role-limited NER would): propagation does the rest
    engine = Deidentifier(key, policy, StandInAnalyzer(roles=("user",)))
    out = contents(engine)
    assert out[0] == "Hi, I'm [PERSON_1]. My colleague [PERSON_2] says hello."
    # "jane" is the same token as "Jane": replaced too, or the replacement points at what survived
    assert out[1] == "Hello [PERSON_1]! Ms. [PERSON_1]'s question first: [PERSON_1], you will be fine."
    assert out[2] == "Thanks. [PERSON_1]'s report is late; [PERSON_2] knows why."
    assert out[3] == "Noted. [PERSON_2] and [PERSON_1] should talk."


def test_common_word_name_parts_only_match_capitalised(key: SecretKey, policy: Policy) -> None:
    conv = chat("c-will", "My friend Will Turner may call.", "I will tell Will. WILL TURNER is noted.")
    engine = Deidentifier(key, policy, _Names("Will Turner"))
    out = contents(engine, conv)
    assert out == ["My friend [PERSON_1] may call.", "I will tell [PERSON_1]. [PERSON_1] is noted."]


def test_surrogates_consistent_across_name_parts_and_case(key: SecretKey, surrogate_policy: Policy) -> None:
    engine = Deidentifier(key, surrogate_policy, StandInAnalyzer())
    out = contents(engine)
    first = re.match(r"Hi, I'm (\w+) (\w+)\.", out[0])
    assert first is not None
    given_name, family = first.groups()
    assert out[1].startswith(f"Hello {given_name.upper()}! Ms. {family}'s question first: {given_name.lower()},")
    assert out[2].startswith(f"Thanks. {given_name}'s report")
    joined = "\n".join(out)
    for original in ("Jane", "JANE", "jane", "Smith", "John", "Carter"):
        assert original not in joined


def test_same_input_and_key_byte_identical(key: SecretKey, surrogate_policy: Policy) -> None:
    a = Deidentifier(key, surrogate_policy, StandInAnalyzer()).deidentify(PEOPLE)
    b = Deidentifier(key, surrogate_policy, StandInAnalyzer()).deidentify(PEOPLE)
    assert a == b


def test_different_key_different_surrogates(key: SecretKey, other_key: SecretKey, surrogate_policy: Policy) -> None:
    a = contents(Deidentifier(key, surrogate_policy, StandInAnalyzer()))
    b = contents(Deidentifier(other_key, surrogate_policy, StandInAnalyzer()))
    assert a[0] != b[0]


def test_same_name_in_two_conversations_unlinked_by_default(key: SecretKey, surrogate_policy: Policy) -> None:
    engine = Deidentifier(key, surrogate_policy, StandInAnalyzer())
    a = engine.deidentify(chat("conv-a", "I am Priya Raman.")).conversation.messages[0].content
    b = engine.deidentify(chat("conv-b", "I am Priya Raman.")).conversation.messages[0].content
    assert a != b


def test_production_scope_links_on_purpose(key: SecretKey, policy: Policy, surrogate_policy: Policy) -> None:
    prod = policy.model_copy(update={"pseudonyms": policy.pseudonyms.model_copy(update={"scope": "production"})})
    engine = Deidentifier(key, prod, StandInAnalyzer())
    a = engine.deidentify(chat("conv-a", "I am Priya Raman.")).conversation.messages[0].content
    b = engine.deidentify(chat("conv-b", "Ask Bob, then Priya Raman.")).conversation.messages[0].content
    tag = re.search(r"\[PERSON_[0-9a-f]{8}\]", a)
    assert tag is not None and tag.group(0) in b
    other = Deidentifier(SecretKey(b"x" * 32, "t"), prod, StandInAnalyzer())
    assert tag.group(0) not in other.deidentify(chat("conv-a", "I am Priya Raman.")).conversation.messages[0].content


@settings(max_examples=60, deadline=None)
@given(
    first=st.text(st.characters(categories=["Lu", "Ll"]), min_size=2, max_size=10),
    last=st.text(st.characters(categories=["Lu", "Ll"]), min_size=2, max_size=10),
)
def test_surrogate_never_equals_original(first: str, last: str) -> None:
    from sealroom.deid.policy import default_policy

    # name parts propagate when capitalised (see consistency._forms)
    first, last = first.capitalize(), last.capitalize()
    assume(first[0].isupper() and first.casefold() not in ("dear", "and") and len(first) == len(first.casefold()))
    name = f"{first} {last}"
    pol = default_policy().with_label("PERSON", style="surrogate")
    engine = Deidentifier(SecretKey(b"k" * 32, "t"), pol, _Names(name))
    conv = chat("c", f"Dear {name}, and {first}.")
    out = engine.deidentify(conv).conversation.messages[0].content
    surrogate = out.removeprefix("Dear ").split(",")[0]
    assert surrogate.casefold() != name.casefold()
    # the lone first name is the same person, so it gets the surrogate's first name, not itself
    assert first.casefold() not in re.findall(r"\w+", out.casefold())


class _Names(StandInAnalyzer):
    """Finds exactly the given names."""

    def __init__(self, *names: str) -> None:
        super().__init__()
        self._rx = re.compile("|".join(re.escape(n) for n in names))

    def analyze(self, text, context=None):  # type: ignore[no-untyped-def]
        from sealroom.deid.base import Finding

        return [Finding(m.start(), m.end(), "PERSON", 0.9, "names") for m in self._rx.finditer(text)]


def test_texts_whose_lowercase_changes_length_still_propagate(key: SecretKey, policy: Policy) -> None:
    # "İ".lower() is two code points: the fast search cannot keep offsets, the regex path takes over
    conv = chat("c-tr", "I'm Jane Smith from İzmir.", "İyi günler JANE, Ms. Smith.")
    out = contents(Deidentifier(key, policy, StandInAnalyzer(roles=("user",))), conv)
    assert out == ["I'm [PERSON_1] from İzmir.", "İyi günler [PERSON_1], Ms. [PERSON_1]."]


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.sampled_from("aJSmn _.'\n"), max_size=60),
    forms=st.lists(st.text(st.sampled_from("aJSmn"), min_size=2, max_size=5), min_size=1, max_size=4),
)
def test_fast_search_agrees_with_regex(text: str, forms: list[str]) -> None:
    from sealroom.deid.consistency import Propagator
    from sealroom.deid.spans import merge_findings

    prop = Propagator([("PERSON", f) for f in forms], ["PERSON"], 2)
    fast = [(f.start, f.end) for f in merge_findings(prop.find(text))]
    slow = [(f.start, f.end) for f in merge_findings(prop._find_regex(text, 1.0))]
    assert fast == slow


class _RecordingAnalyzer(StandInAnalyzer):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def analyze_many(self, texts, contexts):  # type: ignore[no-untyped-def]
        self.seen += list(texts)
        return super().analyze_many(texts, contexts)


def test_published_text_is_not_analyzed_but_kept_whole() -> None:
    article = "Barack Obama spoke at the harbor on Tuesday about the new ferry line."
    text = f"Contact Jane Smith. The paper wrote: {article} Thanks."
    start = text.index(article)
    hit = {
        "start": start, "end": start + len(article), "article_id": "a1", "article_start": 0,
        "article_end": len(article), "words": 13, "kind": "verbatim", "similarity": 1.0, "origin": "user",
    }  # fmt: skip
    analyzer = _RecordingAnalyzer()
    engine = Deidentifier(SecretKey(b"k" * 32, "test"), Policy(), analyzer)
    conv = chat("c1", text)
    out = engine.deidentify(conv, hits={conv.conversation_id: {0: [hit]}})
    assert analyzer.seen == [text[:start] + " " * len(article) + text[start + len(article) :]]
    result = out.conversation.messages[0].content
    assert article in result and "Jane Smith" not in result
