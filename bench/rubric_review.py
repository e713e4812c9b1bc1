"""Rubric review of offline drafts: cases for a reader who did not write the templates, and
the figures from their grades.

The grading itself is a person's (or a language-model helper's that never saw the templates
or the code): they read each case, the customer's email, the company's policy and the draft,
and grade it by ``bench/draft_rubric.md``. This script makes the cases from blind listening
sets (each email with the example policy of its industry, ``examples/policies/``, or the
built-in one) and turns the grade files into the table the README shows.

    python bench/rubric_review.py prepare --set listening-g,listening-h --out cases.jsonl
    python bench/rubric_review.py prepare --set listening-i --builtin --out cases.jsonl
    python bench/rubric_review.py summarize cases.jsonl grades-1.jsonl [grades-2.jsonl …]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_sets import LANGUAGES, blind_set, read_jsonl  # noqa: E402

from drafter.engines.offline import OfflineEngine  # noqa: E402
from drafter.models import Email  # noqa: E402
from drafter.pipeline import draft_email  # noqa: E402
from drafter.policy import BUILTIN_POLICY, load_policy, parse_policy, policy_for  # noqa: E402

#: The example policy each industry of the blind sets is drafted with (others: built-in).
INDUSTRY_POLICY = {"retail": "retail", "airline": "airline", "rail": "airline",
                   "telecom": "telecom", "saas": "saas", "bank": "bank",
                   "insurance": "insurance", "utility": "utility", "hotel": "hotel"}
TODAY = dt.date(2026, 12, 3)


def prepare(sets: list[str], builtin: bool = False) -> list[dict]:
    """One case per drafted email (escalated ones have no draft to grade). ``builtin``: every
    email gets the built-in policy, fitted to the industry drafter reads, as a new user's
    first drafts do; else the example policy of the industry the author labelled."""
    cases = []
    for name in sets:
        for item in blind_set(name):
            industry = item.get("industry", "")
            policy = (load_policy(str(ROOT / "examples" / "policies" /
                                      f"{INDUSTRY_POLICY[industry]}.toml"))
                      if industry in INDUSTRY_POLICY and not builtin else
                      parse_policy(BUILTIN_POLICY, source="built-in"))
            result = draft_email(Email(body=item["text"]), policy, OfflineEngine(today=TODAY))
            if result.draft is None:
                continue
            policy = policy_for(policy, result.analysis)  # what the draft was held to
            cases.append({
                "id": item["id"], "lang": item["lang"], "industry": industry,
                "policy_company": policy.company, "policy_currency": policy.currency,
                "policy_options": [{"kind": o.kind, "offer": o.offer,
                                    "max_amount": o.max_amount} for o in policy.options],
                "email": item["text"], "draft": result.draft.text,
            })
    return cases


FIELDS = ("send_with_light_edits", "false_or_harmful", "facts_right", "currency_changed",
          "language_ok", "grammatical")


def summarize(cases: list[dict], grades: list[dict]) -> dict[str, dict[str, float]]:
    """Per language and in all: the share of drafts with each field true, and the share of
    the customers' asks the drafts answer."""
    lang_of = {c["id"]: c["lang"] for c in cases}
    groups: dict[str, list[dict]] = defaultdict(list)
    for grade in grades:
        groups[lang_of.get(grade["id"], "?")].append(grade)
        groups["all"].append(grade)
    table = {}
    for lang, rows in groups.items():
        asks = sum(int(r["asks"]) for r in rows)
        answered = sum(min(int(r["asks_answered"]), int(r["asks"])) for r in rows)
        table[lang] = {f: round(sum(bool(r[f]) for r in rows) / len(rows), 2) for f in FIELDS}
        table[lang]["asks_answered"] = round(answered / asks, 2) if asks else None
        table[lang]["n"] = len(rows)
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare", help="write the cases to grade")
    prep.add_argument("--set", default="listening-g,listening-h")
    prep.add_argument("--out", type=Path, required=True)
    prep.add_argument("--builtin", action="store_true",
                      help="draft every email with the built-in policy (fitted by industry)")
    summ = sub.add_parser("summarize", help="the table from grade files")
    summ.add_argument("cases", type=Path)
    summ.add_argument("grades", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "prepare":
        cases = prepare(args.set.split(","), builtin=args.builtin)
        args.out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases),
                            encoding="utf-8")
        print(f"{len(cases)} cases in {args.out}")
        return 0
    cases = read_jsonl(args.cases)
    grades = [g for path in args.grades for g in read_jsonl(path)]
    table = summarize(cases, grades)
    langs = [x for x in (*LANGUAGES, "all") if x in table]
    print(f"{'':24}" + "".join(f"{x:>7}" for x in langs))
    for key in (*FIELDS, "asks_answered", "n"):
        print(f"{key:24}" + "".join(f"{table[x][key] if table[x][key] is not None else '-':>7}"
                                    for x in langs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
