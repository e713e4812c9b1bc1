"""``drafter check``: lint any reply, drafted by drafter or written by a person."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from drafter.cli import EXIT_FINDINGS, EXIT_OK, announce_config, app, read_text_arg, user_errors
from drafter.errors import InputError

if TYPE_CHECKING:
    from drafter.models import Analysis, Email, Finding
    from drafter.policy import Policy

FORMATS = ("text", "json", "jsonl", "sarif")


@app.command(no_args_is_help=True)
def check(
    reply: str = typer.Argument(
        ..., metavar="REPLY|-|FOLDER|EXPORT",
        help="The reply to check: a text file, or - for stdin. Many replies: a folder (one "
             "reply per file) or a CSV/JSONL export (one per record)."),
    email_path: str | None = typer.Option(
        None, "--email", metavar="ORIGINAL",
        help="The customer's original message (.eml or text): also check that the reply "
             "answers what they want and invents no order number, amount or date."),
    policy: Path | None = typer.Option(
        None, "--policy", "-p", metavar="FILE",
        help="Policy TOML, for over-promise. Default: ./drafter.toml; without one, offers are "
             "not held to limits (a note says so)."),
    rules: Path | None = typer.Option(
        None, "--rules", metavar="FILE",
        help="Rule pack (TOML) that extends or switches off built-in rules."),
    as_json: bool = typer.Option(False, "--json",
                                 help='JSON: {"passed", "findings", "notes", "checks"} '
                                      "(--format json)."),
    fmt: str | None = typer.Option(
        None, "--format", "-f", metavar="FORMAT",
        help="text (default), json, jsonl (one line per reply) or sarif (for CI and "
             "code-scanning viewers)."),
    column_map: list[str] = typer.Option(
        [], "--map", metavar="FIELD=COLUMN,...",
        help="Which CSV/JSONL columns hold the reply (text=), its name (id=) and the "
             "customer's message it answers (email=). Default: recognised names such as "
             "text, body, content; title, name."),
    judge: bool | None = typer.Option(
        None, "--judge/--no-judge",
        help="LLM judge on top of the rules. Default: on when the engine is openai."),
    engine: str = typer.Option(
        "auto", "--engine", "-e", metavar="ENGINE",
        help="auto, offline (rules only) or openai (rules and the LLM judge)."),
    model: str | None = typer.Option(None, "--model", "-m", metavar="NAME",
                                     help="Model for the judge."),
    base_url: str | None = typer.Option(None, "--base-url", metavar="URL",
                                        help="OpenAI-compatible server for the judge."),
) -> None:
    """Check a reply for the seven classic mistakes, MAMA completeness, grounding and policy.

    Silence a rule for one reply with a line in it: <!-- drafter-disable calm-down -->
    or: drafter: disable=no-next-step

    A folder or a CSV/JSONL export is checked reply by reply (rules only; the judge runs
    one reply at a time), with a summary per rule: this is how a team lints its macro
    library in CI.

    Exit codes: 0 no error findings; 1 errors found (or a reply could not be read);
    2 bad input or usage.

    \b
    Examples:
      drafter check reply.txt
      drafter check reply.txt --email complaint.eml --json
      pbpaste | drafter check - --no-judge
      drafter check macros/ --format sarif > drafter.sarif
      drafter check saved_replies.csv --map text=Body,id=Title
    """
    with user_errors():
        fmt = _format(fmt, as_json)
        if reply != "-" and _is_batch(reply):
            _batch(Path(reply), column_map, fmt, email_path, policy, rules, judge)
        if column_map:
            raise InputError("--map reads columns of a CSV/JSONL export; "
                             f"{reply} is a single reply")
        result, text = _run(reply, email_path, policy, rules, judge, engine, model, base_url)
    name = "<stdin>" if reply == "-" else reply
    _show(result, text, name, fmt)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_FINDINGS)


def _format(fmt: str | None, as_json: bool) -> str:
    if fmt is None:
        return "json" if as_json else "text"
    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if as_json and fmt != "json":
        raise InputError(f"--json and --format {fmt} disagree; use one")
    return fmt


def _is_batch(reply: str) -> bool:
    from drafter.checker.batch import is_batch

    return is_batch(Path(reply))


def _batch(path: Path, column_map: list[str], fmt: str, email_path: str | None,
           policy_path: Path | None, rules_path: Path | None, judge: bool | None) -> None:
    """Check every reply in a folder or export; print the report; exit 0, 1 (findings or an
    unreadable reply) — never returns."""
    from drafter.checker.batch import Summary, check_items, parse_map, read_items
    from drafter.checker.rules import load_rules
    from drafter.config import load_config
    from drafter.policy import load_policy

    if email_path is not None:
        raise InputError("--email goes with one reply; for an export, name the column that "
                         "holds each customer's message with --map email=COLUMN")
    if judge:
        raise InputError("--judge checks one reply at a time; a folder or export is checked "
                         "by the rules")
    mapping = parse_map(column_map)
    if path.is_dir() and mapping:
        raise InputError("--map names columns of a CSV/JSONL export, not of a folder")
    config = load_config()
    pol = _given(load_policy(policy_path if policy_path is not None else config.policy_path))
    pack = load_rules(rules_path)
    items = read_items(path, mapping)
    summary = Summary()
    outcomes = []
    progress = _Progress() if sys.stderr.isatty() and fmt != "text" else None
    shared: set[str] = set()
    for outcome in check_items(items, policy=pol, rules=pack):
        summary.add(outcome)
        if outcome.result is not None:
            shared |= {n for n in outcome.result.notes if n.startswith(BATCH_NOTES)}
        if progress is not None:
            progress.tick(summary.checked + summary.unreadable)
        if fmt == "jsonl":
            _write(_record_json(outcome) + "\n")
        elif fmt == "text":
            _write(_record_text(outcome))
        else:
            outcomes.append(outcome)
    if progress is not None:
        progress.done()
    if summary.checked + summary.unreadable == 0:
        raise InputError(f"no replies found in {path}")
    _finish(summary, outcomes, fmt, pack, shared)
    raise typer.Exit(EXIT_OK if summary.passed else EXIT_FINDINGS)


def _record_json(outcome: Any) -> str:
    import json

    item = outcome.item
    data: dict[str, Any] = {"reply": item.name, "source": item.uri, "line": item.line}
    if outcome.result is None:
        data.update(passed=False, error=item.error)
    else:
        data.update(outcome.result.to_dict())
    return json.dumps(data, ensure_ascii=False)


#: Notes that hold for every reply of a batch without an email column or a policy.
BATCH_NOTES = ("invented-fact not checked", "no policy given")


def _record_text(outcome: Any) -> str:
    import copy

    from drafter.checker.render import finding_lines, plain, safe

    item = outcome.item
    if outcome.result is None:
        return f"{safe(item.name)}: error: {safe(item.error or 'unreadable')}\n"
    if not outcome.result.findings:
        return ""
    result = copy.copy(outcome.result)
    # Notes every reply of a batch shares are said once, under the summary.
    result.notes = [n for n in result.notes if not n.startswith(BATCH_NOTES)]
    return plain(finding_lines(result, item.text or "", safe(item.name)))


def _finish(summary: Any, outcomes: list[Any], fmt: str, pack: Any, shared: set[str]) -> None:
    import json

    if fmt == "sarif":
        from drafter.checker.sarif import to_sarif

        _write(json.dumps(to_sarif(outcomes, pack), ensure_ascii=False, indent=2) + "\n")
    elif fmt == "json":
        data = {"passed": summary.passed, **summary.to_dict(),
                "replies": [json.loads(_record_json(o)) for o in outcomes]}
        _write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    lines = _summary_lines(summary)
    lines += [f"note: {n}" for n in sorted(shared)]
    if fmt == "text":
        _write("".join(line + "\n" for line in lines))
    else:
        for line in lines:
            print(line, file=sys.stderr)


def _summary_lines(summary: Any) -> list[str]:
    from drafter.text import plural

    head = (f"checked {plural(summary.checked, 'reply', 'replies')}: "
            f"{summary.checked - summary.failed} passed, {summary.failed} with errors")
    if summary.unreadable:
        head += f"; {plural(summary.unreadable, 'reply', 'replies')} could not be read"
    lines = [head]
    width = max((len(rule) for rule in summary.rules), default=0)
    for rule, count in sorted(summary.rules.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {rule:<{width}}  {plural(count, 'reply', 'replies'):>12}  "
                     f"({summary.severities[rule]})")
    return lines


def _write(text: str) -> None:
    sys.stdout.write(text.encode("utf-8", "replace").decode("utf-8"))


class _Progress:
    """'checked 1,200 replies' on stderr, redrawn at most every 200 replies."""

    def __init__(self) -> None:
        self.shown = 0

    def tick(self, n: int) -> None:
        if n - self.shown >= 200:
            self.shown = n
            sys.stderr.write(f"\rdrafter: checked {n:,} replies")
            sys.stderr.flush()

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _run(reply: str, email_path: str | None, policy_path: Path | None, rules_path: Path | None,
         judge: bool | None, engine: str, model: str | None,
         base_url: str | None) -> tuple[Any, str]:
    from drafter.checker import check_reply, load_rules
    from drafter.config import load_config
    from drafter.policy import load_policy

    text = read_text_arg(reply)
    config = load_config()
    pol = load_policy(policy_path if policy_path is not None else config.policy_path)
    pack = load_rules(rules_path)
    email, analysis = _original(email_path)
    llm = config.llm.merged(model=model, base_url=base_url).engine_options()
    judge_engine = _judge_engine(text, engine, judge, llm)
    announce_config(config, base_url, judge_engine)
    judged, notes = _judge(text, email, analysis, pol, judge_engine, judge, llm,
                           config.prompt_dirs)
    result = check_reply(text, email=email, analysis=analysis, policy=_given(pol), rules=pack,
                         judge_findings=judged, drafted=False)
    result.notes.extend(notes)
    return result, text


def _given(policy: Policy) -> Policy | None:
    """None when no policy was given (no --policy, no drafter.toml): a reply someone wrote is
    not held to the built-in policy's example limits."""
    return None if policy.source == "built-in" else policy


