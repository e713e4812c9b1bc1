"""How well the offline listening step hears what customers ask for and how angry they are.

Scores :func:`drafter.analyze.analyze_email` on the blind listening sets in
``corpus/blind/listening-*.jsonl`` (written by authors who never saw the rules, the models or
the corpus; ``bench/corpus_sets.py`` says which are headline, never studied, and which are
dev, studied to choose the ask threshold), per language:

* **want recall**: of the asks the author labelled, the share that one of the first four
  wants drafter lists matches (a want matches an ask when at least half of the ask's
  content words, or of the want's, are in the other or in the ask's evidence);
* **want precision** (an estimate): the share of drafter's first four wants that match
  some labelled ask;
* **kind right**: of the asks heard, the share whose want gets the author's kind (refund,
  repair, callback, …): the kind picks the policy option that answers it;
* **no invented wants**: of the emails that ask for nothing, the share given no want;
* **fact recall** (sets that label facts): of the references, amounts, dates, deadlines,
  durations and counts the author labelled, the share drafter lists with the right kind
  (texts overlapping), per kind too; **currency kept**: of the labelled amounts, the share
  found with the author's currency;
* **industry** (sets that label it): the share of emails whose industry drafter reads as
  the author labelled it (``airline`` and ``rail`` are ``travel``, ``gym`` is
  ``subscriptions``);
* **anger within one**: the share of emails whose anger score is within one point of the
  author's label; and the share scored at least 2 when the label is 4 or 5 (triage's
  default ``--min-anger``).

Targets (issue 13): want recall ≥ 0.8, no invented wants ≥ 0.8, fact recall ≥ 0.85 with
currency kept, anger within one ≥ 0.85,
in every language. When ``../shared/data/real-complaints/cfpb.jsonl`` is present, the share
of its narratives given at least one want is printed too (it has no labels).

    python bench/listening_bench.py [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_sets import (  # noqa: E402
    LANGUAGES,
    LISTENING_DEV,
    LISTENING_HEADLINE,
    LISTENING_SELECTION,
    blind_set,
    read_jsonl,
)

from drafter.analyze import analyze_email, want_kind  # noqa: E402
from drafter.industry import canonical  # noqa: E402
from drafter.models import Email  # noqa: E402
from drafter.understand.features import fold  # noqa: E402

REAL = ROOT.parent / "shared" / "data" / "real-complaints" / "cfpb.jsonl"
_WORD = re.compile(r"[^\W_]{3,}")


def content(text: str) -> set[str]:
    """Content words, folded, cut to their first five letters (a crude stem)."""
    return {w[:5] for w in _WORD.findall(fold(text))}


def matches(want: str, ask: dict) -> bool:
    got = content(want)
    expected = content(ask["phrase"])
    evidence = content(ask.get("evidence", "")) | expected
    if not got or not expected:
        return False
    return (len(got & evidence) / len(got) >= 0.5) or (len(expected & got) / len(expected) >= 0.5)


def fact_kind(kind: str) -> str:
    """drafter's fact kinds in the blind sets' terms: every reference is an ``id``."""
    return "id" if kind.endswith("_id") or kind == "tracking" else kind


def fact_found(labelled: dict, facts: list) -> tuple[bool, bool]:
    """(found with the right kind, and for an amount its currency too). A fact is found when
    the texts overlap (one inside the other, ignoring case and a trailing full stop)."""
    want = labelled["text"].strip().rstrip(".").casefold()
    for f in facts:
        got = f.text.strip().rstrip(".").casefold()
        if fact_kind(f.kind) != labelled["kind"] or not got or not (got in want or want in got):
            continue
        if labelled["kind"] == "amount" and labelled.get("subkind"):
            return True, f.currency == labelled["subkind"]
        return True, True
    return False, False


def score(items: list[dict]) -> dict[str, dict[str, float]]:
    tallies: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        analysis = analyze_email(Email(body=item["text"]))
        wants = analysis.wants[:4]
        for lang in (item["lang"], "all"):
            t = tallies[lang]
            for ask in item["asks"]:
                heard = [w for w in wants if matches(w, ask)]
                t["recall"].append(bool(heard))
                if heard:
                    t["kind_right"].append(want_kind(heard[0]) == ask["kind"])
            if item["asks"]:
                t["precision"].extend(any(matches(w, a) for a in item["asks"]) for w in wants)
            else:
                t["no_invented"].append(not wants)
            t["anger_within_one"].append(abs(analysis.anger - item["anger"]) <= 1)
            if item.get("industry"):
                t["industry"].append(analysis.industry == canonical(item["industry"]))
            for labelled in item.get("facts", ()):
                found, exact = fact_found(labelled, analysis.facts)
                t["facts"].append(found)
                t[f"facts_{labelled['kind']}"].append(found)
                if labelled["kind"] == "amount":
                    t["currency_kept"].append(found and exact)
            if item["anger"] >= 4:
                t["angry_kept"].append(analysis.anger >= 2)
    return {lang: {k: round(sum(v) / len(v), 2) if v else None for k, v in t.items()}
            | {"n": len([i for i in items if lang in ("all", i["lang"])])}
            for lang, t in tallies.items()}


def real_share() -> float | None:
    if not REAL.is_file():
        return None
    rows = read_jsonl(REAL)[:300]
    return round(sum(bool(analyze_email(Email(body=r["narrative"])).wants) for r in rows)
                 / len(rows), 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tables = {}
    for title, names in (("headline blind listening sets (never studied)", LISTENING_HEADLINE),
                         ("selection blind listening sets (figures read to choose)",
                          LISTENING_SELECTION),
                         ("dev blind listening sets (studied; trained on)", LISTENING_DEV)):
        items = [d for name in names for d in blind_set(name)]
        if items:
            tables[title] = score(items)
    real = real_share()
    if args.json:
        print(json.dumps({**tables, "real_with_a_want": real}, indent=2))
        return 0
    for title, table in tables.items():
        langs = [x for x in (*LANGUAGES, "all") if x in table]
        print(f"{title:<22}" + "".join(f"{x:>8}" for x in langs))
        keys = ["recall", "precision", "kind_right", "no_invented", "anger_within_one",
                "angry_kept", "industry"]
        keys += sorted({k for row in table.values() for k in row if k.startswith(("facts",
                                                                               "currency"))})
        for key in (*keys, "n"):
            cells = [table[x].get(key) for x in langs]
            print(f"{key:<22}" + "".join(f"{'-' if c is None else c:>8}" for c in cells))
        print()
    if real is not None:
        print(f"real complaints (first 300 CFPB narratives) given a want: {real}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
