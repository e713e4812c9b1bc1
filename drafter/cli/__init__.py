"""The ``drafter`` command: a thin typer layer over the library.

Each sub-command lives in its own module here and imports the library lazily inside the
command, so ``drafter --help`` never pays for openai, rich or jinja2. Every error a user can
fix becomes one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer

from drafter import __version__

app = typer.Typer(
    name="drafter",
    help=(
        "Reply to angry customers the MAMA way: listen, acknowledge and apologize, offer "
        "options, follow up. drafter drafts the reply and checks it for the seven classic "
        "service-recovery mistakes before anyone sees it.\n\n"
        "Works offline out of the box; set OPENAI_API_KEY or OPENAI_BASE_URL to use a model."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def err(message: str) -> None:
    """A line for the person at the terminal, on stderr so stdout stays machine-readable."""
    print(f"drafter: {message}", file=sys.stderr)


def announce_config(config: Any, base_url_flag: str | None, engine_name: str) -> None:
    """Say what the configuration left out, and where model requests go, before any are sent.

    An endpoint decides who reads the customers' email and the API key, so one that the user
    did not type on this command line (``--base-url``) is named with where it came from.
    """
    if base_url_flag:
        return
    for notice in config.notices:
        err(notice)
    if engine_name == "openai":
        err(config.endpoint_line())


def fail(message: str) -> NoReturn:
    """Stop with one line on stderr and exit code 2 (bad input or usage)."""
    print(f"drafter: error: {message}", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's DrafterError (and Ctrl-C) into a one-line message and an exit code."""
    from drafter.errors import DrafterError

    try:
        yield
    except DrafterError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        err("interrupted")
        raise typer.Exit(130) from None


def read_text_arg(path_or_dash: str) -> str:
    """Read a text argument (a reply to check, say) from a file or ``-`` for stdin."""
    from drafter.errors import InputError

    if path_or_dash == "-":
        data = sys.stdin.buffer.read()
        name = "stdin"
    else:
        path = Path(path_or_dash)
        if path.is_dir():
            raise InputError(f"{path} is a directory, not a file")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError(f"file not found: {path}") from None
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
        name = str(path)
    if b"\x00" in data[:8192]:
        raise InputError(f"{name} looks like binary data, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def write_output(text: str, out: Path | None) -> None:
    """Write to ``--out`` (saying so on stderr) or to stdout."""
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    err(f"wrote {out}")


def _version(value: bool) -> None:
    if value:
        print(f"drafter {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Reply to angry customers the MAMA way, and catch the seven classic mistakes first."""


def main() -> None:
    """Console-script entry point.

    Output that cannot be written (a full disk, ``> /dev/full``, a closed pipe) is one line
    on stderr and exit code 2, never a traceback; a reader that stopped early (``| head``) is
    not an error of ours and ends quietly.
    """
    try:
        try:
            app()
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(EXIT_OK) from None
    except OSError as exc:
        _silence_stdout()
        print(f"drafter: error: cannot write the output: {exc.strerror or exc}",
              file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's own flush at exit cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# Register the sub-commands (each module adds its commands to ``app``).
from drafter.cli import check as _check  # noqa: E402,F401
from drafter.cli import draft as _draft  # noqa: E402,F401
from drafter.cli import eval as _eval  # noqa: E402,F401
from drafter.cli import models as _models  # noqa: E402,F401
from drafter.cli import prompts as _prompts  # noqa: E402,F401
from drafter.cli import triage as _triage  # noqa: E402,F401
