"""Assistant-style filler for the gold set: ordinary help text with no personal identifiers, but
with the product names, numbers, steps and code that real replies contain (so the spurious-span
rate is measured on realistic text, not on clean prose)."""

from __future__ import annotations

FILLER = (
    "Here are a few things to keep in mind:\n\n1. Keep the first paragraph short and specific.\n"
    "2. Mention one concrete result, ideally with a number (for example, a 20% reduction in costs).\n"
    "3. Close with a clear next step.\n\nWould you like me to make it more formal?",
    "Sure! The simplest way to do this in Excel is to use a pivot table: select the range, go to Insert > "
    "PivotTable, and drag the Category field into Rows and the Amount field into Values. If you are on "
    "Google Sheets, the menu is Data > Pivot table.",
    "That error usually means the port is already in use. Run `lsof -i :8080` on macOS or Linux to see which "
    "process holds it, then stop that process or start your server on another port, e.g. `python -m "
    "http.server 8000`.",
    "A good weekly plan could look like this:\n\n| Day | Focus | Time |\n|---|---|---|\n| Monday | Strength "
    "| 45 min |\n| Wednesday | Cardio | 30 min |\n| Friday | Mobility | 20 min |\n\nAdjust the load every two "
    "weeks.",
    "In Python you can read the file line by line without loading it all into memory:\n\n```python\nwith "
    'open(path, encoding="utf-8") as f:\n    for line in f:\n        process(line)\n```\n\nThis works for '
    "files of any size.",
    "Moving checklist: update your address with your bank, employer and insurer; forward your mail for at "
    "least 12 months; register to vote at the new address; and update your driver's licence within the "
    "deadline your state or country sets (often 30 days).",
    "I can't verify that myself, but here is how you can check it: compare the total on your statement with "
    "the sum of the individual transactions, and contact the bank through the number printed on the back of "
    "your card, not one from an e-mail.",
    "Here is a revised version that keeps your tone but tightens the wording. I removed the repeated "
    "apology, moved the request to the first paragraph and added a deadline so the reader knows when to "
    "reply.",
    "To reset a forgotten router password, hold the reset button for about 10 seconds, wait for the lights "
    "to settle, then open the admin page (often at the gateway address printed on the label) and log in "
    "with the default credentials before setting a new one.",
    "Good question. The main difference is that a Roth IRA is funded with after-tax money, so qualified "
    "withdrawals are tax-free, while a traditional IRA gives you the deduction now and taxes withdrawals "
    "later. The 2024 contribution limit is $7,000, or $8,000 if you are 50 or older.",
    "Congratulations on the new role! For the first 90 days, focus on learning how decisions are made, "
    "meeting each stakeholder one-on-one and delivering one small, visible win.",
    "JSON does not allow trailing commas or comments. Remove the comma after the last item and validate the "
    "file with `python -m json.tool config.json` to see the exact line of any remaining error.",
    "Of course. A polite follow-up usually works best after five to seven business days; keep it to three "
    "sentences and restate the one thing you need.",
    "SQL tip: use a LEFT JOIN when you want every row from the first table even if there is no match, and "
    "filter the right table's columns in the ON clause rather than in WHERE.",
)

OPENERS = (
    "I need help with something.",
    "quick question",
    "Can you help me with a letter?",
    "I'm filling out a form and I'm not sure about the format.",
    "hey, need a hand",
    "Please review the following and fix any mistakes.",
    "I want to write a polite complaint.",
)

TOPICS = (
    "Can you turn this into a short professional email?",
    "Is this formatted correctly?",
    "Can you check this for typos?",
    "What should I do next?",
    "Can you summarize this for me?",
)
