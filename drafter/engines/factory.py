"""Building the engine a run asked for, importing the openai SDK only when it is needed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drafter.engines import Engine, resolve_engine_name
from drafter.prompts import Prompts


def create_engine(name: str = "auto", *, prompts: Prompts | None = None,
                  today: dt.date | None = None, **llm_options: Any) -> Engine:
    """``auto|offline|openai`` → an Engine. ``llm_options`` go to the openai engine."""
    resolved = resolve_engine_name(name, llm_config=bool(llm_options.get("base_url")))
    if resolved == "offline":
        from drafter.engines.offline import OfflineEngine

        return OfflineEngine(prompts=prompts, today=today)
    from drafter.engines.openai_engine import OpenAIEngine

    return OpenAIEngine(prompts=prompts, today=today, **llm_options)
