"""The draft as the model writes it, live on the terminal, then out of the way.

``drafter draft`` on a terminal with a streaming engine shows the reply token by token (a
model takes seconds to write one, and a blank screen for that long reads as a hang). The
preview is transient: when the pipeline is done it disappears and the normal report (the
final draft, revised if need be, and the checker's verdict) is printed in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drafter.engines.openai_engine import RESTART  # imports no SDK: cheap


class DraftPreview:
    """A rich ``Live`` view of the streamed text, last lines first when it outgrows the screen."""

    def __init__(self, console: Any, title: Callable[[], str]) -> None:
        """``title`` is asked on every refresh: the model's name is known only once it runs."""
        from rich.live import Live

        self.console = console
        self.title = title
        self.parts: list[str] = []
        self.live = Live(self, console=console, transient=True, refresh_per_second=12,
                         vertical_overflow="crop")

    def __enter__(self) -> DraftPreview:
        self.live.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.live.stop()

    def on_text(self, piece: str) -> None:
        """The pipeline's ``on_text``: append, or start over after a restart marker."""
        if RESTART in piece:
            self.parts = [piece.rsplit(RESTART, 1)[1]]
        else:
            self.parts.append(piece)

    def __rich__(self) -> Any:
        from rich.text import Text

        text = "".join(self.parts)
        view = Text(self.title() + ("" if text else " …"), style="dim")
        for line in self._tail(text.splitlines()):
            view.append("\n" + line, style="")
        return view

    def _tail(self, lines: list[str]) -> list[str]:
        """The last lines that fit on the screen once wrapped, so the newest text stays in view
        (a live view taller than the terminal cannot be cleared away afterwards)."""
        rows = max(3, self.console.size.height - 2)
        width = max(10, self.console.size.width)
        kept: list[str] = []
        for line in reversed(lines):
            rows -= max(1, -(-len(line) // width))
            if rows < 0:
                break
            kept.append(line)
        return kept[::-1]