def _original(email_path: str | None) -> tuple[Email | None, Analysis | None]:
    """The customer's message and the offline listening step's analysis of it."""
    if email_path is None:
        return None, None
    from drafter.analyze import analyze_email
    from drafter.mail import read_email

    email = read_email(email_path)
    return email, analyze_email(email)


def _judge_engine(text: str, engine_choice: str, judge: bool | None, llm: dict[str, Any]) -> str:
    """The engine the judge step will use (``offline`` when there is no judge to run)."""
    from drafter.engines import resolve_engine_name

    if judge is False or not text.strip():
        return "offline"
    return resolve_engine_name(engine_choice, llm_config=bool(llm.get("base_url")))


def _judge(text: str, email: Email | None, analysis: Analysis | None, policy: Policy,
           name: str, judge: bool | None, llm: dict[str, Any],
           prompt_dirs: list[Path]) -> tuple[list[Finding] | None, list[str]]:
    """Run the judge on engine ``name`` (from ``_judge_engine``); offline never has one."""
    if name == "offline":
        if judge and text.strip():
            return None, ["the LLM judge needs an LLM engine (--engine openai, or set "
                          "OPENAI_API_KEY / OPENAI_BASE_URL): rules only"]
        return None, []
    from drafter.engines.factory import create_engine
    from drafter.models import Draft, Usage
    from drafter.prompts import Prompts

    eng = create_engine(name, prompts=Prompts(prompt_dirs), **llm)
    if getattr(eng, "name", name) == "offline":
        return None, []
    usage = Usage()
    findings = eng.judge(email, analysis, Draft(subject="", text=text), policy, usage)
    model = getattr(eng, "model", None) or name
    return list(findings), [f"judged by {model} ({usage.prompt_tokens + usage.completion_tokens}"
                            " tokens)"]


def _show(result: Any, text: str, name: str, fmt: str) -> None:
    import json

    if fmt == "json":
        _write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "jsonl":
        _write(json.dumps({"reply": name, **result.to_dict()}, ensure_ascii=False) + "\n")
        return
    if fmt == "sarif":
        from drafter.checker.batch import Item, Outcome
        from drafter.checker.rules import load_rules
        from drafter.checker.sarif import to_sarif

        outcome = Outcome(Item(name=name, uri=name, text=text), result)
        _write(json.dumps(to_sarif([outcome], load_rules()), ensure_ascii=False, indent=2)
               + "\n")
        return
    from drafter.checker.render import finding_lines, plain, print_rich, safe

    lines = finding_lines(result, text, safe(name))
    if sys.stdout.isatty() and "NO_COLOR" not in os.environ:
        print_rich(lines)
    else:
        sys.stdout.write(plain(lines))
