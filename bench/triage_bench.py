"""Triage throughput, measured as a user runs it: whole ``drafter triage`` processes.

(a) LLM triage against ``bench/standin_server.py`` (a loopback OpenAI-compatible stand-in
    answering after a fixed latency, 100 ms by default), at concurrency 32, with
    ``--no-draft`` (one model call per email). The ideal is concurrency / latency
    (32 / 0.1 s = 320 emails/s); the target is at least 80% of it. The same run with drafts
    (analysis + draft + judge: three calls per email) is reported too, in emails/s and in
    model calls/s.
(b) Offline triage (no model) of a generated 10,000-message mbox, with the JSONL output and
    the HTML report written; the target is under 30 s on a 2-core machine.

Each run uses a throwaway ledger, so nothing is resumed. The rate is the one triage prints
in its summary ("processed in … s"): from the first email handed to a worker to the last one
committed; the wall time of the whole command (start-up, reading the inputs, writing the
outputs) is reported next to it.

    python bench/triage_bench.py                  # both
    python bench/triage_bench.py --only offline   # (b) only
    python bench/triage_bench.py --emails 3000 --latency 0.1 --concurrency 32
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from make_mbox import generate  # noqa: E402

_RATE = re.compile(r"this run: ([\d,]+) processed in ([\d.]+) s \(([\d,.]+)/s\), ([\d,]+) tokens")


def drafter(args: list[str], env: dict[str, str]) -> tuple[float, str, int, float]:
    """Run ``python -m drafter ARGS``: (wall s, stderr, exit code, CPU s of the process tree).

    The CPU seconds (user + system of triage and every process below it: the fork server
    and its workers, which are triage's grandchildren and so escape ``RUSAGE_CHILDREN``)
    are what a busy shared machine cannot distort much: on an idle machine with N cores the
    work cannot take less than cpu / N seconds, and that bound is reported next to the wall
    time. They are sampled every 50 ms, so the last instant of each process is missed.
    """
    seen: dict[int, float] = {}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "drafter", *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            for pid in [proc.pid, *descendants(proc.pid)]:
                seen[pid] = max(seen.get(pid, 0.0), process_cpu(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    return wall, stderr, proc.returncode, sum(seen.values())


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc; none elsewhere)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = [], {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found += frontier
    return found


def process_cpu(pid: int) -> float:
    """CPU seconds a running process has used so far (Linux /proc), 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return -1.0


def summary(stderr: str) -> dict[str, float]:
    found = _RATE.search(stderr)
    if not found:
        raise SystemExit(f"no summary in triage's output:\n{stderr[-2000:]}")
    done, seconds, rate, tokens = (float(g.replace(",", "")) for g in found.groups())
    return {"processed": done, "seconds": seconds, "rate": rate, "tokens": tokens}


def start_server(latency: float) -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen([sys.executable, str(ROOT / "bench" / "standin_server.py"),
                               "--port", "0", "--latency", str(latency)],
                              stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline() if server.stdout else ""
    if not line.startswith("PORT "):
        server.kill()
        raise SystemExit("the stand-in server did not start")
    return server, int(line.split()[1])


def base_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DRAFTER_TODAY": "2026-11-23"}
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        env.pop(name, None)
    return env


def bench_llm(work: Path, emails: int, latency: float, concurrency: int) -> dict[str, object]:
    mbox = work / "llm.mbox"
    generate(mbox, emails, seed=11)
    server, port = start_server(latency)
    env = {**base_env(), "OPENAI_API_KEY": "bench"}
    ideal = concurrency / latency
    results: dict[str, object] = {"latency_s": latency, "concurrency": concurrency,
                                  "ideal_emails_per_s": ideal}
    cpus = os.cpu_count() or 1
    try:
        for label, extra in (("no_draft", ["--no-draft"]), ("with_draft", [])):
            store = work / f"{label}.sqlite"
            server_cpu = process_cpu(server.pid)
            load = load_average()
            wall, stderr, code, cpu = drafter(
                ["triage", str(mbox), "--engine", "openai", "--base-url",
                 f"http://127.0.0.1:{port}/v1", "--concurrency", str(concurrency),
                 "--store", str(store), "--out", str(work / f"{label}.jsonl"), *extra], env)
            if code not in (0, 1):
                raise SystemExit(f"triage failed ({code}):\n{stderr[-2000:]}")
            figures = summary(stderr)
            calls = _calls(work / f"{label}.jsonl")
            stand_in = process_cpu(server.pid) - server_cpu
            per_email = (cpu + stand_in) / figures["processed"]
            calls_per_email = calls / figures["processed"]
            results[label] = {
                **figures, "wall_s": round(wall, 2), "model_calls": calls,
                "calls_per_s": round(calls / figures["seconds"], 1),
                "share_of_ideal_calls": round(calls / figures["seconds"] / ideal, 3),
                "cpu_s": round(cpu, 1), "standin_cpu_s": round(stand_in, 1),
                "cpu_ms_per_email": round(1000 * per_email, 2),
                # What the CPU use allows on an idle machine with this many cores, capped
                # by the latency bound (concurrency / latency / calls per email).
                "cpu_ceiling_emails_per_s": round(min(cpus / per_email,
                                                     ideal / calls_per_email), 1),
                "load_average_before": load,
            }
    finally:
        server.terminate()
        server.wait(timeout=10)
    return results


def _calls(jsonl: Path) -> int:
    with jsonl.open(encoding="utf-8") as fh:
        return sum(int(json.loads(line).get("calls") or 0) for line in fh)


def bench_offline(work: Path, emails: int) -> dict[str, object]:
    mbox = work / "inbox.mbox"
    started = time.perf_counter()
    generate(mbox, emails, seed=7)
    generated = time.perf_counter() - started
    load = load_average()
    wall, stderr, code, cpu = drafter(
        ["triage", str(mbox), "--engine", "offline", "--store", str(work / "offline.sqlite"),
         "--out", str(work / "offline.jsonl"), "--report", str(work / "report.html")],
        base_env())
    if code not in (0, 1):
        raise SystemExit(f"triage failed ({code}):\n{stderr[-2000:]}")
    figures = summary(stderr)
    cpus = os.cpu_count() or 1
    return {"emails": emails, "mbox_mb": round(mbox.stat().st_size / 2**20, 1),
            "generate_s": round(generated, 1), "wall_s": round(wall, 2), **figures,
            "cpu_s": round(cpu, 1), "cpu_floor_s": round(cpu / cpus, 1),
            "target_s": 30, "cpus": cpus, "load_average_before": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("llm", "offline"))
    parser.add_argument("--emails", type=int, default=3000, help="emails for the LLM runs")
    parser.add_argument("--offline-emails", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="drafter-bench-") as tmp:
        work = Path(tmp)
        if args.only in (None, "llm"):
            figures["llm"] = bench_llm(work, args.emails, args.latency, args.concurrency)
        if args.only in (None, "offline"):
            figures["offline"] = bench_offline(work, args.offline_emails)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    if "llm" in figures:
        llm = figures["llm"]
        assert isinstance(llm, dict)
        print(f"LLM triage, stand-in latency {llm['latency_s']} s, concurrency "
              f"{llm['concurrency']} (ideal {llm['ideal_emails_per_s']:.0f} emails/s):")
        for label in ("no_draft", "with_draft"):
            r = llm[label]
            print(f"  {label:10} {r['rate']:7.1f} emails/s · {r['calls_per_s']:.0f} model "
                  f"calls/s ({100 * r['share_of_ideal_calls']:.0f}% of the ideal calls/s) · "
                  f"{r['processed']:.0f} emails in {r['seconds']:.1f} s (wall {r['wall_s']:.1f} "
                  f"s) · {r['cpu_ms_per_email']} ms CPU/email incl. stand-in → CPU ceiling "
                  f"on idle cores {r['cpu_ceiling_emails_per_s']:.0f} emails/s · load avg before "
                  f"{r['load_average_before']}")
    if "offline" in figures:
        off = figures["offline"]
        assert isinstance(off, dict)
        print(f"Offline triage of {off['emails']:,} emails ({off['mbox_mb']} MB mbox) on "
              f"{off['cpus']} CPUs: wall {off['wall_s']:.1f} s (target < 30 s); "
              f"{off['rate']:.0f} emails/s while processing; {off['cpu_s']} CPU s → "
              f"floor {off['cpu_floor_s']} s on idle cores · load avg before "
              f"{off['load_average_before']}")


if __name__ == "__main__":
    main()
