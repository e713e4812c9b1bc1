"""``--batch-api``: triage through the OpenAI Batch API, at half the price, across runs.

The Batch API is OpenAI's own distributed engine: a file of requests goes in, a file of
answers comes out within 24 hours, billed at half the synchronous price. Triage uses it in
two phases, each one batch (or several: a batch holds at most 50,000 requests and 200 MB):

1. **analysis** — one request per email still to do (the same messages and JSON schema as
   the ``openai`` engine sends synchronously);
2. **draft** — one request per analysed email that is angry enough, not escalated, and not
   ``--no-draft``.

Each ``drafter triage --batch-api`` run moves the state machine on as far as it can: submit
(write the batch file, ``files.create(purpose="batch")``, ``batches.create``), or check
(``batches.retrieve``; with ``--batch-wait`` it keeps polling), or collect (download the
output and error files and feed every answer through the same parsing as the engine:
strict JSON schema for the analysis, the rules' safety net for escalations and facts, the
checker's rules for the draft). The batch ids and the analyses waiting for their drafts live
in the ledger (``batch = "batch-api:<signature>"``), so a run can stop anywhere and the next
one carries on; finished emails are committed to the ledger as usual and never submitted
again. The output files are written when every email is done.

Not batched: the LLM judge and revisions (each would be another 24-hour round); a batch
draft gets the checker's rules, and a draft with errors left is marked failed for a person.
The pipeline's promise holds here too: a draft left with an ``over-promise`` or
``invented-fact`` error is replaced by the offline template reply (or withheld), through
:func:`drafter.pipeline._fall_back` (private; imported so both paths keep one promise).

This module reuses the engine's request building and answer parsing. Those are private
helpers of :mod:`drafter.engines.openai_engine` (``_messages``, ``_request``,
``_reply_context``, ``_get_client``, ``_ready``, ``_load_json``, ``_reply_text``); they are
imported on purpose, so a batch request is byte-for-byte what the engine would send.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from drafter.errors import DrafterError, EngineError
from drafter.models import Analysis, CheckResult, Draft, DraftResult, Email, Usage
from drafter.store import Store
from drafter.triage.progress import Counters, LogProgress, Progress
from drafter.triage.redact import redact_value
from drafter.triage.runner import TriageOptions, TriageRun, TriageSession
from drafter.triage.sources import Entry, Sources
from drafter.triage.work import (
    Outcome,
    WorkSettings,
    draft_status,
    error_row,
    parse_entry,
    result_row,
)

#: OpenAI's limits for one batch input file.
MAX_REQUESTS = 50_000
MAX_BYTES = 190 * 1024 * 1024
ENDPOINT = "/v1/chat/completions"
RUNNING = ("validating", "in_progress", "finalizing", "cancelling")
FINISHED = ("completed", "expired")


class BatchJob:
    """One run of the Batch API state machine (see the module docstring)."""

    def __init__(self, sources: Sources, engine: Any, settings: WorkSettings, store: Store,
                 signature: str, *, fresh: bool = False, ours: tuple[str, ...] = (),
                 say: Callable[[str], None] = print, wait: float = 0.0,
                 poll_every: float = 30.0) -> None:
        self.engine, self.settings, self.store = engine, settings, store
        self.signature, self.say = signature, say
        self.wait, self.poll_every, self.fresh = wait, poll_every, fresh
        self.counters = Counters(batch=True)
        self.session = TriageSession(sources, lambda: engine, settings, store, signature,
                                     TriageOptions(fresh=fresh, ours=ours, breaker=False),
                                     Progress(self.counters))
        self.state_batch = f"batch-api:{signature}"
        self.state_key = f"batch-api:{signature}:state"

    # -- the state machine ------------------------------------------------------------------

    def run(self) -> TriageRun | None:
        """Advance as far as possible; the finished run, or None while a batch is out."""
        pending = self.session.prepare()
        state = self.store.ledger_get(self.state_key)
        if self.fresh and state is not None:
            self._cancel(state)
            state = None
        self.engine._ready()
        while True:
            if state is None or state["phase"] == "done":
                tried = set(state["round"]) if state else set()
                todo = [(k, e) for k, e in pending
                        if k not in self.session.rows and k not in tried]
                if not todo:
                    self._take_failed(pending, tried)
                    self.store.ledger_delete(self.state_batch)
                    return self._done()
                state = self._submit("analysis", self._analysis_requests(todo),
                                     {"round": sorted(tried | {k for k, _ in todo})})
                if state is None:
                    continue
                return None
            batches = [self._client().batches.retrieve(b) for b in state["batches"]]
            if any(b.status in RUNNING for b in batches):
                if not self._waited(batches):
                    return None
                continue
            state = self._collect(state, batches)

    def _waited(self, batches: list[Any]) -> bool:
        """Report progress; sleep and say True to poll again while ``--batch-wait`` allows."""
        done = sum(getattr(b.request_counts, "completed", 0) or 0 for b in batches)
        total = sum(getattr(b.request_counts, "total", 0) or 0 for b in batches)
        status = ", ".join(sorted({b.status for b in batches}))
        if self.wait <= 0:
            self.say(f"batch {status}: {done:,}/{total:,} requests done; run the same command "
                     "again to collect (OpenAI finishes within 24 hours)")
            return False
        pause = min(self.poll_every, self.wait)
        self.wait -= pause
        time.sleep(pause)
        return True

    def _collect(self, state: dict[str, Any], batches: list[Any]) -> dict[str, Any] | None:
        """Read a finished phase's answers; submit the next phase; the new state."""
        failed = [b for b in batches if b.status not in FINISHED]
        if failed:
            reason = "; ".join(_batch_errors(b) for b in failed)
            self.store.ledger_delete(self.state_batch)
            raise EngineError(f"the batch {failed[0].status} ({reason}); run again to "
                              "resubmit what is not done")
        answers = self._answers(batches)
        self._forget_files(state)
        round_keys = {"round": state.get("round", [])}
        if state["phase"] == "analysis":
            drafts = self._take_analyses(state["keys"], answers)
            if drafts:
                submitted = self._submit("draft", self._draft_requests(drafts),
                                         {"analyses": drafts, **round_keys})
                if submitted is not None:
                    return submitted
        else:
            self._take_drafts(state["analyses"], answers)
        done = {"phase": "done", **round_keys}
        self.store.ledger_put(self.state_key, done, batch=self.state_batch, status="pending")
        return done

    def _take_failed(self, pending: list[tuple[str, Entry]], tried: set[str]) -> None:
        """Rows for emails that failed in this round (an earlier run recorded them as errors
        to retry): shown as errors now, submitted again in the next round."""
        for key, _ in pending:
            if key in tried and key not in self.session.rows:
                row = self.store.ledger_get(key)
                if row is not None:
                    self.session.rows[key] = row

    def _done(self) -> TriageRun:
        run = self.session.finish()
        run.counters, run.batch = self.counters, True
        return run

    # -- requests ---------------------------------------------------------------------------

    def _email(self, key: str) -> tuple[Entry, Email]:
        entry = self.session.entries[key]
        return entry, parse_entry(entry, self.session.sources.load(entry))

    def _analysis_requests(self, todo: list[tuple[str, Entry]]) -> list[dict[str, Any]]:
        from drafter.engines.schemas import ANALYSIS_SCHEMA, response_format

        fmt = response_format("analysis", ANALYSIS_SCHEMA)
        lines = []
        for key, _ in todo:
            try:
                _, email = self._email(key)
            except (DrafterError, OSError, KeyError, ValueError) as exc:
                self._fail(key, f"{exc}", retry=False)
                continue
            messages = self.engine._messages("analyze", email, "analysis")
            lines.append(_line(key, self.engine._request("analysis", messages, fmt)))
        return lines

    def _draft_requests(self, drafts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        lines = []
        for key, saved in drafts.items():
            _, email = self._email(key)
            analysis = Analysis.from_dict(saved["analysis"])
            context = self.engine._reply_context(email, analysis, self.settings.policy)
            messages = self.engine._messages("draft", email, "draft", **context)
            lines.append(_line(key, self.engine._request("draft", messages, None)))
        return lines

    def _submit(self, phase: str, lines: list[dict[str, Any]],
                extra: dict[str, Any]) -> dict[str, Any] | None:
        """Write the batch file(s), upload, create the batch(es), remember them."""
        if not lines:
            return None
        folder = self.store.path.parent / "batches"
        folder.mkdir(parents=True, exist_ok=True)
        client = self._client()
        batch_ids, file_ids = [], []
        for n, chunk in enumerate(_chunks(lines)):
            path = folder / f"{self.signature[:12]}-{phase}-{n}.jsonl"
            path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in chunk),
                            encoding="utf-8")
            with path.open("rb") as fh:
                uploaded = client.files.create(file=(path.name, fh, "application/jsonl"),
                                               purpose="batch")
            batch = client.batches.create(
                input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window="24h",
                metadata={"tool": "drafter triage", "phase": phase})
            batch_ids.append(batch.id)
            file_ids.append(uploaded.id)
            path.unlink()  # the provider has it now; a local copy only keeps customer text
        state = {"phase": phase, "batches": batch_ids, "files": file_ids,
                 "keys": [x["custom_id"] for x in lines], "submitted_at": time.time(), **extra}
        self.store.ledger_put(self.state_key, state, batch=self.state_batch, status="pending")
        self.say(f"submitted {len(lines):,} {phase} requests to the Batch API "
                 f"({', '.join(batch_ids)}); run the same command again to collect")
        return state

    # -- answers ----------------------------------------------------------------------------

    def _answers(self, batches: list[Any]) -> dict[str, dict[str, Any]]:
        """custom_id → the answer line (``response`` or ``error``), from output and error files."""
        answers: dict[str, dict[str, Any]] = {}
        client = self._client()
        for batch in batches:
            for file_id in (batch.output_file_id, batch.error_file_id):
                if not file_id:
                    continue
                for line in client.files.content(file_id).text.splitlines():
                    if line.strip():
                        item = json.loads(line)
                        answers[str(item.get("custom_id"))] = item
        return answers

    def _take_analyses(self, keys: list[str], answers: dict[str, dict[str, Any]]
                       ) -> dict[str, dict[str, Any]]:
        """Record the emails that are finished after their analysis; return those to draft."""
        from drafter.engines.openai_engine import _load_json, with_safety_net
        from drafter.engines.schemas import BadOutput, parse_analysis

        to_draft: dict[str, dict[str, Any]] = {}
        for key in keys:
            if key not in self.session.entries or key in self.session.rows:
                continue  # no longer among the inputs, or already recorded
            completion, problem = _completion(answers.get(key))
            if completion is None:
                self._fail(key, problem, retry=True)
                continue
            entry, email = self._email(key)
            usage = Usage()
            usage.add("analysis", completion.prompt_tokens, completion.completion_tokens)
            try:
                analysis = with_safety_net(parse_analysis(_load_json(completion)), email)
            except BadOutput as exc:
                self._fail(key, f"the model gave an unusable analysis ({exc})", retry=True,
                           usage=usage)
                continue
            result = DraftResult(email=email, analysis=analysis, draft=None,
                                 check=CheckResult(), engine=self.engine.name,
                                 model=self.engine.model, usage=usage)
            wants_draft = (not self.settings.no_draft
                           and analysis.anger >= self.settings.min_anger)
            if analysis.escalation.required:
                self._record(key, result_row(entry, result, "escalated"))
            elif wants_draft:
                saved = {"analysis": analysis.to_dict(), "usage": [s.to_dict()
                                                                    for s in usage.steps]}
                to_draft[key] = redact_value(saved) if self.settings.redact else saved
            else:
                self._record(key, result_row(entry, result, "triaged"))
        return to_draft

    def _take_drafts(self, analyses: dict[str, dict[str, Any]],
                     answers: dict[str, dict[str, Any]]) -> None:
        """Check each batch draft with the rules and record the email as drafted."""
        from drafter.checker import check_reply, load_rules
        from drafter.engines.openai_engine import _reply_subject, _reply_text
        from drafter.engines.schemas import BadOutput
        from drafter.pipeline import _fall_back, unsafe_rules

        rules = load_rules(self.settings.draft_options.rules_path)
        for key, saved in analyses.items():
            if key not in self.session.entries or key in self.session.rows:
                continue
            usage = Usage()
            for step in saved.get("usage", []):
                usage.add(step["step"], step["prompt_tokens"], step["completion_tokens"])
            completion, problem = _completion(answers.get(key))
            if completion is None:
                self._fail(key, problem, retry=True, usage=usage)
                continue
            usage.add("draft", completion.prompt_tokens, completion.completion_tokens)
            entry, email = self._email(key)
            analysis = Analysis.from_dict(saved["analysis"])
            try:
                draft = Draft(_reply_subject(email.subject), _reply_text(completion))
            except BadOutput as exc:
                self._fail(key, f"the model gave an unusable draft ({exc})", retry=True,
                           usage=usage)
                continue
            check = check_reply(draft.text, email=email, analysis=analysis,
                                policy=self.settings.policy, rules=rules)
            result = DraftResult(email=email, analysis=analysis, draft=draft, check=check,
                                 engine=self.engine.name, model=self.engine.model, usage=usage)
            result.notices.append("drafted through the Batch API: rules checked, no LLM judge "
                                  "or revision")
            if unsafe_rules(check):  # the pipeline's promise: never an over-promise
                _fall_back(result, self.settings.policy, self.engine,
                           self.settings.draft_options)
            self._record(key, result_row(entry, result, draft_status(result)))

    def _record(self, key: str, row: dict[str, Any], retry: bool = False) -> None:
        self.session.record(key, Outcome(row, retry=retry))

    def _fail(self, key: str, reason: str, *, retry: bool, usage: Usage | None = None) -> None:
        """An error row; with ``retry`` the next run submits the email again."""
        entry = self.session.entries[key]
        self._record(key, error_row(entry, reason, self.engine, usage), retry=retry)

    def _forget_files(self, state: dict[str, Any]) -> None:
        """Delete the uploaded input files: they hold customer text the provider can drop."""
        for file_id in state.get("files", []):
            try:
                self._client().files.delete(file_id)
            except Exception:  # best effort: the provider expires them anyway
                continue

    def _cancel(self, state: dict[str, Any]) -> None:
        """``--fresh``: cancel the batches still out (they would be billed) and forget them."""
        for batch_id in state.get("batches", []):
            try:
                self._client().batches.cancel(batch_id)
                self.say(f"cancelled batch {batch_id}")
            except Exception:  # finished already, or unknown to the provider
                continue
        self.store.ledger_delete(self.state_batch)

    def _client(self) -> Any:
        return self.engine._get_client()


