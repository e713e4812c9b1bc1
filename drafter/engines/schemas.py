"""The JSON schema the model's analysis must follow, and the strict reading of what comes back.

The schema stays inside the subset that OpenAI's strict structured outputs accept (every
property required, ``additionalProperties: false``, ``enum``, ``pattern``, ``maxItems``) so the
same request works against OpenAI, Azure OpenAI and servers that turn the schema into a
grammar (llama.cpp, vLLM). The bounds (``maxItems``, and a length ``pattern`` on free text)
are there for small models: without them a grammar lets a model list "wants", or repeat one
sentence, until the token limit. The worst case fits the analysis step's token limit.

Parsing is strict too: a missing or mistyped field raises :class:`BadOutput`, which the
engine retries once and then reports, so a half-filled analysis is never passed on as good.
"""

from __future__ import annotations

import re
from typing import Any

from drafter.models import Analysis, Escalation, Fact, Trigger

#: The kinds a model may report. Fewer than :data:`drafter.facts.FACT_KINDS` on purpose: the
#: offline facts (every kind) are merged into the model's as a safety net, and the schema
#: the recorded cassettes were made with stays the same.
FACT_KINDS = ("order_id", "account_id", "ticket_id", "tracking", "amount", "date")
CATEGORIES = ("delivery", "billing", "product", "service", "account", "other")
LEVELS = ("low", "normal", "high")
CHURN = ("low", "medium", "high")
REASONS = ("violence", "crisis", "legal")


class BadOutput(ValueError):
    """The model's answer does not fit the schema (bad JSON, a missing field, a wrong type)."""


#: One character of free text: anything but a double quote, a backslash or a line break.
#: Grammar-based servers (llama.cpp) emit a pattern's characters into the JSON string as
#: they are, so a ``.`` would let a model write a bare ``"`` and break the JSON; a writer
#: that needs quotation marks inside a value uses typographic ones.
TEXT_CHAR = r'[^"\\\n\r\t]'


def text_pattern(max_chars: int) -> str:
    """The ``pattern`` for one line of at most ``max_chars`` characters of free text."""
    return f"^{TEXT_CHAR}{{0,{max_chars}}}$"


_MAX_CHARS = re.compile(r"\{0,(\d+)\}\$$")


def check_bounds(data: Any, schema: dict[str, Any], where: str = "answer") -> None:
    """Raise :class:`BadOutput` when ``data`` breaks the schema's bounds: an enum, the
    length of a free-text field, the number of items in a list.

    A server that ignores ``response_format`` (or degrades to plain JSON) can hand back a
    5 MB summary or fifty "wants"; the bounds are enforced here, on every answer, whatever
    the server did. Only lengths are checked on text, not the pattern's characters: a
    quotation mark in a summary from a server without a grammar is fine.
    """
    kind = schema.get("type")
    if "enum" in schema and data not in schema["enum"]:
        allowed = ", ".join(map(str, schema["enum"]))
        raise BadOutput(f"{where} is {str(data)[:40]!r}, not one of {allowed}")
    if kind == "string" and isinstance(data, str):
        m = _MAX_CHARS.search(schema.get("pattern", ""))
        if m and len(data) > int(m.group(1)):
            raise BadOutput(f"{where} is {len(data):,} characters long (at most {m.group(1)})")
    elif kind == "array" and isinstance(data, list):
        limit = schema.get("maxItems")
        if limit is not None and len(data) > limit:
            raise BadOutput(f"{where} has {len(data):,} items (at most {limit})")
        for i, item in enumerate(data):
            check_bounds(item, schema.get("items", {}), f"{where}[{i}]")
    elif kind == "object" and isinstance(data, dict):
        for key, sub in schema.get("properties", {}).items():
            if key in data:
                check_bounds(data[key], sub, f"{key}" if where == "answer" else f"{where}.{key}")


def _text(max_chars: int) -> dict[str, Any]:
    """A string of at most ``max_chars`` characters on one line.

    A ``pattern``, not ``maxLength``: OpenAI's strict mode accepts patterns but not length
    keywords, and grammar-based servers turn either into a hard stop, which is what keeps a
    small model from repeating one sentence until the token limit.
    """
    return {"type": "string", "pattern": text_pattern(max_chars)}


