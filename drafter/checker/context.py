"""What every check needs to know about one reply, computed once per ``check_reply`` call."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from drafter.checker.text import Layout, Sentences
from drafter.models import Finding

if TYPE_CHECKING:
    from drafter.checker.grounding import Mention
    from drafter.checker.model import Scored
    from drafter.checker.rules import Rule, RulePack
    from drafter.models import Analysis, Email, Fact
    from drafter.policy import Policy


_BLANK_RUN = re.compile(r"\s{32,}")


@dataclass
class Context:
    """One reply under check. ``view`` is the matching copy (see :mod:`drafter.checker.text`)."""

    text: str
    view: str
    sentences: Sentences
    layout: Layout
    pack: RulePack
    policy: Policy
    english: bool
    #: False when the caller gave no policy: limits and option kinds are then unknown.
    policy_given: bool = True
    disabled: set[str] = field(default_factory=set)
    email: Email | None = None
    analysis: Analysis | None = None
    facts: list[Fact] | None = None  # the email's facts; None when there is no email
    #: True for a draft drafter wrote (its facts can only come from the email and the
    #: policy); False for a person's reply, whose references, dates and amounts may come
    #: from the company's own systems.
    drafted: bool = True

    def active(self, rule: Rule | None) -> bool:
        """On in the pack and not silenced by a directive in the reply."""
        return rule is not None and rule.enabled and not (rule.names() & self.disabled)

    def rule(self, rule_id: str) -> Rule | None:
        rule = self.pack.get(rule_id)
        return rule if self.active(rule) else None

    def finding(self, rule: Rule, start: int, end: int, *, message: str | None = None,
                suggestion: str | None = None) -> Finding:
        return Finding(
            rule=rule.rule_id, mistake=rule.mistake, severity=rule.severity, start=start,
            end=end, excerpt=self.text[start:end], message=message or rule.message,
            suggestion=rule.suggestion if suggestion is None else suggestion,
        )

    def in_body(self, start: int) -> bool:
        return self.layout.body_start <= start < max(self.layout.body_end,
                                                     self.layout.body_start + 1)

    def sentence(self, offset: int) -> tuple[int, int]:
        return self.sentences.around(offset)

    @cached_property
    def segments(self) -> list[tuple[int, int]]:
        """The body cut at runs of 32 or more blank characters (phrase rules search these)."""
        start, end = self.layout.body_start, max(self.layout.body_end, self.layout.body_start)
        out, pos = [], start
        for m in _BLANK_RUN.finditer(self.view, start, end):
            if m.start() > pos:
                out.append((pos, m.start()))
            pos = m.end()
        if end > pos:
            out.append((pos, end))
        return out

    @cached_property
    def flagged(self) -> list[Scored]:
        """The sentences the checker model flags (English replies only: its corpus is)."""
        if not self.english:
            return []
        from drafter.checker.model import flagged

        return flagged(self)

    @cached_property
    def body_mentions(self) -> list[Mention]:
        """The ids, amounts and dates in the reply's body (grounding and over-promise both
        walk them; found once)."""
        from drafter.checker.grounding import mentions

        return mentions(self.view, self.layout.body_start,
                        max(self.layout.body_end, self.layout.body_start))