def _line(key: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"custom_id": key, "method": "POST", "url": ENDPOINT, "body": body}


def _chunks(lines: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split requests into batch files within the provider's count and size limits."""
    chunks: list[list[dict[str, Any]]] = [[]]
    size = 0
    for line in lines:
        length = len(json.dumps(line, ensure_ascii=False).encode()) + 1
        if chunks[-1] and (len(chunks[-1]) >= MAX_REQUESTS or size + length > MAX_BYTES):
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += length
    return chunks


def _completion(item: dict[str, Any] | None) -> tuple[Any, str]:
    """The engine's Completion from one answer line, or (None, why there is none)."""
    from drafter.engines.openai_engine import Completion

    if item is None:
        return None, "no answer in the batch output (expired?); run again to retry"
    response = item.get("response") or {}
    if item.get("error") or int(response.get("status_code") or 0) >= 400:
        error = item.get("error") or (response.get("body") or {}).get("error") or {}
        message = error.get("message") if isinstance(error, dict) else str(error)
        return None, f"the batch request failed: {message or 'unknown error'}"
    body = response.get("body") or {}
    choices = body.get("choices") or [{}]
    usage = body.get("usage") or {}
    message = choices[0].get("message") or {}
    return Completion(str(message.get("content") or ""), choices[0].get("finish_reason"),
                      int(usage.get("prompt_tokens") or 0),
                      int(usage.get("completion_tokens") or 0)), ""


def _batch_errors(batch: Any) -> str:
    errors = getattr(getattr(batch, "errors", None), "data", None) or []
    messages = [getattr(e, "message", "") for e in errors if getattr(e, "message", "")]
    return "; ".join(messages[:3]) or "no reason given"


def run_batch_api(sources: Sources, engine: Any, settings: WorkSettings, store: Store,
                  signature: str, *, fresh: bool = False, ours: tuple[str, ...] = (),
                  quiet: bool = False, wait: float = 0.0,
                  poll_every: float = 30.0) -> TriageRun | None:
    """The CLI's entry point: one step of the state machine; see :class:`BatchJob`."""
    if engine.name != "openai":
        raise EngineError("--batch-api needs the openai engine (an API key or --base-url); "
                          "the offline engine has nothing to batch")
    log = LogProgress()

    def say(text: str) -> None:
        if not quiet:
            log.note(text)

    job = BatchJob(sources, engine, settings, store, signature, fresh=fresh, ours=ours,
                   say=say, wait=wait, poll_every=poll_every)
    try:
        return job.run()
    except DrafterError:
        raise
    except Exception as exc:
        from drafter.engines.openai_engine import _api_errors, describe_error

        if isinstance(exc, _api_errors()):
            raise EngineError(describe_error(exc, engine.base_url or
                                             "https://api.openai.com/v1", engine.model,
                                             engine.timeout, engine.api_key)) from None
        raise