def _texts(max_items: int, max_chars: int) -> dict[str, Any]:
    return {"type": "array", "items": _text(max_chars), "maxItems": max_items}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


ANALYSIS_SCHEMA: dict[str, Any] = _object({
    "summary": _text(400),
    "wants": _texts(4, 120),
    "grievances": _texts(3, 160),
    "facts": {"type": "array", "maxItems": 6, "items": _object({
        "kind": {"type": "string", "enum": list(FACT_KINDS)},
        "value": _text(40),
        "text": _text(60),
    })},
    "anger": {"type": "integer", "enum": [0, 1, 2, 3, 4, 5]},
    "urgency": {"type": "string", "enum": list(LEVELS)},
    "churn_risk": {"type": "string", "enum": list(CHURN)},
    "language": {"type": "string", "pattern": "^[a-z]{2}$"},
    "category": {"type": "string", "enum": list(CATEGORIES)},
    "escalation": _object({
        "required": {"type": "boolean"},
        "review": {"type": "boolean"},
        "reasons": _texts(3, 40),
        "triggers": {"type": "array", "maxItems": 3, "items": _object({
            "reason": {"type": "string", "enum": list(REASONS)},
            "sentence": _text(300),
        })},
    }),
})


def response_format(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The Chat Completions ``response_format`` for strict structured output."""
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}


def parse_analysis(data: Any) -> Analysis:
    """The model's analysis as an :class:`Analysis`; :class:`BadOutput` if anything is off."""
    obj = _dict(data, "analysis")
    esc = _dict(_field(obj, "escalation"), "escalation")
    return Analysis(
        summary=_str(obj, "summary"),
        wants=_str_list(obj, "wants"),
        grievances=_str_list(obj, "grievances"),
        facts=[_fact(f) for f in _list(obj, "facts")],
        anger=_anger(_field(obj, "anger")),
        urgency=_choice(obj, "urgency", LEVELS),
        churn_risk=_choice(obj, "churn_risk", CHURN),
        language=_str(obj, "language").strip().lower(),
        category=_choice(obj, "category", CATEGORIES),
        escalation=Escalation(
            required=_bool(esc, "required"),
            review=_bool(esc, "review"),
            reasons=_str_list(esc, "reasons"),
            triggers=[_trigger(t) for t in _list(esc, "triggers")],
        ),
    )


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadOutput(f"{what} is not a JSON object")
    return value


def _field(obj: dict[str, Any], key: str) -> Any:
    if key not in obj:
        raise BadOutput(f"missing field {key!r}")
    return obj[key]


def _str(obj: dict[str, Any], key: str) -> str:
    value = _field(obj, key)
    if not isinstance(value, str):
        raise BadOutput(f"field {key!r} is not a string")
    return value.strip()


def _bool(obj: dict[str, Any], key: str) -> bool:
    value = _field(obj, key)
    if not isinstance(value, bool):
        raise BadOutput(f"field {key!r} is not true or false")
    return value


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = _field(obj, key)
    if not isinstance(value, list):
        raise BadOutput(f"field {key!r} is not a list")
    return value


def _str_list(obj: dict[str, Any], key: str) -> list[str]:
    items = _list(obj, key)
    if not all(isinstance(i, str) for i in items):
        raise BadOutput(f"field {key!r} holds something other than strings")
    return [i.strip() for i in items if i.strip()]


def _choice(obj: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = _str(obj, key).lower()
    if value not in allowed:
        raise BadOutput(f"field {key!r} is {value!r}, not one of {', '.join(allowed)}")
    return value


def _anger(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 5:
        raise BadOutput("field 'anger' is not a number from 0 to 5")
    return int(value)


def _fact(value: Any) -> Fact:
    obj = _dict(value, "a fact")
    return Fact(kind=_choice(obj, "kind", FACT_KINDS), value=_str(obj, "value"),
                text=_str(obj, "text"))


def _trigger(value: Any) -> Trigger:
    obj = _dict(value, "a trigger")
    return Trigger(reason=_choice(obj, "reason", REASONS), sentence=_str(obj, "sentence"))
