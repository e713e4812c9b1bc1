"""``drafter eval SUITE``: draft every case of a suite, check its assertions, compare sets."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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


@app.command("eval", no_args_is_help=True)
def eval_cmd(
    suite_path: str = typer.Argument(..., metavar="SUITE",
                                      help="Suite file (.toml, or .yaml with PyYAML installed)."),
    prompts: list[Path] = typer.Option(
        [], "--prompts", metavar="DIR",
        help="Template set A: folder(s) in front of the built-ins. Default: [prompts] dirs "
             "from drafter.toml, else the built-ins."),
    compare_with: str | None = typer.Option(
        None, "--compare", metavar="DIR|builtin",
        help="Template set B to compare A with, on the same cases: a folder, or builtin."),
    repeat: int = typer.Option(1, "--repeat", "-n", min=1, max=100, metavar="N",
                               help="Draft each case N times and report pass rates."),
    min_pass_rate: float = typer.Option(
        1.0, "--min-pass-rate", min=0.0, max=1.0, metavar="RATE",
        help="With --repeat: an assertion passes when it passes at least this often."),
    case: list[str] = typer.Option(
        [], "--case", metavar="NAME", help="Run only this case (repeat for several)."),
    filter_text: str | None = typer.Option(
        None, "--filter", metavar="TEXT",
        help="Run only the cases whose name or description contains TEXT."),
    show: str | None = typer.Option(None, "--show", metavar="CASE",
                                    help="Print this case's whole reply (all: every case)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable results on stdout."),
    junit: Path | None = typer.Option(None, "--junit", metavar="FILE",
                                      help="Write JUnit XML (a testcase per case × assertion)."),
    html: Path | None = typer.Option(None, "--html", metavar="FILE",
                                     help="Write a self-contained HTML page (side by side "
                                          "with --compare)."),
    no_cache: bool = typer.Option(False, "--no-cache",
                                  help="Ask the model again even when a response is cached."),
    store: Path | None = typer.Option(None, "--store", metavar="FILE",
                                      help="SQLite store for the response cache "
                                           "(default: $DRAFTER_HOME/drafter.sqlite)."),
    engine: options.Engine = "auto",
    policy: Path | None = typer.Option(
        None, "--policy", "-p", metavar="FILE",
        help="Policy for cases whose suite names none. Default: ./drafter.toml, else built-in."),
    max_revisions: options.MaxRevisions = 2,
    judge: options.Judge = None,
    rules: options.Rules = None,
    model: options.Model = None,
    base_url: options.BaseUrl = None,
    temperature: options.Temperature = None,
    price: options.Price = None,
) -> None:
    """Draft every case in a suite and check what each reply must do.

    With --compare, run two template sets on the same cases and show, assertion by
    assertion, which one did better, with the replies side by side.

    Sampling: with no --temperature (and none in drafter.toml) an eval run samples at a fixed
    temperature, 0.7, rather than the server's default, so a re-run asks the same requests
    and is answered from the cache; --temperature 0 for greedy runs.

    Exit codes: 0 every assertion passed (and, with --compare, A is nowhere worse than B);
    1 an assertion failed (or A lost to B somewhere); 2 a bad suite or bad usage.

    \b
    Examples:
      drafter eval examples/eval/suite.toml
      drafter eval examples/eval/suite.toml --prompts my-prompts --compare builtin --html ab.html
      drafter eval suite.toml --engine openai --repeat 5 --junit eval.xml
    """
    price_pair = options.parse_price(price) if price else None
    with user_errors():
        run = _run(suite_path, prompts, compare_with, repeat, min_pass_rate, no_cache, store,
                   engine, policy, max_revisions, judge, rules, model, base_url, temperature,
                   quiet=as_json, cases=case, filter_text=filter_text)
        _outputs(run, price_pair, show, as_json, junit, html)
    raise typer.Exit(EXIT_OK if run.ok else EXIT_FINDINGS)


#: The temperature of eval runs when none is configured: fixed, because a server's own
#: default varies between servers and versions, and a request that changes misses the cache.
EVAL_TEMPERATURE = 0.7


def _run(suite_path, prompts, compare_with, repeat, min_pass_rate, no_cache, store_path,
         engine, policy, max_revisions, judge, rules, model, base_url, temperature, *,
         quiet: bool, cases: list[str] | None = None,
         filter_text: str | None = None):  # -> EvalRun
    from drafter.cli.draft import _today
    from drafter.config import load_config
    from drafter.workbench.evaluate import PromptSet, preflight, run_eval
    from drafter.workbench.runner import EvalSettings
    from drafter.workbench.suite import load_suite, select_cases

    suite = load_suite(Path(suite_path))  # a bad suite stops here, before anything is spent
    suite = select_cases(suite, cases or [], filter_text)
    config = load_config()
    sets = [PromptSet([*prompts, *config.prompt_dirs])]
    if compare_with is not None:
        sets.append(PromptSet([] if compare_with == "builtin" else [Path(compare_with)]))
    for prompt_set in sets:
        prompt_set.prompts()  # a missing folder is a usage error now, not mid-run
    problems = preflight(sets)
    if problems:
        for issue in problems:
            print(issue.format(), file=sys.stderr)
        fail(f"{len(problems)} template error(s) in the prompt folders: fix them first "
             "(drafter prompts lint DIR)")
    llm = config.llm.merged(model=model, base_url=base_url, temperature=temperature)
    if llm.temperature is None:
        llm = llm.merged(temperature=EVAL_TEMPERATURE)
    settings = EvalSettings(repeat=repeat, max_revisions=max_revisions, judge=judge,
                            rules_path=str(rules) if rules else None,
                            min_pass_rate=min_pass_rate)
    store = _store(store_path, engine, llm.engine_options())
    announce_config(config, base_url, "offline" if store is None else "openai")
    if engine == "auto" and store is None and not quiet:
        err("using the offline engine (rules + templates, no model); "
            "set OPENAI_API_KEY or OPENAI_BASE_URL to evaluate an LLM")
    try:
        return run_eval(suite, sets, engine=engine, llm_options=llm.engine_options(),
                        settings=settings, store=store, use_cache=not no_cache,
                        today=_today(), default_policy=policy or config.policy_path,
                        progress=None if quiet else _progress())
    finally:
        if store is not None:
            store.close()


def _store(path: Path | None, engine: str, llm: dict):  # -> Store | None
    """The response cache is opened only for a model engine: offline runs have nothing to cache."""
    from drafter.engines import resolve_engine_name
    from drafter.store import Store

    if resolve_engine_name(engine, llm_config=bool(llm.get("base_url"))) == "offline":
        return None
    return Store(path)


def _progress():  # -> Callable[[int, int, str], None] | None
    """A one-line progress counter on stderr, only for a person at a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, name: str) -> None:
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r\033[K{done}/{total} {name[:60]}{end}")
        sys.stderr.flush()

    return show


def _outputs(run, price, show, as_json, junit, html) -> None:  # run: EvalRun
    from drafter.cli import write_output
    from drafter.workbench import report

    if junit is not None:
        from drafter.workbench.junit import to_junit

        write_output(to_junit(run), junit)
    if html is not None:
        write_output(report.to_html(run, price), html)
    if as_json:
        sys.stdout.write(report.to_json(run, price))
        return
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    console = report.make_console(color=color, width=None if sys.stdout.isatty() else 140)
    if show is not None:
        names = [c.case.name for c in run.a.cases] if show == "all" else [show]
        for name in names:
            if not report.print_case(console, run, name):
                known = ", ".join(c.case.name for c in run.a.cases)
                fail(f"no case named {name!r} in {run.suite.path} (cases: {known})")
        return
    if run.comparison is not None:
        report.print_compare(console, run, price)
    else:
        report.print_run(console, run, price)



