"""Ranked search over the catalog: BM25 over ids, tags, summaries, descriptions, examples.

Words are lower-cased, stop words dropped and suffixes stripped (``filtering``,
``filters`` and ``filtered`` all become ``filt``). A query word also searches for its
synonyms, at a lower weight: a person asks to *save* or *export* where the catalog says
*write*, to *drop* rows where it says *filter*. Everything is deterministic: equal
scores are ordered by key.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["SYNONYMS", "SearchIndex", "expand", "stem", "tokenize"]

_WORD = re.compile(r"[a-z0-9]+")
_STOP: Final = frozenset(
    [
        "a",
        "about",
        "all",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "by",
        "each",
        "every",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "these",
        "this",
        "those",
        "to",
        "using",
        "via",
        "with",
    ]
)
_SUFFIXES: Final = ("ations", "ation", "ings", "ing", "ies", "ers", "ed", "es", "er", "s")
_SYNONYM_WEIGHT: Final = 0.6

SYNONYMS: Final[Mapping[str, tuple[str, ...]]] = {
    # writing out
    "save": ("write", "export"),
    "export": ("write", "save"),
    "store": ("write", "save"),
    "persist": ("write", "save"),
    "dump": ("write", "export"),
    "output": ("write", "export"),
    "write": ("save", "export"),
    # reading in
    "load": ("read", "import"),
    "open": ("read", "load"),
    "import": ("read", "load"),
    "ingest": ("read", "load"),
    "fetch": ("read", "load", "get"),
    "read": ("load", "import"),
    # keeping some rows
    "drop": ("filter", "remove"),
    "remove": ("filter", "exclude"),
    "exclude": ("filter",),
    "keep": ("filter", "where"),
    "only": ("filter",),
    "subset": ("filter",),
    # computing over tables
    "join": ("sql", "query"),
    "merge": ("join", "sql"),
    "combine": ("join", "sql"),
    "aggregate": ("sql", "group"),
    "group": ("aggregate", "sql"),
    "sum": ("aggregate", "sql"),
    "total": ("aggregate", "sql"),
    "average": ("aggregate", "sql"),
    "mean": ("average", "aggregate"),
    "count": ("aggregate",),
    "select": ("sql", "query"),
    # formats
    "spreadsheet": ("csv",),
    "excel": ("csv", "spreadsheet"),
    "ndjson": ("jsonl",),
    "json": ("jsonl",),
    "jsonl": ("json",),
    # the social and web vocabulary of later methods
    "tweet": ("twitter", "post"),
    "twitter": ("tweet", "social"),
    "post": ("social",),
    "webpage": ("web", "page"),
    "scrape": ("crawl", "web", "fetch"),
    "crawl": ("scrape", "web"),
    "negative": ("sentiment",),
    "positive": ("sentiment",),
    "feeling": ("sentiment",),
    "mood": ("sentiment",),
    "opinion": ("sentiment",),
}


def stem(word: str) -> str:
    """A light stemmer that sends the forms of a word to one stem.

    ``tweets`` → ``tweet``, ``queries`` → ``query``, and ``filter``, ``filters``,
    ``filtering``, ``filtered`` → ``filt``; a final ``e`` goes too, so that ``save``,
    ``saves`` and ``saving`` meet at ``sav``.
    """
    for _ in range(2):  # a suffix can hide another: filter|ing, us|ers
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
                break
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case words without stop words, stemmed."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


_STEMMED_SYNONYMS: Final = {
    stem(word): tuple(stem(s) for s in synonyms) for word, synonyms in SYNONYMS.items()
}


def expand(query: str) -> dict[str, float]:
    """The weighted terms of a query: its own words at 1, their synonyms lower."""
    terms: dict[str, float] = {}
    for token in tokenize(query):
        terms[token] = 1.0
    for token in list(terms):
        for synonym in _STEMMED_SYNONYMS.get(token, ()):
            terms.setdefault(synonym, _SYNONYM_WEIGHT)
    return terms


@dataclass(frozen=True, slots=True)
class _Doc:
    key: str
    terms: Counter[str]
    length: int


class SearchIndex:
    """A small BM25 index; documents are lists of (text, weight) fields.

    Args:
        k1: term-frequency saturation.
        b: length normalisation.
    """

    def __init__(self, *, k1: float = 1.2, b: float = 0.6) -> None:
        self.k1 = k1
        self.b = b
        self._docs: dict[str, _Doc] = {}
        self._df: Counter[str] = Counter()

    def add(self, key: str, fields: Iterable[tuple[str, int]]) -> None:
        """Index a document; each field's tokens count ``weight`` times."""
        terms: Counter[str] = Counter()
        for text, weight in fields:
            for token in tokenize(text):
                terms[token] += weight
        if key in self._docs:
            self._df.subtract(self._docs[key].terms.keys())
        self._docs[key] = _Doc(key, terms, sum(terms.values()))
        self._df.update(terms.keys())

    def search(self, query: str, *, keys: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Documents matching ``query``, best first, with their scores."""
        q_terms = expand(query)
        if not q_terms or not self._docs:
            return []
        n = len(self._docs)
        avg = sum(d.length for d in self._docs.values()) / n
        allowed = set(keys) if keys is not None else None
        scores: list[tuple[str, float]] = []
        for doc in self._docs.values():
            if allowed is not None and doc.key not in allowed:
                continue
            score = 0.0
            for term, weight in q_terms.items():
                tf = doc.terms.get(term, 0)
                if not tf:
                    continue
                df = self._df[term]
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                norm = tf + self.k1 * (1 - self.b + self.b * doc.length / max(avg, 1e-9))
                score += weight * idf * tf * (self.k1 + 1) / norm
            if score > 0:
                scores.append((doc.key, score))
        scores.sort(key=lambda item: (-item[1], item[0]))
        return scores
