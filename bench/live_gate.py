"""Does "passed" mean sendable against a real model server? (issue 16's live check)

Drafts every sample email (``examples/`` and the injection corpus ``tests/data/injection``)
with the openai engine against a running OpenAI-compatible server, then checks each returned
draft again from scratch with :func:`drafter.checker.check_reply` (rules and the
sendability gate: prompt tags, placeholders, length, cut-off endings, wrong names, language,
over-promises). A result that says "passed" while the fresh check finds an error is a
failure of the promise; the script prints each one and exits 1.

    ../shared/tools/local-llm            # llama-server with a tiny model on 127.0.0.1:8080
    OPENAI_BASE_URL=http://127.0.0.1:8080/v1 python bench/live_gate.py [--limit N] [--json]

The tiny model writes poor drafts on purpose: most fail the gate and are revised, replaced by
the offline template, or withheld; what matters is that none is reported as passed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.checker import check_reply  # noqa: E402
from drafter.engines.openai_engine import OpenAIEngine  # noqa: E402
from drafter.errors import DrafterError  # noqa: E402
from drafter.mail import read_email  # noqa: E402
from drafter.pipeline import DraftOptions, draft_email  # noqa: E402
from drafter.policy import builtin_policy, policy_for  # noqa: E402


def samples() -> list[Path]:
    found = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".txt", ".eml"))
    found += sorted((ROOT / "tests" / "data" / "injection").glob("*.txt"))
    found += sorted((ROOT / "tests" / "data" / "injection").glob("*.eml"))
    return found


def run(path: Path, engine: OpenAIEngine) -> dict:
    email = read_email(path)
    started = time.monotonic()
    try:
        result = draft_email(email, builtin_policy(), engine, DraftOptions(judge=True))
    except DrafterError as exc:
        return {"email": path.name, "outcome": "error", "error": str(exc)}
    row = {"email": path.name, "seconds": round(time.monotonic() - started, 1),
           "calls": result.usage.calls, "revisions": result.revisions}
    if result.draft is None:
        return {**row, "outcome": "escalated or withheld"}
    policy = policy_for(builtin_policy(), result.analysis)
    fresh = check_reply(result.draft.text, email=email, analysis=result.analysis,
                        policy=policy)
    replaced = any("offline template" in n for n in result.notices)
    outcome = ("passed" if result.check.passed else "failed, said so")
    if replaced:
        outcome += " (offline fallback)"
    row.update(outcome=outcome, fresh_errors=sorted({f.rule for f in fresh.errors}),
               broken_promise=result.check.passed and bool(fresh.errors))
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="draft only the first N samples")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base_url = os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    engine = OpenAIEngine(base_url=base_url, api_key=os.environ.get("OPENAI_API_KEY", "local"),
                          timeout=120.0, max_retries=1)
    paths = samples()[: args.limit or None]
    rows = []
    for path in paths:
        row = run(path, engine)
        rows.append(row)
        if not args.json:
            print(f"{row['email']:<42} {row['outcome']:<32} {row.get('fresh_errors', '')}",
                  flush=True)
    broken = [r for r in rows if r.get("broken_promise")]
    summary = {"drafts": len(rows), "outcomes": Counter(r["outcome"] for r in rows),
               "passed_but_unsendable": len(broken), "model": engine.model,
               "base_url": base_url}
    if args.json:
        print(json.dumps({"summary": summary, "rows": rows}, indent=2, default=dict))
    else:
        print(json.dumps(summary, indent=2, default=dict))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
