"""Whatever is replaced once is replaced at every occurrence in its conversation (DESIGN:
conversation-level consistency). Found by ``sealroom verify --against-replacements`` on a real export:
values detected once (lower-case words in particular) survived elsewhere in the same document, so the
replacement pointed at the leak. Synthetic values only."""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine_standin import chat
from hypothesis import given, settings
from hypothesis import strategies as st

from sealroom.deid.base import DetectionContext, Finding
from sealroom.deid.engine import Deidentifier
from sealroom.deid.policy import Policy, default_policy
from sealroom.keys import SecretKey
from sealroom.schema import Conversation


class _Exact:
    """Finds the given (surface, label, detector) triples as written, in user turns only (as a
    role-limited NER or a cue that fires once would)."""

    def __init__(self, *values: tuple[str, str, str]) -> None:
        self.values = values

    def analyze_many(self, texts: Sequence[str], contexts: Sequence[DetectionContext]) -> list[list[Finding]]:
        out = []
        for text, ctx in zip(texts, contexts, strict=True):
            found: list[Finding] = []
            if ctx.role == "user":
                for surface, label, detector in self.values:
                    pattern = r"(?<!\w)" + re.escape(surface) + r"(?!\w)"
                    found += [Finding(m.start(), m.end(), label, 0.9, detector) for m in re.finditer(pattern, text)]
            found.sort(key=lambda f: (f.start, -f.end))
            kept: list[Finding] = []
            for f in found:
                if not kept or f.start >= kept[-1].end:
                    kept.append(f)
            out.append(kept)
        return out


def _outputs(engine: Deidentifier, conv: Conversation) -> list[str]:
    return [m.content for m in engine.deidentify(conv).conversation.messages]


def _survivors(engine: Deidentifier, conv: Conversation) -> list[str]:
    """Originals of the replacement log that still appear, as whole words, in the output (what the
    produce stage's leak check looks for)."""
    result = engine.deidentify(conv)
    originals = {
        conv.messages[r["message_index"]].content[r["start"] : r["end"]]
        for r in result.replacements
        if r["field"] == "content" and r["operator"] != "exempt"
    }
    text = "\n".join(m.content for m in result.conversation.messages)
    return sorted(v for v in originals if re.search(r"(?<!\w)" + re.escape(v) + r"(?!\w)", text))


def test_lower_case_name_found_once_is_replaced_in_every_turn(key: SecretKey, policy: Policy) -> None:
    conv = chat("c-lower", "hi, my name is zorblax and I need help", "Sure zorblax, happy to help.", "zorblax again")
    engine = Deidentifier(key, policy, _Exact(("zorblax", "PERSON", "context.v1")))
    assert _outputs(engine, conv) == [
        "hi, my name is [PERSON_1] and I need help",
        "Sure [PERSON_1], happy to help.",
        "[PERSON_1] again",
    ]


def test_name_repeated_in_lower_case_in_another_turn(key: SecretKey, policy: Policy) -> None:
    conv = chat(
        "c-case", "Please write to Kimberly Hawkins.", "Done: hawkins will like it. KIMBERLY too, and kimberly."
    )
    engine = Deidentifier(key, policy, _Exact(("Kimberly Hawkins", "PERSON", "ner.spacy.v1")))
    assert _outputs(engine, conv)[1] == "Done: [PERSON_1] will like it. [PERSON_1] too, and [PERSON_1]."


def test_cue_found_name_parts_spread_in_any_case(key: SecretKey, policy: Policy) -> None:
    conv = chat("c-cue", "my name is Quentin Zarrow", "ok zarrow, and quentin?", "x")
    engine = Deidentifier(key, policy, _Exact(("Quentin Zarrow", "PERSON", "context.v1")))
    assert _outputs(engine, conv)[1] == "ok [PERSON_1], and [PERSON_1]?"


