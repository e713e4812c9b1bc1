"""``drafter triage --batch-api`` against a loopback fake of OpenAI's /files and /batches.

Why a hand-written fake and not a cassette: the project's cassettes are recordings of real
OpenAI-protocol traffic from a real server (llama.cpp's ``llama-server``), and llama-server
has no Batch API, so there is nothing real to record. The fake below follows the documented
protocol (multipart upload with ``purpose=batch``; a batch object that goes ``validating`` →
``in_progress`` → ``completed``; output and error files of JSON lines keyed by
``custom_id``) and answers each request line like a tiny model would. What is tested is
drafter's side: the batch file, submitting, resuming across runs from the ids in the
ledger, collecting, the same parsing as the synchronous engine, and the outputs.
"""

from __future__ import annotations

import json
import re
import threading
import time
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from drafter.cli import app

DATA = Path(__file__).parent / "data" / "triage"
REPLY = ("Hi there,\n\nI'm so sorry about the trouble with your order, and I understand how "
         "frustrating this has been. I can offer you a refund to your original payment method "
         "or a replacement at no cost to you. If neither fits, tell me what would.\n\n"
         "I will email you by Wednesday with an update.\n\nAlex\nCustomer Care\n")


def answer(body: dict[str, Any]) -> dict[str, Any]:
    """What a model would say: an analysis (anger from "!"), or the reply text."""
    fmt = (body.get("response_format") or {}).get("json_schema") or {}
    user = " ".join(m["content"] for m in body["messages"] if m["role"] == "user")
    if fmt.get("name") == "analysis":
        anger = min(5, user.count("!") + 1)
        content = json.dumps({
            "summary": "The customer is unhappy.", "wants": ["a refund"],
            "grievances": ["the order is late"], "facts": [], "anger": anger,
            "urgency": "normal", "churn_risk": "low", "language": "en",
            "category": "delivery",
            "escalation": {"required": False, "review": False, "reasons": [], "triggers": []}})
    else:
        content = REPLY
    return {"id": "chatcmpl-x", "object": "chat.completion", "created": 0,
            "model": body.get("model"), "usage": {"prompt_tokens": 100,
                                                  "completion_tokens": 50,
                                                  "total_tokens": 150},
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}]}


class FakeOpenAI:
    """The /v1/models, /v1/files and /v1/batches endpoints, in memory."""

    def __init__(self, fail_ids: tuple[str, ...] = ()) -> None:
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.retrievals: dict[str, int] = {}
        self.fail_ids = fail_ids
        self.requests: list[dict[str, Any]] = []
        self.deleted: list[str] = []
        self.chat = 0
        self.limited = 0
        self.limited_at = 0.0
        self.retried_after = 0.0

    def upload(self, content_type: str, body: bytes) -> dict[str, Any]:
        msg = BytesParser(policy=default).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        parts = {p.get_param("name", header="content-disposition"): p
                 for p in msg.iter_parts()}
        assert parts["purpose"].get_content().strip() == "batch"
        data = parts["file"].get_payload(decode=True)
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = data
        return {"id": file_id, "object": "file", "bytes": len(data), "created_at": 0,
                "filename": parts["file"].get_filename(), "purpose": "batch",
                "status": "processed"}

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        assert body["endpoint"] == "/v1/chat/completions"
        assert body["completion_window"] == "24h"
        batch_id = f"batch-{len(self.batches) + 1}"
        self.batches[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": body["endpoint"],
            "input_file_id": body["input_file_id"], "completion_window": "24h",
            "status": "validating", "created_at": 0, "metadata": body.get("metadata"),
            "request_counts": {"total": 0, "completed": 0, "failed": 0}}
        return self.batches[batch_id]

    def retrieve(self, batch_id: str) -> dict[str, Any]:
        """validating → in_progress → completed, one step per retrieval."""
        batch = self.batches[batch_id]
        seen = self.retrievals[batch_id] = self.retrievals.get(batch_id, 0) + 1
        if seen == 1:
            batch["status"] = "in_progress"
        elif batch["status"] != "completed":
            self._complete(batch)
        return batch

    def _complete(self, batch: dict[str, Any]) -> None:
        lines = self.files[batch["input_file_id"]].decode().splitlines()
        out, errors = [], []
        for line in lines:
            item = json.loads(line)
            assert item["method"] == "POST" and item["url"] == "/v1/chat/completions"
            self.requests.append(item)
            if any(f in json.dumps(item["body"]) for f in self.fail_ids):
                errors.append({"id": "r", "custom_id": item["custom_id"], "response": None,
                               "error": {"code": "server_error", "message": "boom"}})
                continue
            out.append({"id": "r", "custom_id": item["custom_id"], "error": None,
                        "response": {"status_code": 200, "request_id": "q",
                                     "body": answer(item["body"])}})
        batch["output_file_id"] = self._store(out)
        batch["error_file_id"] = self._store(errors) if errors else None
        batch["status"] = "completed"
        batch["request_counts"] = {"total": len(lines), "completed": len(out),
                                   "failed": len(errors)}

    def _store(self, items: list[dict[str, Any]]) -> str:
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = "".join(json.dumps(i) + "\n" for i in items).encode()
        return file_id


