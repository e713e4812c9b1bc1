"""Shared fixtures: the VCR settings for recorded model traffic, and the loopback server.

Cassettes under ``tests/cassettes/`` are real OpenAI-protocol traffic recorded from a real
server (``../shared/tools/local-llm`` starts llama.cpp's ``llama-server``), never written by
hand. CI replays them only: pyproject's ``addopts`` pass ``--record-mode=none``, and a test
whose requests are not in its cassette fails instead of reaching for the network. To record:

    ../shared/tools/local-llm
    python -m pytest tests/test_openai_engine.py --record-mode=once   # missing cassettes only
    python -m pytest tests/test_openai_engine.py --record-mode=rewrite  # everything, afresh

Requests match on method, path and body, so a replay is exact: the body carries the model,
the messages (rendered with a pinned date) and every parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from loopback import Loopback

#: Request headers that may carry secrets; they never reach a cassette.
SECRET_HEADERS = ["authorization", "api-key", "openai-organization", "openai-project",
                  "cookie"]


def _scrub_request(request: Any) -> Any:
    """Drop the SDK's platform headers too: noise that differs from machine to machine."""
    for name in list(request.headers):
        if name.lower().startswith("x-stainless"):
            del request.headers[name]
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in ("set-cookie", "openai-organization", "openai-project"):
            del headers[name]
    return response


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory,
                   ) -> None:
    """The developer's own ``~/.config/drafter/config.toml`` never shapes a test."""
    home = tmp_path_factory.mktemp("config-home")
    monkeypatch.setenv("DRAFTER_CONFIG", str(home / "drafter" / "config.toml"))


@pytest.fixture
def vcr_config(pytestconfig: pytest.Config) -> dict[str, Any]:
    return {
        "filter_headers": SECRET_HEADERS,
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "match_on": ["method", "path", "body"],
        # Replay only, unless a person asks to record with --record-mode.
        "record_mode": pytestconfig.getoption("--record-mode", None) or "none",
        "decode_compressed_response": True,
    }


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    """A scripted OpenAI-protocol server on 127.0.0.1 (see tests/loopback.py)."""
    server = Loopback().start()
    try:
        yield server
    finally:
        server.stop()
