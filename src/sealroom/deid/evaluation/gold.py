"""A seeded generator of labelled multi-turn chats: the de-identification evaluation set.

``generate_gold(n, seed)`` returns gold lines ``{"id", "text", "spans", "turns"}``: the chat as one
text (turns separated by a blank line), character-offset spans with labels, and the role and
extent of each turn (``sealroom detect`` uses them to analyse turn by turn, as the engine does).

Each chat has a persona from one of ten locales and 1-3 exchanges built from scenarios people bring
to a chat assistant: introductions, e-mails with signatures, forms, moving house, banking, network
trouble, code and JSON with real values, tables, credentials pasted by mistake, ids. Names appear
in title case, lower case and capitals, next to punctuation and as parts ("Jane", "Ms. Smith") in
later turns; assistant turns repeat what the user wrote, as real replies do. The text around the
values is written from how people write, not from the detectors' patterns. Reproduce with
``python -m sealroom.deid.evaluation.gold --n 1000 --seed 0 --out gold.jsonl``.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from faker import Faker

from sealroom.deid.evaluation import gold_values as gv
from sealroom.deid.evaluation.gold_text import FILLER, OPENERS, TOPICS


@dataclass
class Turn:
    role: str
    parts: list[str] = field(default_factory=list)
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    length: int = 0

    def t(self, s: str) -> Turn:
        self.parts.append(s)
        self.length += len(s)
        return self

    def p(self, s: str, label: str) -> Turn:
        self.spans.append((self.length, self.length + len(s), label))
        return self.t(s)


@dataclass
class Persona:
    locale: str
    fake: Faker
    first: str
    last: str
    email: str
    phone: str
    address: str
    address_multi: bool
    city: str
    company: str
    handle: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def _persona(rng: random.Random, locale: str, fakers: dict[str, Faker]) -> Persona:
    fake = fakers[locale]
    first, last = fake.first_name(), fake.last_name()
    domestic = rng.random() < 0.7
    region = gv.REGION[locale] if domestic or rng.random() < 0.5 else rng.choice(gv.FAR_REGIONS)
    phone = gv.phone_text(rng, gv.valid_phone(rng, region), domestic and region == gv.REGION[locale])
    address, multi = gv.address_text(rng, fake)
    return Persona(
        locale, fake, first, last, gv.email_for(rng, fake, first, last), phone, address, multi, fake.city(),
        fake.company(), gv.handle_for(rng, first, last),
    )  # fmt: skip


def _other_name(rng: random.Random, fakers: dict[str, Faker]) -> tuple[str, str]:
    fake = fakers[rng.choices(gv.LOCALES, gv.LOCALE_WEIGHTS)[0]]
    return fake.first_name(), fake.last_name()


# -- scenarios: each writes a user turn and the assistant's reply --------------------------------------

Scenario = Callable[[random.Random, Persona, dict[str, Faker], Turn, Turn], None]


def s_intro(rng: random.Random, p: Persona, fk: dict[str, Faker], u: Turn, a: Turn) -> None:
    name = gv.name_variant(rng, p.name)
    lead = rng.choice(["hi, my name is ", "Hello! My name is ", "Hi there, I'm ", "hey it's ", "Hi, this is "])
    if lead in ("Hi there, I'm ", "hey it's ", "Hi, this is ") and name.islower():
        name = p.name
    u.t(lead).p(name, "PERSON").t(rng.choice([" and ", ". ", " — "]))
    if rng.random() < 0.5:
        u.t("I'm ").p(str(rng.randint(19, 78)), "AGE").t(rng.choice([" years old", "", " yo"])).t(" and ")
    u.t(rng.choice(["I live in ", "I'm based in ", "I moved to "])).p(p.city, "LOCATION").t(". ")
    if rng.random() < 0.6:
        u.t(rng.choice(["I work at ", "I'm a project manager at ", "I work for "])).p(p.company, "ORGANIZATION").t(". ")
    u.t(rng.choice(TOPICS))
    a.t(rng.choice(["Nice to meet you, ", "Hi ", "Thanks, "])).p(p.first, "PERSON").t("! ").t(rng.choice(FILLER))


def s_signature(rng: random.Random, p: Persona, fk: dict[str, Faker], u: Turn, a: Turn) -> None:
    of, _ = _other_name(rng, fk)
    u.t(rng.choice(OPENERS) + " " + rng.choice(TOPICS) + "\n\n")
    u.t(rng.choice(["Hi ", "Dear ", "Hello "])).p(of, "PERSON").t(",\n\n")
    u.t("Following up on our call about the invoice. Please send the signed copy when you can.\n\n")
    u.t(rng.choice(["Best regards,\n", "Thanks,\n", "Kind regards,\n", "Cheers,\n", "Sincerely,\n"]))
    u.p(gv.name_variant(rng, p.name), "PERSON").t("\n")
    if rng.random() < 0.7:
        u.t(rng.choice(["Operations Lead, ", "Senior Analyst | ", "Director, ", ""])).p(p.company, "ORGANIZATION").t(
            "\n"
        )
    u.t(rng.choice(["Tel: ", "Phone: ", "Mobile: ", "M: ", "", "Direct: "])).p(p.phone, "PHONE").t("\n")
    u.p(p.email, "EMAIL")
    a.t("Here is a cleaner version:\n\n").t(rng.choice(["Dear ", "Hi "])).p(of, "PERSON").t(",\n\n")
    a.t("I am following up on our call regarding the invoice. Could you send the signed copy at your earliest ")
    a.t("convenience?\n\nBest regards,\n").p(p.name, "PERSON").t("\n").p(p.phone, "PHONE").t(" | ").p(p.email, "EMAIL")


def s_address(rng: random.Random, p: Persona, fk: dict[str, Faker], u: Turn, a: Turn) -> None:
    new_addr, multi = gv.address_text(rng, p.fake)
    if p.address_multi or multi:
        u.t("I'm moving next month. Old address:\n").p(p.address, "ADDRESS").t("\n\nNew address:\n")
        u.p(new_addr, "ADDRESS").t("\n\nWho do I need to notify?")
    else:
        u.t(rng.choice(["we're moving from ", "I am moving from ", "Moving from "])).p(p.address, "ADDRESS")
        u.t(" to ").p(new_addr, "ADDRESS").t(rng.choice([". who should I tell?", " — what should I update first?"]))
    a.t(rng.choice(FILLER[5:6] + FILLER[:1])).t(
        '\n\nFor the bank letter you could write: "Please update my address to '
    )
    a.p(new_addr.replace("\n", ", "), "ADDRESS").t('."')


def s_form(rng: random.Random, p: Persona, fk: dict[str, Faker], u: Turn, a: Turn) -> None:
    u.t(rng.choice(OPENERS) + " Here's what I have:\n\n")
    u.t(rng.choice(["Full name: ", "Name: ", "Applicant: "])).p(gv.name_variant(rng, p.name), "PERSON").t("\n")
    u.t(rng.choice(["Date of birth: ", "DOB: ", "Born: "])).p(gv.dob_text(rng, p.fake, p.locale), "DATE").t("\n")
    if p.locale == "en_US" or rng.random() < 0.2:
        u.t(rng.choice(["SSN: ", "Social Security Number: ", "SSN# "]))
        u.p(gv.ssn_text(rng, fk["en_US"]), "US_SSN").t("\n")
    u.t("Address: ").p(p.address.replace("\n", ", "), "ADDRESS").t("\n")
    u.t(rng.choice(["Phone: ", "Cell: ", "Tel. "])).p(p.phone, "PHONE").t("\n")
    u.t("Email: ").p(p.email, "EMAIL")
    value, kind = gv.id_number(rng, p.fake, p.locale)
    u.t(f"\n{kind.capitalize()}: ").p(value, "ID_NUMBER")
    a.t("The format looks right. Two notes: write the date of birth exactly as it appears on your ID, and "
        "double-check the ").t(kind).t(" (").p(value, "ID_NUMBER").t(") since a single wrong digit will get the "
        "form rejected.")  # fmt: skip


def s_bank(rng: random.Random, p: Persona, fk: dict[str, Faker], u: Turn, a: Turn) -> None:
    if rng.random() < 0.5:
        iban = gv.iban_text(rng, p.fake, fk["de_DE"])
        u.t(rng.choice(["my iban is ", "My IBAN: ", "Can you check if this IBAN is valid? "])).p(iban, "IBAN")
        u.t(rng.choice([" and the transfer keeps failing", ". The bank says it's wrong?", ""]))
        a.t("The IBAN ").p(iban, "IBAN").t(" has the right length for its country. ").t(FILLER[6])
    else:
        card = gv.card_text(rng, p.fake)
        u.t(rng.choice(["my card ", "The credit card ending in my statement, ", "Card number "])).p(card, "CREDIT_CARD")
        u.t(rng.choice([" was charged twice by ", " got a charge from "])).p(p.company, "ORGANIZATION")
        u.t(". what do I do?")
        a.t(FILLER[6]).t(" Never share the full number (").p(card, "CREDIT_CARD").t(") in chats or e-mails.")


def s_network(rng: random.Random, p: Persona, fk: dict[str, Faker], u: Turn, a: Turn) -> None:
    ip1, ip2 = gv.ipv4_text(p.fake, rng), gv.ipv6_text(p.fake, rng) if rng.random() < 0.3 else gv.ipv4_text(p.fake, rng)
    u.t("ssh to my server at ").p(ip1, "IP_ADDRESS").t(" times out, but it works from ").p(ip2, "IP_ADDRESS")
    if rng.random() < 0.5:
        u.t(". The NIC's MAC is ").p(gv.mac_text(p.fake, rng), "MAC_ADDRESS")
    u.t(rng.choice([". any idea?", ". Logs below.\n\n```\nConnection closed by ", ". help"]))
    if u.parts[-1].endswith("by "):
        u.p(ip1, "IP_ADDRESS").t(" port 22\n```")
    a.t("Check the firewall on ").p(ip1, "IP_ADDRESS").t(" first. ").t(FILLER[2])


def s_code(rng: random.Random, p: Persona, fk: dict[str, Faker], u: Turn, a: Turn) -> None:
    cred, kind = gv.credential_text(rng, p.fake)
    style = rng.choice(["json", "python", "sql", "csv", "env"])
    u.t(
        "why does this fail?\n\n```"
        + {"json": "json", "python": "python", "sql": "sql", "csv": "", "env": ""}[style]
        + "\n"
    )
    if style == "json":
        u.t('{\n  "name": "').p(p.name, "PERSON").t('",\n  "email": "').p(p.email, "EMAIL")
        u.t('",\n  "phone": "').p(p.phone, "PHONE").t('",\n  "api_key": "').p(cred, "CREDENTIAL").t('",\n}\n```')
    elif style == "python":
        u.t('client = Client(api_key="').p(cred, "CREDENTIAL").t('")\nclient.send(to="').p(p.email, "EMAIL")
        u.t('", subject="Hi ').p(p.first, "PERSON").t('")\n```')
    elif style == "sql":
        u.t("INSERT INTO customers (name, email, phone) VALUES ('").p(p.name, "PERSON").t("', '")
        u.p(p.email, "EMAIL").t("', '").p(p.phone, "PHONE").t("')\n```\n\nerror: syntax error at end of input")
    elif style == "csv":
        of, ol = _other_name(rng, fk)
        u.t("name,email,city\n").p(p.name, "PERSON").t(",").p(p.email, "EMAIL").t(",").p(p.city, "LOCATION")
        u.t("\n").p(f"{of} {ol}", "PERSON").t(",").p(gv.email_for(rng, p.fake, of, ol), "EMAIL").t(",\n```")
    else:
        user = p.handle
        pw = gv.credential_text(rng, p.fake)[0] if kind != "password" else cred
        u.t("DATABASE_URL=").p(f"postgres://{user}:{pw}@db.internal:5432/app", "CREDENTIAL").t("\nSECRET_KEY=")
        u.p(cred, "CREDENTIAL").t("\n```")
    a.t(rng.choice(FILLER[11:12] + FILLER[4:5])).t("\n\nAlso: never paste real keys into a chat; rotate that key now.")


def s_table(rng: random.Random, p: Persona, fk: dict[str, Faker], u: Turn, a: Turn) -> None:
    u.t("Can you sort this table by name?\n\n| Name | Email | Phone |\n|---|---|---|\n")
    people = [(p.first, p.last, p.email, p.phone)]
    for _ in range(rng.randint(1, 3)):
        of, ol = _other_name(rng, fk)
        region = gv.REGION[p.locale]
        people.append(
            (of, ol, gv.email_for(rng, p.fake, of, ol), gv.phone_text(rng, gv.valid_phone(rng, region), True))
        )
    for f, la, e, ph in people:
        u.t("| ").p(gv.name_variant(rng, f"{f} {la}"), "PERSON").t(" | ").p(e, "EMAIL").t(" | ").p(ph, "PHONE").t(
            " |\n"
        )
    a.t("Here it is, sorted by last name:\n\n| Name | Email | Phone |\n|---|---|---|\n")
    for f, la, e, ph in sorted(people, key=lambda x: x[1]):
        a.t("| ").p(f"{f} {la}", "PERSON").t(" | ").p(e, "EMAIL").t(" | ").p(ph, "PHONE").t(" |\n")


def s_people(rng: random.Random, p: Persona, fk: dict[str, Faker], u: Turn, a: Turn) -> None:
    of, ol = _other_name(rng, fk)
    rel = rng.choice(["my coworker", "my manager", "my landlord", "a friend", "my sister-in-law", "our neighbor"])
    form = rng.choice(["plain", "paren", "quote", "possessive", "colon"])
    if form == "plain":
        u.t(f"{rel} ").p(f"{of} {ol}", "PERSON").t(" keeps taking credit for my work. how do I bring it up with ")
        u.p(of, "PERSON").t(" without a fight?")
    elif form == "paren":
        u.t(f"I had a disagreement with {rel} (").p(f"{of} {ol}", "PERSON").t("). Should I apologize first?")
    elif form == "quote":
        u.t('Write a birthday message for "').p(of, "PERSON").t("\" — she's ").p(str(rng.randint(25, 70)), "AGE")
        u.t(" and loves gardening. Sign it from ").p(p.first, "PERSON").t(".")
    elif form == "possessive":
        u.p(f"{of} {ol}", "PERSON").t(f", {rel}, asked me to review a contract. ").p(of, "PERSON")
        u.t("'s lawyer says it's standard. is it?")
    else:
        u.t("Here's a chat log:\n").p(of, "PERSON").t(": are we still on for Friday?\n").p(p.first, "PERSON")
        u.t(": yes! call me at ").p(p.phone, "PHONE").t("\nHow should I reply?")
    a.t(rng.choice(FILLER[12:13] + FILLER[7:8] + FILLER[10:11]))
    if rng.random() < 0.6:
        a.t(' You could open with: "Hi ').p(of, "PERSON").t(', do you have ten minutes this week?"')


def s_profile(rng: random.Random, p: Persona, fk: dict[str, Faker], u: Turn, a: Turn) -> None:
    url = gv.profile_url(rng, p.handle)
    u.t(rng.choice(["can you review my profile? ", "Here is my portfolio: ", "My LinkedIn: "])).p(url, "URL")
    u.t(rng.choice([" — also my insta is ", ". Twitter: ", ". You can also find me as "])).p("@" + p.handle, "USERNAME")
    u.t(rng.choice(["", ". The shared doc is at "]))
    if u.parts[-1]:
        u.p(gv.generic_url(p.fake, rng), "URL")
    a.t("I can't open links, but if you paste the text of ").p(url, "URL").t(" I'll review it. ").t(FILLER[10])


def s_credentials(rng: random.Random, p: Persona, fk: dict[str, Faker], u: Turn, a: Turn) -> None:
    cred, kind = gv.credential_text(rng, p.fake)
    if kind == "password":
        u.t(rng.choice(["my password is ", "the wifi password is ", "Password: "])).p(cred, "CREDENTIAL")
        u.t(rng.choice([" — is that strong enough?", ". should I change it?"]))
    elif kind == "jwt":
        u.t("The API returns 401 with header Authorization: Bearer ").p(cred, "CREDENTIAL").t(". What's wrong?")
    else:
        u.t(rng.choice(["I accidentally committed my key ", "is this key format right? "])).p(cred, "CREDENTIAL")
        u.t(" to GitHub, what now?")
    a.t(FILLER[8] if kind == "password" else "Revoke the key immediately in the provider's console, then create a new "
        "one and store it in an environment variable or a secrets manager.")  # fmt: skip


SCENARIOS: tuple[tuple[Scenario, int], ...] = (
    (s_intro, 16), (s_signature, 12), (s_address, 14), (s_form, 10), (s_bank, 10), (s_network, 7),
    (s_code, 9), (s_table, 6), (s_people, 12), (s_profile, 6), (s_credentials, 6),
)  # fmt: skip


def _follow_up(rng: random.Random, p: Persona, u: Turn, a: Turn) -> None:
    """A later turn that mentions the user by name parts and repeats a value."""
    form = rng.choice(["title", "first", "caps"])
    if form == "title":
        u.t(rng.choice(["Address it to Ms. ", "Please sign it as Dr. ", "Refer to me as Mr. "])).p(p.last, "PERSON")
    elif form == "first":
        u.t("Actually sign it just ").p(p.first, "PERSON").t(", and add my number ").p(p.phone, "PHONE")
    else:
        u.t("put my name in capitals: ").p(p.name.upper(), "PERSON")
    a.t("Done. ").t(rng.choice(FILLER))


def generate_gold(n: int = 1000, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    fakers: dict[str, Faker] = {}
    for i, loc in enumerate(gv.LOCALES):
        fakers[loc] = Faker(loc)
        fakers[loc].seed_instance(seed * 1000 + i)
        for provider in fakers[loc].providers:
            # Faker's it_IT city list is built from a set: its order (and so the seeded pick) would
            # change with PYTHONHASHSEED. Sorted, the set is the same on every run.
            if isinstance(getattr(provider, "cities", None), list):
                provider.cities = sorted(provider.cities)
    funcs, weights = zip(*SCENARIOS, strict=True)
    docs = []
    for i in range(n):
        locale = rng.choices(gv.LOCALES, gv.LOCALE_WEIGHTS)[0]
        persona = _persona(rng, locale, fakers)
        turns: list[Turn] = []
        chosen: list[Scenario] = []
        for _ in range(rng.choices((1, 2, 3), (3, 5, 2))[0]):
            scenario = rng.choices(funcs, weights)[0]
            if scenario in chosen:
                continue  # one chat rarely asks the same kind of thing twice
            chosen.append(scenario)
            u, a = Turn("user"), Turn("assistant")
            scenario(rng, persona, fakers, u, a)
            turns += [u, a]
        if rng.random() < 0.3:
            u, a = Turn("user"), Turn("assistant")
            _follow_up(rng, persona, u, a)
            turns += [u, a]
        docs.append(_render(f"chat-{seed}-{i:05d}", turns, locale))
    return docs


def _render(doc_id: str, turns: list[Turn], locale: str) -> dict[str, Any]:
    text_parts: list[str] = []
    spans: list[dict[str, Any]] = []
    turn_meta: list[dict[str, Any]] = []
    pos = 0
    for k, t in enumerate(turns):
        if k:
            text_parts.append("\n\n")
            pos += 2
        body = "".join(t.parts)
        text_parts.append(body)
        spans += [{"start": pos + s, "end": pos + e, "label": lab} for s, e, lab in t.spans]
        turn_meta.append({"role": t.role, "start": pos, "end": pos + len(body)})
        pos += len(body)
    return {"id": doc_id, "text": "".join(text_parts), "spans": spans, "turns": turn_meta, "locale": locale}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    with args.out.open("wb") as f:
        for doc in generate_gold(args.n, args.seed):
            f.write(orjson.dumps(doc) + b"\n")


if __name__ == "__main__":
    main()
