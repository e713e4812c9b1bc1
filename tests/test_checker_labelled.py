"""The labelled replies: every bad one is caught, no good one is flagged, fixes really fix.

``labelled.jsonl`` is what the rules were tuned on; ``heldout.jsonl`` was written before any
rule existed and is never tuned on (``bench/checker_bench.py`` reports both).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drafter.checker import check_reply
from drafter.checker.fix import rewrite_offending
from drafter.models import MISTAKES
from drafter.policy import load_policy

DATA = Path(__file__).parent / "data" / "checker"
POLICY = load_policy(DATA / "policy.toml")


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]


LABELLED = rows("labelled.jsonl")
HELDOUT = rows("heldout.jsonl")
ALL = LABELLED + HELDOUT
BAD = [r for r in ALL if r["mistakes"]]
GOOD = [r for r in ALL if not r["mistakes"]]


def ids(items: list[dict]) -> list[str]:
    return [r["id"] for r in items]


def test_the_sets_are_big_enough():
    for m in MISTAKES:
        assert sum(m in r["mistakes"] for r in LABELLED) >= 8, m
    assert sum(not r["mistakes"] for r in LABELLED) >= 25
    assert len({r["id"] for r in ALL}) == len(ALL)
    assert all(set(r["mistakes"]) <= set(MISTAKES) for r in ALL)


@pytest.mark.parametrize("row", BAD, ids=ids(BAD))
def test_every_bad_reply_triggers_its_mistakes(row):
    """Each reply is labelled with the mistake it was written to show; a second one the
    checker also finds in it ("Contrary to what you say, …" argues *and* blames; "I'm sorry
    about the confusion" apologises for nothing) is not a false alarm, so extras may stand."""
    result = check_reply(row["text"], policy=POLICY)
    found = {f.mistake for f in result.findings if f.mistake}
    assert set(row["mistakes"]) <= found, [(f.rule, f.excerpt) for f in result.findings]


@pytest.mark.parametrize("row", GOOD, ids=ids(GOOD))
def test_every_good_reply_has_no_error(row):
    result = check_reply(row["text"], policy=POLICY)
    assert result.errors == [], [(f.rule, f.excerpt) for f in result.errors]


@pytest.mark.parametrize("row", ALL, ids=ids(ALL))
def test_spans_point_at_the_excerpt(row):
    text = row["text"]
    for f in check_reply(text, policy=POLICY).findings:
        assert f.excerpt == text[f.start:f.end]
        if f.start != f.end:
            assert f.excerpt.strip()


@pytest.mark.parametrize("row", BAD, ids=ids(BAD))
def test_rewrite_makes_each_bad_reply_pass_the_seven(row):
    result = check_reply(row["text"], policy=POLICY)
    fixed = rewrite_offending(row["text"], result.findings, POLICY, None)
    again = check_reply(fixed, policy=POLICY)
    assert not {f.mistake for f in again.findings if f.mistake}, fixed
    assert again.passed, [(f.rule, f.excerpt) for f in again.errors]
    assert fixed.rstrip().endswith(row["text"].rstrip().splitlines()[-1])  # sign-off kept


@pytest.mark.parametrize("row", GOOD[:10], ids=ids(GOOD[:10]))
def test_rewrite_leaves_a_good_reply_alone(row):
    assert rewrite_offending(row["text"], [], POLICY, None) == row["text"]
