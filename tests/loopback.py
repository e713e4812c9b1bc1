"""A tiny OpenAI-protocol server on 127.0.0.1 whose answers a test scripts.

The error paths (429 with Retry-After, 5xx, timeouts, malformed output, a reply cut off by
the token limit, a wrong key, an unknown model) are tested against real HTTP, so the SDK's
own retry, backoff and timeout code runs exactly as it does against a real server; nothing
in the SDK is patched.

Left alone it behaves like a well-mannered server: ``GET /v1/models`` lists ``models``, a
request with a key other than ``key`` gets a 401, a model it does not list gets a 404. A
test queues answers for ``POST /v1/chat/completions`` with :meth:`Loopback.push` (or the
helpers :meth:`chat`, :meth:`stream`, :meth:`error`), taken first in, first out; with nothing
queued, a chat request gets a 500 that says so.

An answer queued with ``kind=`` (the request's ``json_schema`` name, such as ``"analysis"``,
or ``"draft"`` for a request with no schema) goes only to a request of that kind, so a test
whose requests may arrive in any order (triage asks for analyses and drafts as they come)
never has a draft served as an analysis.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "loop-model"
KEY = "loop-key"


@dataclass
class Answer:
    """One scripted HTTP answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (timeouts)
    events: list[str] | None = None  # server-sent events, for a streamed answer


@dataclass
class Seen:
    """A request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = 0.0  # time.monotonic() on arrival


class Loopback:
    """The server, its script and what it saw. Start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(self) -> None:
        self.answers: deque[Answer] = deque()
        self.by_kind: dict[str, deque[Answer]] = {}
        self.seen: list[Seen] = []
        self.models: list[dict[str, Any]] = [{"id": MODEL, "object": "model",
                                              "owned_by": "loopback"}]
        self.key = KEY
        #: What ``GET /openai/deployments`` lists (Azure's data plane); None: a 404.
        self.deployments: list[dict[str, Any]] | None = None
        self.active = 0  # chat requests being answered right now
        self.peak = 0  # the most chat requests that were ever being answered at once
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> Loopback:
        handler = type("Handler", (_Handler,), {"loop": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # --- the script ------------------------------------------------------------------------

    def push(self, answer: Answer, *, kind: str | None = None) -> None:
        """Queue ``answer``: for any request, or only for requests of ``kind``."""
        if kind is None:
            self.answers.append(answer)
        else:
            self.by_kind.setdefault(kind, deque()).append(answer)

    def chat(self, content: str, *, finish_reason: str = "stop", usage: tuple[int, int] = (50, 20),
             delay: float = 0.0, kind: str | None = None) -> None:
        """A chat completion whose message is ``content``."""
        body = {
            "id": "chatcmpl-loop", "object": "chat.completion", "created": 0, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": finish_reason,
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                      "total_tokens": sum(usage)},
        }
        self.push(Answer(body=json.dumps(body).encode(), delay=delay), kind=kind)

    def stream(self, pieces: list[str], *, finish_reason: str = "stop",
               usage: tuple[int, int] | None = (50, 20), cut: bool = False) -> None:
        """A streamed completion: one chunk per piece, then the finish, then usage if given.
        ``cut``: the stream stops after the pieces, with no finish reason and no ``[DONE]``."""
        def chunk(delta: dict[str, Any], finish: str | None) -> str:
            return json.dumps({"id": "chatcmpl-loop", "object": "chat.completion.chunk",
                               "created": 0, "model": MODEL,
                               "choices": [{"index": 0, "delta": delta,
                                            "finish_reason": finish}]})

        events = [chunk({"role": "assistant", "content": ""}, None)]
        events += [chunk({"content": p}, None) for p in pieces]
        if cut:
            self.push(Answer(events=events))
            return
        events.append(chunk({}, finish_reason))
        if usage is not None:
            events.append(json.dumps({
                "id": "chatcmpl-loop", "object": "chat.completion.chunk", "created": 0,
                "model": MODEL, "choices": [],
                "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                          "total_tokens": sum(usage)}}))
        events.append("[DONE]")
        self.push(Answer(events=events))

    def error(self, status: int, message: str, *, headers: dict[str, str] | None = None,
              kind: str = "server_error") -> None:
        """An error in OpenAI's shape: ``{"error": {"message", "type", "code"}}``."""
        body = {"error": {"message": message, "type": kind, "code": None}}
        self.push(Answer(status=status, body=json.dumps(body).encode(), headers=headers or {}))

    # --- what it saw -----------------------------------------------------------------------

    @property
    def chats(self) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith("/chat/completions")]

    # --- answering (called from the handler thread) ----------------------------------------

    @contextlib.contextmanager
    def answering(self, seen: Seen) -> Iterator[None]:
        """Count a chat request as in flight until its answer starts to be sent."""
        chat = seen.path.endswith("/chat/completions")
        with self._lock:
            self.active += chat
            self.peak = max(self.peak, self.active)
        try:
            yield
        finally:
            with self._lock:
                self.active -= chat

    def answer(self, seen: Seen) -> Answer:
        with self._lock:
            return self._answer(seen)

    def _answer(self, seen: Seen) -> Answer:
        self.seen.append(seen)
        auth = seen.headers.get("authorization", "")
        if self.key and auth != f"Bearer {self.key}":
            return _error(401, "Incorrect API key provided.", "invalid_request_error")
        if seen.method == "GET" and seen.path.endswith("/models"):
            return Answer(body=json.dumps({"object": "list", "data": self.models}).encode())
        if (seen.method == "GET" and seen.path.split("?")[0] == "/openai/deployments"
                and self.deployments is not None
                and seen.headers.get("api-key") == self.key):
            return Answer(body=json.dumps({"object": "list", "data": self.deployments}).encode())
        if seen.method != "POST" or not seen.path.endswith("/chat/completions"):
            return _error(404, f"no route {seen.method} {seen.path}", "invalid_request_error")
        model = (seen.body or {}).get("model") if isinstance(seen.body, dict) else None
        if model not in {m["id"] for m in self.models}:
            return _error(404, f"The model `{model}` does not exist.", "invalid_request_error")
        queue = self.by_kind.get(request_kind(seen))
        if queue:
            return queue.popleft()
        if not self.answers:
            return _error(500, "loopback: no answer scripted for this request")
        return self.answers.popleft()


def request_kind(seen: Seen) -> str:
    """What a chat request asks for: its ``json_schema`` name, or ``"draft"`` for free text."""
    body = seen.body if isinstance(seen.body, dict) else {}
    fmt = body.get("response_format") or {}
    return (fmt.get("json_schema") or {}).get("name") or "draft"


def _error(status: int, message: str, kind: str = "server_error") -> Answer:
    body = {"error": {"message": message, "type": kind, "code": None}}
    return Answer(status=status, body=json.dumps(body).encode())


class _Handler(BaseHTTPRequestHandler):
    loop: Loopback

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        headers = {k.lower(): v for k, v in self.headers.items()}
        seen = Seen(self.command, self.path, headers, body, time.monotonic())
        with self.loop.answering(seen):
            answer = self.loop.answer(seen)
            if answer.delay:
                time.sleep(answer.delay)
        # Out of the in-flight count before the first byte goes out: once the client has the
        # answer it may send its next request, and a handler thread still finishing this
        # one on a loaded machine would otherwise count one request too many.
        # A client that gave up (a timeout test) leaves nobody to answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(answer)

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if answer.events is not None:
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            for event in answer.events:
                self.wfile.write(f"data: {event}\n\n".encode())
                self.wfile.flush()
            return
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows what matters."""