@pytest.fixture
def fake() -> Any:
    state = FakeOpenAI(fail_ids=("Rude agent",))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, payload: Any, raw: bytes | None = None) -> None:
            data = raw if raw is not None else json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.endswith("/models"):
                return self._send({"object": "list", "data": [
                    {"id": "gpt-4o-mini", "object": "model", "owned_by": "fake"}]})
            content = re.fullmatch(r"/v1/files/([\w-]+)/content", self.path)
            if content:
                return self._send(None, state.files[content.group(1)])
            batch = re.fullmatch(r"/v1/batches/([\w-]+)", self.path)
            if batch:
                return self._send(state.retrieve(batch.group(1)))
            self.send_error(404)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/v1/files":
                return self._send(state.upload(self.headers["Content-Type"], body))
            if self.path == "/v1/batches":
                return self._send(state.create(json.loads(body)))
            if self.path == "/v1/chat/completions":  # the synchronous path, for comparison
                state.chat += 1
                if state.limited:  # one 429 first: the SDK must wait Retry-After and retry
                    state.limited -= 1
                    data = json.dumps({"error": {"message": "slow down"}}).encode()
                    self.send_response(429)
                    self.send_header("Retry-After", "0.3")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    state.limited_at = time.monotonic()
                    return None
                if state.limited_at and not state.retried_after:
                    state.retried_after = time.monotonic() - state.limited_at
                return self._send(answer(json.loads(body)))
            self.send_error(404)

        def do_DELETE(self) -> None:
            state.deleted.append(self.path.rsplit("/", 1)[-1])
            self._send({"id": self.path.rsplit("/", 1)[-1], "object": "file",
                        "deleted": True})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield state
    server.shutdown()


def run(tmp: Path, fake: FakeOpenAI, *extra: str, batch: bool = True) -> tuple[int, str]:
    inputs = [str(DATA / "inbox.mbox"), str(DATA / "tickets.jsonl")]
    mode = ["--batch-api"] if batch else []
    result = CliRunner().invoke(
        app, ["triage", *inputs, *mode, "--engine", "openai", "--base-url", fake.url,
              "--model", "gpt-4o-mini", "--store", str(tmp / "ledger.sqlite"),
              "--out", str(tmp / "rows.jsonl"), *extra],
        env={"OPENAI_API_KEY": "test", "DRAFTER_TODAY": "2026-11-23"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr


def test_batch_api_submits_resumes_across_runs_and_collects(tmp_path, fake):
    code, err = run(tmp_path, fake)  # 1st run: submit the analysis batch
    assert code == 0 and "submitted" in err and "analysis requests" in err
    assert not (tmp_path / "rows.jsonl").exists()
    (batch,) = fake.batches.values()
    sent = [json.loads(x) for x in fake.files[batch["input_file_id"]].decode().splitlines()]
    assert len(sent) == 7  # 8 mbox messages - 2 superseded - 1 corrupt; 2 JSONL tickets
    body = sent[0]["body"]
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"]["json_schema"]["name"] == "analysis"
    assert "<customer_email>" in body["messages"][1]["content"]  # the engine's own prompt

    code, err = run(tmp_path, fake)  # 2nd run: still in progress
    assert code == 0 and "in_progress" in err
    code, err = run(tmp_path, fake)  # 3rd: collect analyses, submit drafts
    assert "draft requests" in err and len(fake.batches) == 2
    code, err = run(tmp_path, fake, "--batch-wait", "5")  # 4th: poll until done, collect
    assert code == 1, err
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert len(rows) == 11  # every email of the inputs, exactly once
    statuses = {r["id"]: r["status"] for r in rows}
    assert statuses["<v1@example.net>"] == "escalated"  # the rules' safety net stands
    assert statuses["<a1@mail.example.com>"] == "superseded"
    assert statuses["conv-9"] == "error"  # the fake failed this request
    error = next(r for r in rows if r["id"] == "conv-9")["error"]
    assert "boom" in error
    drafted = [r for r in rows if r["status"] == "drafted"]
    assert drafted and all(r["draft_text"].startswith("Hi there") for r in drafted)
    assert all(r["calls"] == 2 and r["tokens"] == 300 for r in drafted)
    assert all(isinstance(r["check_passed"], bool) for r in drafted)
    assert "est. $" in err  # half-price estimate for a known model
    assert fake.deleted  # uploaded inputs are removed once collected

    requests_before = len(fake.requests)
    code, err = run(tmp_path, fake)  # a re-run retries only the failed email
    assert len(fake.requests) == requests_before
    assert "submitted 1 analysis requests" in err


def test_batch_api_needs_the_openai_engine(tmp_path):
    result = CliRunner().invoke(
        app, ["triage", str(DATA / "inbox.mbox"), "--batch-api", "--engine", "offline",
              "--store", str(tmp_path / "l.sqlite")])
    assert result.exit_code == 2 and "needs the openai engine" in result.stderr


def test_the_synchronous_openai_path_counts_calls_tokens_and_cost(tmp_path, fake):
    """The same inputs without --batch-api: chat calls (a 429 with Retry-After retried by
    the SDK), the same rows, tokens and an estimated cost; a re-run sends nothing."""
    fake.fail_ids = ()
    fake.limited = 1
    code, err = run(tmp_path, fake, "--no-judge", "--concurrency", "1", batch=False)
    assert code == 1, err  # the threat is escalated, the corrupt message an error row
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    drafted = [r for r in rows if r["status"] == "drafted"]
    assert drafted and all(r["calls"] == 2 and r["engine"] == "openai" for r in drafted)
    assert all(r["model"] == "gpt-4o-mini" for r in drafted)
    calls = sum(r["calls"] for r in rows)
    assert fake.chat == calls + 1  # the 429, retried by the SDK …
    assert fake.retried_after >= 0.3  # … after the server's Retry-After
    assert re.search(r"[\d,]+ tokens, est\. \$0\.\d{4}", err)
    code, err = run(tmp_path, fake, "--no-judge", batch=False)
    assert fake.chat == calls + 1  # resumed: nothing sent again
