"""Showing a triage run's progress: a live bar on a terminal, plain log lines elsewhere.

Neither ever shows customer text (no subjects, no senders): a log of a batch run ends up in
CI output and ticket comments, where email content does not belong. Both show the same
counters: done/total, rate, errors, tokens and the estimated cost.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

from drafter.pricing import estimate_cost, format_cost
from drafter.text import plural


@dataclass
class Counters:
    """What a run has done so far (the summary at the end reads the same numbers)."""

    total: int = 0
    resumed: int = 0
    done: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    model: str | None = None
    price_in: float | None = None
    price_out: float | None = None
    batch: bool = False

    def add(self, row: dict[str, Any]) -> None:
        self.done += 1
        self.statuses[str(row.get("status"))] += 1
        self.errors += row.get("status") == "error"
        self.prompt_tokens += int(row.get("prompt_tokens") or 0)
        self.completion_tokens += int(row.get("completion_tokens") or 0)
        self.calls += int(row.get("calls") or 0)
        self.model = self.model or row.get("model")

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def elapsed(self) -> float:
        return max(1e-9, time.monotonic() - self.started)

    @property
    def rate(self) -> float:
        return self.done / self.elapsed

    def cost(self) -> float | None:
        if not self.calls:
            # Nothing answered: offline or all resumed costs nothing; model calls that all
            # failed cost what the provider says, which no answer told us ("n/a", not "$0").
            return None if self.errors else 0.0
        return estimate_cost(self.model, self.prompt_tokens, self.completion_tokens,
                             price_in=self.price_in, price_out=self.price_out, batch=self.batch)


class Progress:
    """The quiet base: counts, shows nothing. Subclasses show."""

    def __init__(self, counters: Counters | None = None) -> None:
        self.counters = counters or Counters()

    def scanning(self, seen: int) -> None:
        """Called from the scanning thread as inputs are read."""

    def start(self, total: int, resumed: int) -> None:
        self.counters.total, self.counters.resumed = total, resumed
        self.counters.started = time.monotonic()

    def advance(self, row: dict[str, Any]) -> None:
        self.counters.add(row)

    def note(self, text: str) -> None:
        """A line for the person running the batch (never customer text)."""

    def stop(self) -> None:
        """The run is over (also after Ctrl-C)."""


class LogProgress(Progress):
    """Plain lines on stderr, at most one every ``every`` seconds, for logs and pipes."""

    def __init__(self, counters: Counters | None = None, stream: TextIO | None = None,
                 every: float = 2.0) -> None:
        super().__init__(counters)
        self.stream = stream or sys.stderr
        self.every = every
        self._last = 0.0
        self._scan_last = 0.0

    def _say(self, text: str) -> None:
        print(f"drafter: {text}", file=self.stream, flush=True)

    def scanning(self, seen: int) -> None:
        now = time.monotonic()
        if now - self._scan_last >= self.every:
            self._scan_last = now
            self._say(f"reading inputs: {plural(seen, 'message')} so far")

    def start(self, total: int, resumed: int) -> None:
        super().start(total, resumed)
        done = f"; {resumed:,} already done in an earlier run (skipped)" if resumed else ""
        self._say(f"triage: {plural(total, 'email')} to process{done}")
        self._last = time.monotonic()

    def advance(self, row: dict[str, Any]) -> None:
        super().advance(row)
        now = time.monotonic()
        if now - self._last >= self.every or self.counters.done == self.counters.total:
            self._last = now
            self._say(status_line(self.counters))

    def note(self, text: str) -> None:
        self._say(text)


def status_line(c: Counters) -> str:
    pct = f" ({100 * c.done / c.total:.0f}%)" if c.total else ""
    return (f"triage {c.done:,}/{c.total:,}{pct} · {c.rate:,.1f} emails/s · "
            f"{plural(c.errors, 'error')} · {plural(c.tokens, 'token')} · "
            f"est. {format_cost(c.cost())}")


class RichProgress(Progress):
    """A live bar on the terminal (stderr), refreshed by rich's own thread."""

    def __init__(self, counters: Counters | None = None) -> None:
        super().__init__(counters)
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True)
        self._bar = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
            TextColumn("[red]{task.fields[errors]}[/red]"), TextColumn("{task.fields[tokens]}"),
            TextColumn("{task.fields[cost]}"), TimeElapsedColumn(), TimeRemainingColumn(),
            console=self.console, transient=False,
        )
        self._task = self._bar.add_task("reading inputs", total=None, rate="", errors="",
                                        tokens="", cost="")
        self._bar.start()

    def scanning(self, seen: int) -> None:
        self._bar.update(self._task, description=f"reading inputs ({seen:,})")

    def start(self, total: int, resumed: int) -> None:
        super().start(total, resumed)
        if resumed:
            self.note(f"{resumed:,} emails already done in an earlier run (skipped)")
        self._bar.reset(self._task, total=total, description="triage")
        self._fields()

    def _fields(self) -> None:
        c = self.counters
        self._bar.update(self._task, completed=c.done, rate=f"{c.rate:,.1f}/s",
                         errors=f"{c.errors} err", tokens=f"{c.tokens:,} tok",
                         cost=f"est. {format_cost(c.cost())}")

    def advance(self, row: dict[str, Any]) -> None:
        super().advance(row)
        self._fields()

    def note(self, text: str) -> None:
        self._bar.console.print(f"drafter: {text}", markup=False, highlight=False)

    def stop(self) -> None:
        self._fields()
        self._bar.stop()


def make_progress(counters: Counters, *, quiet: bool = False,
                  tty: bool | None = None) -> Progress:
    """The bar on a terminal, log lines otherwise, nothing with ``quiet``."""
    if quiet:
        return Progress(counters)
    if tty is None:
        tty = sys.stderr.isatty()
    return RichProgress(counters) if tty else LogProgress(counters)
