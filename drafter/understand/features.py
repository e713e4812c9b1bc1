"""Hashed word and character n-grams: the features every shipped model reads.

Why these: they need no vocabulary, tokenizer or download, work the same in all seven
languages, and character n-grams carry what misspellings, inflections and compounds share
("suicid" in suicide/suicidio/Suizid, "avocat"/"avvocato"/"advocaat"). Text is folded first
(lower case, accents and curly apostrophes removed, digits as 0) so that "más"/"mas" and
"I’ll"/"I'll" are one feature. Feature names are hashed with CRC-32 into a fixed number of
buckets: stable across processes and Python versions (``hash()`` is salted per process),
and the trainer and the runtime call the very same function.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from zlib import crc32

_WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_DIGITS_RE = re.compile(r"\d")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


@dataclass(frozen=True)
class FeatureSpec:
    """Which n-grams a model reads and how many hash buckets it has (saved with the model)."""

    buckets: int = 1 << 20
    word_ngrams: int = 2
    char_min: int = 3
    char_max: int = 5
    #: Character n-grams of this length across word boundaries (``x:``; 0 for none): they
    #: catch short phrases whatever their inflection ("me mato", "ik wil niet", "'ll hurt").
    cross: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case, no accents, straight apostrophes, every digit a 0."""
    lowered = text.translate(_APOSTROPHES).lower()
    decomposed = unicodedata.normalize("NFKD", lowered)
    if decomposed != lowered:
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _DIGITS_RE.sub("0", lowered)


def words(text: str) -> list[str]:
    return _WORD_RE.findall(fold(text))


def feature_names(text: str, spec: FeatureSpec) -> list[str]:
    """The n-grams of ``text``: words (``w:``), word pairs (``b:``), padded char n-grams."""
    tokens = words(text)
    names = ["w:" + t for t in tokens]
    if spec.word_ngrams >= 2:
        names += ["b:" + a + " " + b for a, b in pairwise(tokens)]
    lo, hi = spec.char_min, spec.char_max
    if hi:
        for token in tokens:
            padded = f" {token} "
            size = len(padded)
            for n in range(lo, min(hi, size) + 1):
                names += [padded[i:i + n] for i in range(size - n + 1)]
    names += _cross_grams(tokens, spec.cross)
    return names


def _cross_grams(tokens: list[str], n: int) -> list[str]:
    if not n or len(tokens) < 2:
        return []
    joined = " " + " ".join(tokens) + " "
    return ["x:" + joined[i:i + n] for i in range(len(joined) - n + 1)]


#: The widest table any model uses: narrower power-of-two tables take these ids masked, so
#: models that read the same n-grams share one computation per sentence.
BASE_BUCKETS = 1 << 20


def bucket_ids(text: str, spec: FeatureSpec) -> list[int]:
    """``hashed(feature_names(text, spec), spec.buckets)`` as a multiset, computed fast.

    Scoring runs on every sentence of every email in a triage batch, and most of the cost
    is a word's character n-grams; words repeat across an inbox far more than sentences
    do, so each word's buckets are computed once per process. A table of a power-of-two
    size up to ``BASE_BUCKETS`` takes the base ids masked (``crc % 2**k`` is ``crc % 2**20``
    masked), and the base ids of the last few thousand sentences are cached, so the
    escalation and ask models read a sentence's n-grams once between them.
    """
    size = spec.buckets
    if size <= BASE_BUCKETS and size & (size - 1) == 0:
        base = _base_ids(text, spec.word_ngrams, spec.char_min, spec.char_max, spec.cross)
        if size == BASE_BUCKETS:
            return list(base)
        mask = size - 1
        return [i & mask for i in base]
    return _bucket_ids(text, spec)


@lru_cache(maxsize=4096)
def _base_ids(text: str, word_ngrams: int, char_min: int, char_max: int,
              cross: int) -> tuple[int, ...]:
    spec = FeatureSpec(BASE_BUCKETS, word_ngrams, char_min, char_max, cross)
    return tuple(_bucket_ids(text, spec))


def _bucket_ids(text: str, spec: FeatureSpec) -> list[int]:
    tokens = words(text)
    ids: list[int] = []
    for token in tokens:
        ids.extend(_token_buckets(token, spec.char_min, spec.char_max, spec.buckets))
    if spec.word_ngrams >= 2:
        ids.extend(crc32(f"b:{a} {b}".encode()) % spec.buckets for a, b in pairwise(tokens))
    ids.extend(crc32(n.encode()) % spec.buckets for n in _cross_grams(tokens, spec.cross))
    return ids


@lru_cache(maxsize=65536)
def _token_buckets(token: str, lo: int, hi: int, buckets: int) -> tuple[int, ...]:
    names = ["w:" + token]
    if hi:
        padded = f" {token} "
        size = len(padded)
        for n in range(lo, min(hi, size) + 1):
            names += [padded[i:i + n] for i in range(size - n + 1)]
    return tuple(crc32(n.encode("utf-8")) % buckets for n in names)


def hashed(names: list[str], buckets: int) -> list[int]:
    """Each name's bucket: CRC-32 of its UTF-8 bytes, modulo ``buckets``."""
    return [crc32(n.encode("utf-8")) % buckets for n in names]
