"""Structural checks: what a reply must contain (MAMA) and how it must not look (shouting).

These are code rather than patterns because they are about absence or shape: no apology
anywhere, no option anywhere, no committed next step, a run of ALL-CAPS words. Their
vocabulary still comes from the rule pack, so a team can teach them new phrasings.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from drafter.models import Finding

if TYPE_CHECKING:
    import re as _re

    from drafter.checker.context import Context
    from drafter.checker.rules import Rule

_CAPS_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_CAPS_GAP = re.compile(r"[ \t,;:.!?\"'()/&+-]*")
_CODE_NEIGHBOUR = re.compile(r"[\w-]")


def check_empty(ctx: Context) -> list[Finding]:
    """An empty reply is a finding, not a crash and not a pass."""
    rule = ctx.rule("empty-reply")
    if rule is None:
        return []
    return [ctx.finding(rule, 0, len(ctx.text))]


def check_apology(ctx: Context) -> list[Finding]:
    """``no-apology``: not one sorry/apologize/regret that is a real apology.

    A non-apology ("sorry you feel that way"), found by the pack's ``non_apology`` phrases
    or by the model, does not count; when the reply has one, the finding points at it.
    """
    rule = ctx.rule("no-apology")
    if rule is None or _has_apology(ctx) or _answers_thanks(ctx):
        return []
    fake = next((h for h in ctx.flagged if h.label == "no-apology"), None)
    if fake is not None:
        from drafter.checker.model import model_finding

        return [model_finding(ctx, "no-apology", fake)]
    at = ctx.layout.body_start
    return [ctx.finding(rule, at, at)]


def _answers_thanks(ctx: Context) -> bool:
    """The email thanks or praises and asks for nothing: its reply owes no apology (an
    apology for a problem the customer never had reads as not listening)."""
    if ctx.email is None or ctx.analysis is None:
        return False
    from drafter.analyze import thanks_only

    return thanks_only(ctx.email, ctx.analysis)


def _has_apology(ctx: Context) -> bool:
    apology = ctx.pack.vocab.get("apology")
    if apology is None:
        return True
    fake = ctx.pack.vocab.get("non_apology")
    fakes = [m.span() for m in fake.finditer(ctx.view)] if fake else []
    fakes += [(h.start, h.end) for h in ctx.flagged if h.label == "no-apology"]
    for m in apology.finditer(ctx.view):
        if not ctx.in_body(m.start()):
            continue
        if not any(s <= m.start() < e for s, e in fakes):
            return True
    return False


def check_options(ctx: Context) -> list[Finding]:
    """``no-options`` (all-i-can-do): the reply offers the customer nothing to choose."""
    rule = ctx.rule("no-options")
    offer = ctx.pack.vocab.get("offer")
    if rule is None or offer is None:
        return []
    if _search_body(ctx, offer):
        return []
    action = ctx.pack.vocab.get("action")
    if action is not None and _search_body(ctx, action):
        return []  # the agent acted or commits to acting: not a closed door
    at = ctx.layout.body_end
    return [ctx.finding(rule, at, at)]


def check_acknowledgement(ctx: Context) -> list[Finding]:
    """``no-acknowledgement``: the problem or the feeling is never named."""
    rule = ctx.rule("no-acknowledgement")
    ack = ctx.pack.vocab.get("acknowledgement")
    if rule is None or ack is None or _search_body(ctx, ack) or _specific_apology(ctx) \
            or _answers_thanks(ctx):
        return []
    at = ctx.layout.body_start
    return [ctx.finding(rule, at, at)]


#: An apology this long names what it is for ("Three hours on hold is not a small thing,
#: and I'm sorry"): that is the acknowledgement.
_SPECIFIC_WORDS = 8


def _specific_apology(ctx: Context) -> bool:
    apology = ctx.pack.vocab.get("apology")
    if apology is None:
        return False
    end = max(ctx.layout.body_end, ctx.layout.body_start)
    for m in apology.finditer(ctx.view, ctx.layout.body_start, end):
        s0, s1 = ctx.sentence(m.start())
        if len(ctx.view[s0:s1].split()) >= _SPECIFIC_WORDS:
            return True
    return False


def check_next_step(ctx: Context) -> list[Finding]:
    """``no-next-step``: no sentence that commits to something *and* says when, and none
    that commits in the first person, invites the customer's next move or says what is
    already on its way (the many ways good agents close a reply)."""
    rule = ctx.rule("no-next-step")
    time, commit = ctx.pack.vocab.get("time"), ctx.pack.vocab.get("commit")
    if rule is None or time is None or commit is None:
        return []
    step = ctx.pack.vocab.get("next_step")
    if step is not None and _search_body(ctx, step):
        return []
    done = ctx.pack.vocab.get("action")
    if done is not None and _search_body(ctx, done):
        return []  # acting now ("I've refunded the fee") is the follow-through itself
    for s0, s1 in ctx.sentences:
        if ctx.in_body(s0) and time.search(ctx.view, s0, s1) and commit.search(ctx.view, s0, s1):
            return []
    at = ctx.layout.body_end
    return [ctx.finding(rule, at, at)]


def _search_body(ctx: Context, pattern: _re.Pattern[str]) -> bool:
    end = max(ctx.layout.body_end, ctx.layout.body_start)
    return pattern.search(ctx.view, ctx.layout.body_start, end) is not None


# --- raised voice -------------------------------------------------------------------------

def check_caps(ctx: Context) -> list[Finding]:
    """``all-caps``: two or more shouted words in a row, or one shouted emphasis word.

    Acronyms (USB, UPS, ID), codes (A-12345) and the company's own name are not shouting,
    but they do not break a run either: "THE UPS DRIVER WAS LATE" is one shout.
    """
    rule = ctx.rule("all-caps")
    if rule is None:
        return []
    out: list[Finding] = []
    run: list[tuple[int, int, str, bool]] = []
    for word in _caps_words(ctx):
        if run and not _CAPS_GAP.fullmatch(ctx.view, run[-1][1], word[0]):
            out.extend(_caps_run(ctx, rule, run))
            run = []
        run.append(word)
    out.extend(_caps_run(ctx, rule, run))
    return out


def _caps_run(ctx: Context, rule: Rule, run: list[tuple[int, int, str, bool]]) -> list[Finding]:
    shouted = [w for w in run if not w[3]]
    if not shouted:
        return []
    emphasis = ctx.pack.words.get("emphasis", frozenset())
    if len(shouted) == 1 and shouted[0][2] not in emphasis \
            and len(shouted[0][2]) < _SHOUTED_WORD:
        return []
    return [ctx.finding(rule, shouted[0][0], shouted[-1][1])]


def _caps_words(ctx: Context) -> list[tuple[int, int, str, bool]]:
    """ALL-CAPS words in the body as (start, end, word, is_acronym)."""
    acronyms = ctx.pack.words.get("acronyms", frozenset()) | _company_words(ctx)
    words = []
    view = ctx.view
    start, end = ctx.layout.body_start, max(ctx.layout.body_end, ctx.layout.body_start)
    for m in _CAPS_WORD.finditer(view, start, end):
        w = m.group()
        if len(w) < 2 or not w.isupper():
            continue
        before = view[m.start() - 1] if m.start() else " "
        after = view[m.end()] if m.end() < len(view) else " "
        acronym = (w in acronyms or _is_code(before, after, view, m.end())
                   or bool(_NAMED_CODE.search(view, max(0, m.start() - 24), m.start())))
        words.append((m.start(), m.end(), w, acronym))
    return words


#: A single capitalised word this long is not an acronym ("AUTOMATICALLY", "NON-REFUNDABLE").
_SHOUTED_WORD = 7
_CAPS_COMPOUND = re.compile(r"[^\W\d_]{2,}(?:-[^\W\d_]{2,})+")


#: A word in capitals right after the name of a code ("reference RENT-MAR", "tariff code
#: FLEXI-SAVE") is the code, whatever its letters (blind set checker-e).
_NAMED_CODE = re.compile(r"\b(?:reference|ref|code|payee|tariff|plan|promo|voucher|"
                         r"booking|account|product|model)\s*[:#]?\s*(?:[A-Z0-9]+-)*$",
                         re.IGNORECASE)


def _is_code(before: str, after: str, view: str, end: int) -> bool:
    """Letters glued to digits or dashes ("A-12345", "USB-C", "X2") are codes, not words;
    a compound of letters only ("NON-REFUNDABLE") is a word."""
    if _in_compound(view, end):
        return False
    if before.isdigit() or before in "-_/#@.":
        return True
    if after.isdigit() or after in "_@/#":
        return True
    return after == "-" and end + 1 < len(view) and bool(_CODE_NEIGHBOUR.match(view[end + 1]))


def _in_compound(view: str, end: int) -> bool:
    """The word ending at ``end`` is part of a letters-only hyphenated compound of 7+ letters."""
    start = end
    while start > 0 and (view[start - 1].isalpha() or view[start - 1] == "-"):
        start -= 1
    stop = end
    while stop < len(view) and (view[stop].isalpha() or view[stop] == "-"):
        stop += 1
    word = view[start:stop].strip("-")
    return bool(_CAPS_COMPOUND.fullmatch(word)) and sum(map(str.isalpha, word)) >= _SHOUTED_WORD


def _company_words(ctx: Context) -> frozenset[str]:
    return frozenset(w.upper() for w in _CAPS_WORD.findall(ctx.policy.company))


# --- wants -------------------------------------------------------------------------------

_STOP = frozenset("""a an the and or but to of for in on at by with from into about as is are was
were be been being am i me my we our us you your they them their it its this that these those
want wants wanted would like please need needs needed get got have has had do does did can
could will shall should may might must just also very really so not no more some any all
either both back out up down over again now then than too only own same such here there when
what which who whom why how customer customers asks ask asked asking expects expect expected
expecting hoping hope hopes request requests requested requesting someone something""".split())

_SYNONYMS = {
    "refund": {"refund", "money", "reimburs", "repay", "back"},
    "money": {"refund", "money", "reimburs"},
    "replac": {"replac", "new", "reship", "resend", "exchang"},
    "exchang": {"exchang", "replac", "swap"},
    "call": {"call", "phone", "callback", "ring"},
    "phone": {"call", "phone", "callback"},
    "cancel": {"cancel", "terminat", "close", "end"},
    "apolog": {"apolog", "sorry", "regret"},
    "deliver": {"deliver", "ship", "arriv", "courier", "track", "dispatch"},
    "ship": {"deliver", "ship", "arriv", "courier", "dispatch"},
    "fix": {"fix", "repair", "resolv", "sort"},
    "repair": {"fix", "repair", "technician"},
    "manag": {"manag", "supervisor", "escalat", "lead"},
    "supervisor": {"manag", "supervisor", "escalat", "lead"},
    "compens": {"compens", "credit", "refund", "discount", "voucher"},
    "explan": {"explain", "explan", "why", "reason"},
    "explain": {"explain", "explan", "why", "reason"},
}
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "edly", "ed", "ies", "es",
             "ly", "s", "e")


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """Stemming-lite: good enough that "refunded" meets "refund" and "replacement" "replace".
    Cached: the same few thousand words come back in every reply and want."""
    w = word.lower().strip("'")
    for suffix in _SUFFIXES:
        if len(w) - len(suffix) >= 4 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def key_terms(text: str) -> set[str]:
    return {stem(w) for w in _CAPS_WORD.findall(text.lower())
            if w not in _STOP and len(w) >= 3}


def _addressed(want_terms: set[str], reply_terms: set[str]) -> bool:
    """One shared term answers a short want; a longer want needs two, so that a single
    generic word ("shipping") does not answer "the jacket delivered by Tuesday"."""
    needed = 1 if len(want_terms) <= 2 else 2
    return sum(_term_in(term, reply_terms) for term in want_terms) >= needed


def _term_in(term: str, reply_terms: set[str]) -> bool:
    related = {term}
    for key, syns in _SYNONYMS.items():
        if term.startswith(key):
            related |= syns
    if related & reply_terms:
        return True
    return any(r.startswith(t) or t.startswith(r) for r in reply_terms for t in related
               if len(t) >= 4 and len(r) >= 4)


def check_wants(ctx: Context) -> list[Finding]:
    """``unaddressed-want``: a want from the analysis that shares no key term with the reply.

    Deliberately lenient (one shared stem is enough): a false alarm here teaches agents to
    ignore the checker, and the judge catches the subtle misses.
    """
    rule = ctx.rule("unaddressed-want")
    if rule is None or ctx.analysis is None or not ctx.analysis.wants:
        return []
    body = ctx.view[ctx.layout.body_start:max(ctx.layout.body_end, ctx.layout.body_start)]
    reply_terms = key_terms(body)
    out = []
    at = ctx.layout.body_end
    for want in ctx.analysis.wants:
        terms = key_terms(want)
        if terms and not _addressed(terms, reply_terms):
            out.append(ctx.finding(rule, at, at,
                                   message=f"Does not answer what the customer wants: {want}"))
    return out
