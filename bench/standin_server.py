"""A loopback OpenAI-compatible stand-in that answers chat completions after a fixed latency.

For the triage benchmark only: it measures drafter's own concurrency (how many emails per
second it gets through when every model call takes ``--latency`` seconds), not any model.
It speaks just enough HTTP/1.1 (keep-alive, Content-Length) for the openai SDK:

- ``GET /v1/models`` lists one model, ``standin``;
- ``POST /v1/chat/completions`` waits ``--latency`` seconds, then answers: valid JSON for the
  ``analysis`` schema (anger varies with the email's exclamation marks and shouting, so
  triage has something to rank), an empty findings list for the ``judge`` schema, and a
  plain-text MAMA-style reply otherwise. Usage figures are included.

    python bench/standin_server.py --port 0 --latency 0.1   # prints "PORT <n>" when ready
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from typing import Any

REPLY = (
    "Hi there,\n\nI'm so sorry about the trouble with your order, and I understand how "
    "frustrating it is to wait and not get a clear answer. That is not the experience we "
    "want you to have.\n\nHere is what I can do right away: I can refund the shipping fee "
    "to your original payment method, or send a replacement at no cost to you. If neither "
    "fits, tell me what would and I will do my best.\n\nI will email you tomorrow with an "
    "update either way.\n\nAlex\nCustomer Care\n"
)


def analysis(user_text: str) -> dict[str, Any]:
    """A schema-valid analysis whose anger depends on the email, so rows rank differently."""
    shouting = sum(1 for w in user_text.split() if len(w) > 3 and w.isupper())
    anger = min(5, user_text.count("!") + min(shouting, 2) + ("refund" in user_text.lower()))
    return {
        "summary": "The customer is unhappy about their order and wants it sorted out.",
        "wants": ["a refund of the shipping fee"], "grievances": ["the order is late"],
        "facts": [], "anger": anger, "urgency": "high" if anger >= 4 else "normal",
        "churn_risk": "medium" if anger >= 3 else "low", "language": "en",
        "category": "delivery",
        "escalation": {"required": False, "review": False, "reasons": [], "triggers": []},
    }


_ANALYSIS = b'"name":"analysis"'
_JUDGE = b'"name":"judge"'


def answer(body: bytes) -> dict[str, Any]:
    """The answer to one request body. The body is searched, not parsed: the stand-in's own
    CPU use competes with drafter's on the benchmark machine, so it is kept small."""
    compact = body.replace(b" ", b"")
    if _ANALYSIS in compact:
        text = body.decode("utf-8", "replace")
        content = json.dumps(analysis(text.replace("\\n", " ")))
    elif _JUDGE in compact:
        content = json.dumps({"findings": []})
    else:
        content = REPLY
    prompt_tokens = max(1, len(body) // 4)
    return {
        "id": f"chatcmpl-{time.monotonic_ns()}", "object": "chat.completion",
        "created": int(time.time()), "model": "standin",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(content) // 4,
                  "total_tokens": prompt_tokens + len(content) // 4},
    }


MODELS = {"object": "list", "data": [{"id": "standin", "object": "model", "owned_by": "bench"}]}


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes] | None:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return method, path, body


def _response(status: str, payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode()
    return (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n").encode() + body


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 latency: float, stats: dict[str, int]) -> None:
    try:
        while True:
            try:
                request = await _read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                return
            if request is None:
                return
            method, path, body = request
            if method == "GET" and path.rstrip("/").endswith("/models"):
                writer.write(_response("200 OK", MODELS))
            elif method == "POST" and path.endswith("/chat/completions"):
                stats["requests"] += 1
                await asyncio.sleep(latency)
                writer.write(_response("200 OK", answer(body)))
            else:
                writer.write(_response("404 Not Found", {"error": {"message": "not here"}}))
            await writer.drain()
    finally:
        writer.close()


async def serve(port: int, latency: float) -> None:
    stats = {"requests": 0}
    server = await asyncio.start_server(
        lambda r, w: _serve(r, w, latency, stats), "127.0.0.1", port, backlog=1024)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.latency))


if __name__ == "__main__":
    main()
