"""Reading the team's corpus and the blind sets, shared by the trainers and the benches.

``corpus/escalation/*.jsonl``: training data written by the team (see each file's README).
``corpus/blind/escalation-*.jsonl``: sets written by authors who never saw the rules, the
models or the training data. Which blind sets are *dev* (studied while tuning, so no longer
blind) and which are *headline* (never studied) is recorded here, in one place, so every
script and the README say the same.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

#: Blind sets used to choose thresholds and features: dev sets from then on. ``-b``, ``-c``
#: and ``-d`` were the headline until round six (2026-12-03), then studied to set thresholds.
ESCALATION_DEV = ("escalation-a", "escalation-b", "escalation-c", "escalation-d")
#: Blind sets whose misses were never read but whose overall figures chose between model
#: variants (round eight's regularisation): no longer headline. They were the headline until
#: 2026-12-04 (``-g`` and ``-h`` written on 2026-12-03 for round seven).
ESCALATION_SELECTION = ("escalation-e", "escalation-f", "escalation-g", "escalation-h")
#: Blind sets never studied: the headline figures. ``-i``, ``-j`` and ``-k`` were written on
#: 2026-12-04 for round eight, by three authors, and first read after its model was trained;
#: ``-l``, ``-m`` and ``-n`` (three more authors) the same day for round nine, which was not
#: shipped (it lost on the selection sets).
ESCALATION_HEADLINE = ("escalation-i", "escalation-j", "escalation-k", "escalation-l",
                       "escalation-m", "escalation-n")
#: Blind listening sets used to choose the ask threshold: dev sets from then on. ``-c`` and
#: ``-d`` were the headline until 2026-12-03, then studied.
LISTENING_DEV = ("listening-a", "listening-b", "listening-c", "listening-d", "listening-e",
                 "listening-f", "listening-i", "listening-j", "listening-k", "listening-l")
#: Blind listening sets never studied: the headline figures (they label facts too, as do
#: ``-e`` and ``-f``, whose misses were studied to build the fact reader). ``-i``'s drafts
#: were graded and the graders' notes studied (rubric round four), so it is dev; ``-j``
#: was written after that, for round five, and its drafts were read while mending the
#: offline replies (2026-12-04): dev since. ``-k`` was written on 2026-12-04 for round six;
#: its drafts were graded (rubric round six) and the graders' notes read and acted on (terse
#: demands), so it is dev too.
#: ``-l`` was written on 2026-12-04 after the day's listening changes and first read then
#: (the README's table was taken at that point); its drafts were graded the same day (rubric
#: round seven) and its misses studied, so it is dev now and a fresh set is owed.
#: ``-m`` was written on 2026-12-04 after the day's last listening change and first read then.
#: ``-n`` was written on 2026-12-05, while the dev sets' sentences and anger labels were first
#: used to train the ask and anger models, and first read after that change: the headline.
LISTENING_HEADLINE = ("listening-n",)
#: Blind listening sets whose misses were never read but whose overall figures chose
#: whether to ship a change (training on the dev sets' sentences and anger labels,
#: 2026-12-05): no longer a fair headline, still a check.
LISTENING_SELECTION = ("listening-g", "listening-h", "listening-m")
#: Blind checker sets (agents' replies with labelled mistakes) studied while tuning.
CHECKER_DEV = ("checker-a",)
#: Blind checker sets whose misses were never read but whose overall figures chose between
#: models on 2026-12-04 (a helper round rejected, the team's "if it would help" offers kept):
#: the headline until then (``-d`` written on 2026-12-03 for round four).
CHECKER_SELECTION = ("checker-b", "checker-c", "checker-d")
#: Blind checker sets never studied: the headline figures. ``-e`` was written on 2026-12-04
#: and first read after that day's model was trained.
CHECKER_HEADLINE = ("checker-e",)
LANGUAGES = ("en", "es", "de", "fr", "pt", "it", "nl")


def digest(paths: list[Path]) -> str:
    """The first 16 hex digits of a SHA-256 over the files' names and bytes: what a shipped
    model records as ``trained_on.corpus_sha256_16``, and the tests recompute."""
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def share(flags) -> float:
    """The share of true flags, to three places (0.0 for none)."""
    flags = list(flags)
    return round(sum(flags) / len(flags), 3) if flags else 0.0


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def escalation_corpus() -> list[dict]:
    """Every training item: ``text``, ``label``, ``lang``, ``unit`` (sentence|email), ``file``."""
    items = []
    for path in sorted((CORPUS / "escalation").glob("*.jsonl")):
        for item in read_jsonl(path):
            items.append({**item, "file": path.name})
    return items


def blind_set(name: str) -> list[dict]:
    path = CORPUS / "blind" / f"{name}.jsonl"
    return read_jsonl(path) if path.is_file() else []