def test_lower_case_organization_and_location_found_once(key: SecretKey, policy: Policy) -> None:
    conv = chat("c-org", "I work at blorpcorp in quuxville.", "blorpcorp in quuxville sounds nice", "x")
    engine = Deidentifier(
        key, policy, _Exact(("blorpcorp", "ORGANIZATION", "context.v1"), ("quuxville", "LOCATION", "context.v1"))
    )
    assert _outputs(engine, conv)[1] == "[ORGANIZATION_1] in [LOCATION_1] sounds nice"


def test_credential_and_username_repeated_in_other_case_and_turns(key: SecretKey, policy: Policy) -> None:
    conv = chat(
        "c-cred",
        "my login is ZephyrKid77 and the password is Tr0ub4dor-x9",
        "Never share tr0ub4dor-x9! Is zephyrkid77 your handle?",
        "Changed Tr0ub4dor-x9 for ZEPHYRKID77.",
    )
    engine = Deidentifier(
        key, policy, _Exact(("ZephyrKid77", "USERNAME", "context.v1"), ("Tr0ub4dor-x9", "CREDENTIAL", "secrets.v1"))
    )
    out = _outputs(engine, conv)
    assert out[1] == "Never share [CREDENTIAL]! Is [USERNAME_1] your handle?"
    assert out[2] == "Changed [CREDENTIAL] for [USERNAME_1]."
    assert _survivors(engine, conv) == []


def test_common_word_name_is_replaced_as_written_but_the_word_stays(key: SecretKey, policy: Policy) -> None:
    conv = chat("c-will", "my name is Will", "Will, I will check. WILL is fine.", "x")
    engine = Deidentifier(key, policy, _Exact(("Will", "PERSON", "context.v1")))
    assert _outputs(engine, conv)[1] == "[PERSON_1], I will check. [PERSON_1] is fine."


def test_statistical_one_word_name_spreads_only_as_written(key: SecretKey, policy: Policy) -> None:
    # a word only NER called a name ("Grelk" in a heading) is replaced as written, capitalised or in
    # capitals: NER's false positives must not take every lower-case use of a word with them
    conv = chat("c-ner", "Grelk: setup notes", "Grelk and GRELK; the grelk config stays", "x")
    engine = Deidentifier(key, policy, _Exact(("Grelk", "PERSON", "ner.spacy.v1")))
    assert _outputs(engine, conv)[1] == "[PERSON_1] and [PERSON_1]; the grelk config stays"
    assert _survivors(engine, conv) == []


def test_known_first_name_found_by_ner_spreads_in_any_case(key: SecretKey, policy: Policy) -> None:
    conv = chat("c-known", "Jennifer called.", "tell jennifer and JENNIFER", "x")
    engine = Deidentifier(key, policy, _Exact(("Jennifer", "PERSON", "ner.spacy.v1")))
    assert _outputs(engine, conv)[1] == "tell [PERSON_1] and [PERSON_1]"


_WORD = st.text(st.sampled_from("bcdfghjklmnpqrstvwxz"), min_size=4, max_size=9).map(lambda w: "q" + w)


@settings(max_examples=60, deadline=None)
@given(
    value=_WORD,
    label=st.sampled_from(["PERSON", "ORGANIZATION", "LOCATION", "USERNAME", "CREDENTIAL"]),
    detector=st.sampled_from(["context.v1", "secrets.v1", "ner.spacy.v1"]),
    spelling=st.sampled_from([str.lower, str.capitalize, str.upper]),
    later=st.lists(st.sampled_from([str.lower, str.capitalize, str.upper]), min_size=1, max_size=3),
)
def test_no_replaced_value_survives_anywhere_in_the_conversation(
    value: str,
    label: str,
    detector: str,
    spelling,
    later,  # type: ignore[no-untyped-def]
) -> None:
    found = spelling(value)
    turns = [f"about {found} here", *(f"and {f(found)}, ({f(found)}'s) again" for f in later)]
    conv = chat("c-prop", *turns)
    engine = Deidentifier(SecretKey(b"k" * 32, "t"), default_policy(), _Exact((found, label, detector)))
    assert _survivors(engine, conv) == []
