"""How long the offline path takes on a long email and a long thread.

Target (issue 7): under 2 s for a 1 MB email, parse to checked draft, on one core. The test
suite only guards this generously (tests/test_size_limits.py); this prints the real figure.

    python bench/size_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_size_limits import _one_megabyte, _thread  # noqa: E402

from drafter.engines.offline import OfflineEngine  # noqa: E402
from drafter.mail import parse_bytes  # noqa: E402
from drafter.pipeline import draft_email  # noqa: E402
from drafter.policy import BUILTIN_POLICY, parse_policy  # noqa: E402

TARGET_S = 2.0


def timed(data: bytes, runs: int) -> tuple[float, float]:
    """Median seconds for (parse, parse + analyse + draft + check)."""
    policy = parse_policy(BUILTIN_POLICY)
    engine = OfflineEngine(today=dt.date(2026, 11, 23))
    parse_times, total_times = [], []
    for _ in range(runs):
        start = time.perf_counter()
        email = parse_bytes(data)
        parsed = time.perf_counter()
        draft_email(email, policy, engine)
        parse_times.append(parsed - start)
        total_times.append(time.perf_counter() - start)
    return statistics.median(parse_times), statistics.median(total_times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    timed(b"Subject: warm-up\n\nMy order never arrived.", 1)
    cases = {"1 MB email": _one_megabyte(), "100-reply thread": _thread(100)}
    worst = 0.0
    print(f"{'input':<18}{'size':>10}{'parse s':>10}{'total s':>10}")
    for name, data in cases.items():
        parse, total = timed(data, args.runs)
        worst = max(worst, total)
        print(f"{name:<18}{len(data):>10,}{parse:>10.3f}{total:>10.3f}")
    print(f"target: under {TARGET_S:.0f} s: {'met' if worst < TARGET_S else 'MISSED'}")
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
