"""Is this reply English? The phrase rules only know English, and must say so rather than pass.

The project's own detector (``drafter.language.detect_language``) is preferred when it is
installed; this small stop-word count is the checker's fallback so it never depends on it.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and to of a i you is that it for we your in this be are on with have "
                    "not can will my me our was at as but so if or by an they do what sorry "
                    "i'm it's don't please thank thanks".split()),
    "es": frozenset("el la los las de que y en un una es por para con no su sus lo le se al "
                    "del como pero muy gracias usted nos hemos disculpas lamentamos esta este "
                    "estamos".split()),
    "fr": frozenset("le la les de des du et en un une est que qui pour pas vous nous avec sur "
                    "dans ce cette je ne au aux votre vos merci sommes désolé désolés".split()),
    "de": frozenset("der die das und ist nicht ich sie wir ein eine zu den dem mit für auf "
                    "es im ihr ihre ihnen bitte danke uns sich auch noch wird haben leid "
                    "entschuldigung".split()),
    "it": frozenset("il lo la gli le di che e è un una per non con del della sono ci siamo "
                    "grazie vostro suo questo questa ma anche dispiace".split()),
    "pt": frozenset("o a os as de que e em um uma é para com não do da dos das seu sua nos "
                    "obrigado obrigada você desculpe lamentamos está".split()),
    "nl": frozenset("de het een en van is dat niet ik je u we wij op te met voor zijn ons "
                    "bedankt excuses graag uw ook maar".split()),
}

#: Languages told apart by script rather than by words.
_SCRIPTS = (("CYRILLIC", "ru"), ("GREEK", "el"), ("ARABIC", "ar"), ("HEBREW", "he"),
            ("HIRAGANA", "ja"), ("KATAKANA", "ja"), ("HANGUL", "ko"), ("CJK", "zh"),
            ("THAI", "th"), ("DEVANAGARI", "hi"))

LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "el": "Greek", "ar": "Arabic",
    "he": "Hebrew", "ja": "Japanese", "ko": "Korean", "zh": "Chinese", "th": "Thai",
    "hi": "Hindi", "pl": "Polish", "sv": "Swedish", "da": "Danish", "no": "Norwegian",
    "fi": "Finnish", "tr": "Turkish", "cs": "Czech",
}


def guess_language(text: str) -> str:
    """ISO 639-1 code of ``text``; "en" when the text is too short to tell.

    Short or mixed texts lean to English on purpose: a wrong "not English" would switch
    the phrase rules off, which is the costlier mistake.
    """
    sample = text[:20000]
    script = _script_language(sample)
    if script:
        return script
    words = [w.lower() for w in _WORD.findall(sample.replace("\u2019", "'"))]
    if len(words) < 6:
        return "en"
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    if best != "en" and scores[best] >= 3 and scores[best] > 1.5 * scores["en"]:
        return best
    return "en"


def _script_language(sample: str) -> str | None:
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None
    latin = sum(1 for c in letters if c.isascii() or "LATIN" in unicodedata.name(c, ""))
    if latin / len(letters) >= 0.5:
        return None
    counts: dict[str, int] = {}
    for c in letters:
        name = unicodedata.name(c, "")
        for marker, lang in _SCRIPTS:
            if name.startswith(marker):
                counts[lang] = counts.get(lang, 0) + 1
                break
    return max(counts, key=lambda k: counts[k]) if counts else "und"


def reply_language(text: str) -> str:
    """The project's detector when present, else :func:`guess_language`."""
    try:
        from drafter.language import detect_language  # type: ignore[import-not-found]
    except ImportError:
        return guess_language(text)
    try:
        code = str(detect_language(text) or "").lower()
    except Exception:  # a detector bug must not take the checker down with it
        return guess_language(text)
    return code or "en"


def is_english(code: str) -> bool:
    """Unknown or undetermined counts as English: only a positive detection skips rules."""
    return code in ("en", "", "und", "unknown", "xx") or code.startswith("en-")


def language_name(code: str) -> str:
    name = LANGUAGE_NAMES.get(code)
    return f"{name} ({code})" if name else code
