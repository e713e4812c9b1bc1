"""``drafter triage``: a whole inbox export in; a ranked queue, checked drafts and a report out."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer

from drafter.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    announce_config,
    app,
    err,
    fail,
    options,
    user_errors,
)
from drafter.text import plural

EXIT_INTERRUPTED = 130


@app.command(no_args_is_help=True)
def triage(
    inputs: list[Path] = typer.Argument(
        ..., metavar="INPUT",
        help="mbox files, Maildir folders, folders of .eml files, CSV or JSONL exports.",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", metavar="FILE",
        help="One row per email: JSON Lines, or CSV when FILE ends in .csv; '-' for JSON "
             "Lines on stdout. Without it, the top of the queue is printed.",
    ),
    drafts: Path | None = typer.Option(None, "--drafts", metavar="DIR",
                                       help="Write each reply draft as an .eml file here."),
    report: Path | None = typer.Option(None, "--report", metavar="FILE",
                                       help="Write a self-contained HTML report here "
                                            "('-' for stdout)."),
    engine: options.Engine = "auto",
    policy: options.PolicyFile = None,
    min_anger: int = typer.Option(2, "--min-anger", min=0, max=5, metavar="N",
                                  help="Draft replies for emails at least this angry (0-5)."),
    no_draft: bool = typer.Option(False, "--no-draft",
                                  help="Triage only: analyse and rank, draft nothing."),
    concurrency: int | None = typer.Option(
        None, "--concurrency", "-j", min=1, max=256, metavar="N",
        help="Model requests in flight at once (a few more emails are parsed and checked "
             "meanwhile). Default: 8 with a model; offline, emails at once: the CPU count.",
    ),
    resume: bool = typer.Option(
        True, "--resume/--fresh",
        help="Skip emails already finished in the ledger, and reuse model answers to the "
             "same requests from earlier runs (default); or redo them all, asking again.",
    ),
    store: Path | None = typer.Option(
        None, "--store", metavar="FILE",
        help="The SQLite ledger and model-answer cache. Default: "
             "$DRAFTER_HOME/drafter.sqlite (~/.cache/drafter/drafter.sqlite).",
    ),
    column_map: list[str] = typer.Option(
        [], "--map", metavar="FIELD=COLUMN,...",
        help="CSV/JSONL columns: subject, body, sender, name, id, date, thread "
             "(e.g. --map 'subject=Title,body=Description,id=Ticket ID').",
    ),
    ours: list[str] = typer.Option(
        [], "--ours", metavar="ADDRESS",
        help="An address or @domain of your team: its messages are thread context, not "
             "customer emails.",
    ),
    redact: bool = typer.Option(
        False, "--redact",
        help="Mask email addresses, phone and card numbers in everything stored.",
    ),
    max_message_size: float = typer.Option(
        10.0, "--max-message-size", metavar="MB", min=0.01,
        help="Larger messages (attachments included) become error rows.",
    ),
    price: options.Price = None,
    # The earlier spelling, still read (hidden): one form in --help, as eval has.
    price_in: float | None = typer.Option(None, "--price-in", hidden=True),
    price_out: float | None = typer.Option(None, "--price-out", hidden=True),
    batch_api: bool = typer.Option(
        False, "--batch-api",
        help="Use the OpenAI Batch API (half price, results within 24 h); run the same "
             "command again to collect.",
    ),
    batch_wait: float = typer.Option(
        0.0, "--batch-wait", metavar="SECONDS", min=0.0,
        help="With --batch-api: keep polling up to this long instead of checking once.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress, no summary."),
    max_revisions: options.MaxRevisions = 2,
    judge: options.Judge = None,
    rules: options.Rules = None,
    prompts: options.PromptDirs = [],  # noqa: B006 (read, never mutated)
    model: options.Model = None,
    base_url: options.BaseUrl = None,
    temperature: options.Temperature = None,
) -> None:
    """Triage whole inbox exports: rank the angry emails, draft checked replies, report.

    Every finished email is committed to a SQLite ledger at once, so Ctrl-C or a crash loses
    nothing finished, and running the same command again resumes where it stopped without
    sending any finished email to the model again.

    Exit codes: 0 every email processed, no errors, no escalations and every draft passed
    its check; 1 some rows are errors, escalations or drafts that failed the check, all of
    which need a person; 2 bad input or usage; 130 interrupted.

    \b
    Examples:
      drafter triage inbox.mbox --out results.jsonl --report report.html
      drafter triage export.csv --map 'body=Description,id=Ticket ID' --no-draft
      drafter triage Maildir/ tickets.jsonl --drafts replies/ --engine openai -j 32
    """
    from drafter.cli.draft import _today

    if price:
        price_in, price_out = options.parse_price(price)
    with user_errors():
        from drafter.config import load_config
        from drafter.pipeline import DraftOptions
        from drafter.policy import load_policy
        from drafter.prompts import Prompts
        from drafter.store import Store
        from drafter.triage.keys import rules_version, run_signature, template_version
        from drafter.triage.sources import Sources, parse_map
        from drafter.triage.work import EngineSpec, WorkSettings, build_engine, engine_factory

        sources = Sources(list(inputs), parse_map(column_map),
                          max_bytes=int(max_message_size * 1024 * 1024))
        sources.validate()
        refuse_outputs_over_inputs(inputs, out=out, report=report, drafts=drafts)
        config = load_config()
        pol = load_policy(policy if policy is not None else config.policy_path)
        template_dirs = [*prompts, *config.prompt_dirs] if prompts else config.prompt_dirs
        prompt_set = Prompts(template_dirs)
        llm = config.llm.merged(model=model, base_url=base_url, temperature=temperature)
        spec = EngineSpec(name=engine, prompt_dirs=tuple(str(d) for d in template_dirs),
                          today=_today(), llm_options=tuple(llm.engine_options().items()))
        probe = build_engine(spec)  # a wrong key or engine name fails here, before any work
        spec = EngineSpec(probe.name, spec.prompt_dirs, spec.today, spec.llm_options)
        announce_config(config, base_url, probe.name)
        if probe.name == "offline" and engine == "auto":
            err("using the offline engine (rules + templates, no model); "
                "set OPENAI_API_KEY or OPENAI_BASE_URL to triage with an LLM")
        flags = {"no_draft": no_draft, "min_anger": min_anger, "max_revisions": max_revisions,
                 "judge": judge, "redact": redact, "max_message_bytes": sources.max_bytes}
        signature = run_signature(
            engine=probe.name, model=llm.model or probe.model, base_url=llm.base_url,
            temperature=llm.temperature, templates=template_version(prompt_set, probe.name),
            rules=rules_version(str(rules) if rules else None), policy=pol.to_dict(),
            flags=flags)
        settings = WorkSettings(
            policy=pol, min_anger=min_anger, no_draft=no_draft, want_eml=drafts is not None,
            redact=redact, draft_options=DraftOptions(
                max_revisions=max_revisions, judge=judge,
                rules_path=str(rules) if rules else None))
        jobs = concurrency or (8 if probe.name != "offline" else os.cpu_count() or 1)
        from drafter.store import default_store_path, ledger_lock

        with ledger_lock(store if store is not None else default_store_path()), \
                Store(store) as ledger:
            if probe.name != "offline" and not redact:  # --redact keeps no model answers
                settings.cache_store, settings.cache_read = str(ledger.path), resume
            try:
                if batch_api:
                    from drafter.triage.batch_api import run_batch_api

                    run = run_batch_api(sources, probe, settings, ledger, signature,
                                        fresh=not resume, ours=tuple(ours), quiet=quiet,
                                        wait=batch_wait)
                    if run is None:  # submitted or still running: come back later
                        raise typer.Exit(EXIT_OK)
                    run.counters.price_in, run.counters.price_out = price_in, price_out
                else:
                    run = _run(sources, engine_factory(spec), settings, ledger, signature,
                               resume=resume, ours=tuple(ours), concurrency=jobs,
                               quiet=quiet, prices=(price_in, price_out))
            finally:
                sources.close()
        if run.aborted:
            fail(f"stopped: the model failed for every one of the last emails ({run.aborted}); "
                 "finished emails are saved — fix the cause and run the same command again")
        if run.interrupted:
            _interrupted(run)
        _write_outputs(run, out=out, drafts=drafts, report=report, engine=probe.name,
                       model=llm.model or probe.model, quiet=quiet, prices=(price_in, price_out))
    needs_person = any(r["status"] in ("error", "escalated") or r.get("check_passed") is False
                       for r in run.rows)
    raise typer.Exit(EXIT_FINDINGS if needs_person else EXIT_OK)


def _run(sources: Any, factory: Any, settings: Any, ledger: Any, signature: str, *,
         resume: bool, ours: tuple[str, ...], concurrency: int, quiet: bool,
         prices: tuple[float | None, float | None]) -> Any:
    from drafter.triage.progress import Counters, make_progress
    from drafter.triage.runner import TriageOptions, run_triage

    counters = Counters(price_in=prices[0], price_out=prices[1])
    progress = make_progress(counters, quiet=quiet)
    options = TriageOptions(concurrency=concurrency, fresh=not resume, ours=ours)
    return run_triage(sources, factory, settings, ledger, signature, options, progress)


def _interrupted(run: Any) -> None:
    """Say what was kept and how to go on; exit 130 (at once when Ctrl-C came twice)."""
    if getattr(run, "while_reading", False):
        err("interrupted while reading the inputs: nothing was sent and no output files "
            "were written; run the same command again to start")
        raise typer.Exit(EXIT_INTERRUPTED)
    done = run.counters.done if hasattr(run, "counters") else 0
    err(f"interrupted: {done:,} emails finished in this run are saved in the ledger, "
        f"{run.left:,} were not started; run the same command again to resume "
        "(finished emails are not sent to the model again). No output files were written.")
    if run.forced:
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)  # threads still waiting on the network must not hold us
    raise typer.Exit(EXIT_INTERRUPTED)


def refuse_outputs_over_inputs(inputs: list[Path], *, out: Path | None, report: Path | None,
                               drafts: Path | None) -> None:
    """An output must never replace or delete what it reads (issue 11, item 16).

    ``--out``/``--report`` naming an input file would overwrite it after the run; a
    ``--drafts`` folder that is an input folder or inside one would have its ``.eml``
    messages deleted as old drafts, and read back as mail on the next run.
    """
    from drafter.errors import InputError

    real = [p.resolve() for p in inputs if p.exists()]
    for flag, target in (("--out", out), ("--report", report)):
        if target is None or str(target) == "-":
            continue
        if target.exists() and any(target.resolve() == p for p in real):
            raise InputError(f"{flag} {target} is one of the inputs: choose another file, "
                             "or it would be overwritten")
    if drafts is not None:
        folder = drafts.resolve()
        for p in real:
            if p.is_dir() and (folder == p or p in folder.parents):
                raise InputError(f"--drafts {drafts} is inside the input folder {p}: its "
                                 ".eml files would be taken for old drafts and deleted; "
                                 "choose a folder outside the inputs")


def _write_outputs(run: Any, *, out: Path | None, drafts: Path | None, report: Path | None,
                   engine: str, model: str | None, quiet: bool,
                   prices: tuple[float | None, float | None]) -> None:
    from drafter.pricing import estimate_cost
    from drafter.triage.outputs import ranked_table, write_drafts, write_rows, write_target

    rows = run.rows
    try:
        if out is not None:
            if write_rows(out, rows):
                err(f"wrote {out} ({plural(len(rows), 'row')})")
        else:
            sys.stdout.write(ranked_table(rows))
        if drafts is not None:
            count = write_drafts(drafts, rows, run.emls)
            err(f"wrote {plural(count, 'reply draft')} to {drafts}/")
        if report is not None:
            from drafter.triage.report import render_report

            prompt = sum(int(r.get("prompt_tokens") or 0) for r in rows)
            completion = sum(int(r.get("completion_tokens") or 0) for r in rows)
            cost = (0.0 if not prompt + completion else
                    estimate_cost(model, prompt, completion, price_in=prices[0],
                                  price_out=prices[1], batch=getattr(run, "batch", False)))
            if write_target(report, render_report(rows, engine=engine, model=model, cost=cost)):
                err(f"wrote {report}")
    except OSError as exc:
        fail(f"cannot write output: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    if not quiet:
        err(summary_line(run))


def summary_line(run: Any) -> str:
    """The end-of-run summary: counts by status, time, rate, tokens, cost (no customer text)."""
    from collections import Counter

    from drafter.pricing import format_cost

    statuses = Counter(r["status"] for r in run.rows)
    parts = [f"{statuses[s]:,} {s}" for s in ("escalated", "drafted", "triaged", "superseded",
                                               "error") if statuses.get(s)]
    c = getattr(run, "counters", None)
    timing = ""
    if c is not None and c.done:
        timing = f"; this run: {c.done:,} processed in {c.elapsed:.1f} s ({c.rate:,.1f}/s)"
        timing += f", {c.tokens:,} tokens, est. {format_cost(c.cost())}"
    resumed = (c.resumed if c is not None else 0)
    extra = f"; {resumed:,} from the ledger" if resumed else ""
    dupes = f"; {run.duplicates:,} duplicate(s) skipped" if run.duplicates else ""
    names = ", ".join(run.skipped_files[:3]) + (", …" if len(run.skipped_files) > 3 else "")
    skipped = (f"; {plural(len(run.skipped_files), 'non-mail file')} ignored ({names})"
               if run.skipped_files
               else "")
    failed = sum(1 for r in run.rows if r["status"] == "drafted"
                 and r.get("check_passed") is False)
    failing = (f"; {plural(failed, 'draft')} failed the check: read "
               f"{'them' if failed != 1 else 'it'} before sending" if failed else "")
    return (f"done: {plural(len(run.rows), 'email')} ({', '.join(parts) or 'none'})"
            f"{failing}{extra}{timing}"
            f"{dupes}{skipped}")
