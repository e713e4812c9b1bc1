"""Start-up and single-email speed of the CLI, measured as a user feels it: whole processes.

Targets (issue 2, on the 2-core reference machine): ``drafter --help`` under 0.3 s and
``drafter draft EMAIL`` with the offline engine under 0.5 s wall.

    python bench/cli_bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def drafter_command() -> list[str]:
    exe = shutil.which("drafter")
    return [exe] if exe else [sys.executable, "-m", "drafter"]


def time_runs(args: list[str], runs: int) -> list[float]:
    env = {**os.environ, "DRAFTER_TODAY": "2026-11-23"}
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    base = drafter_command()
    cases = {
        "drafter --help": [*base, "--help"],
        "drafter draft examples/late-delivery.eml (offline)":
            [*base, "draft", "examples/late-delivery.eml", "--engine", "offline"],
        "drafter draft examples/late-delivery.eml --json (offline)":
            [*base, "draft", "examples/late-delivery.eml", "--engine", "offline", "--json"],
    }
    print(f"{'command':<58} {'median':>8} {'p90':>8}  ({runs} runs)")
    for name, args in cases.items():
        times = sorted(time_runs(args, runs))
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(f"{name:<58} {statistics.median(times):>7.3f}s {p90:>7.3f}s")


if __name__ == "__main__":
    main()
