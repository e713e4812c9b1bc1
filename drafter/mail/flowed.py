"""format=flowed (RFC 3676): soft line breaks joined again.

Apple Mail and many phones send flowed text; unjoined, a wrapped "On … wrote:" line is two
lines and the quote splitter would not see it.
"""

from __future__ import annotations


def unflow(text: str, *, delsp: bool) -> str:
    """Join format=flowed soft line breaks, so a wrapped "On … wrote:" is one line again."""
    out: list[str] = []
    pieces: list[str] = []
    depth = -1
    for line in text.replace("\r\n", "\n").split("\n"):
        level = len(line) - len(line.lstrip(">"))
        content = line[level:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        if pieces and level != depth:
            out.append(_flowed_line(depth, pieces))
            pieces = []
        depth = level
        soft = content.endswith(" ") and content != "-- "
        pieces.append(content[:-1] if soft and delsp else content)
        if not soft:
            out.append(_flowed_line(depth, pieces))
            pieces = []
    if pieces:
        out.append(_flowed_line(depth, pieces))
    return "\n".join(out)


def _flowed_line(depth: int, pieces: list[str]) -> str:
    text = "".join(pieces)
    return ("> " * depth + text) if depth else text

