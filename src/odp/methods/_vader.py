"""VADER with the same scores, faster: the rework the reference code repeats is done once.

``vaderSentiment``'s ``polarity_scores`` rebuilds each text character by character to
replace emojis, and lower-cases the whole word list again for every word it checks for
negation or idioms (quadratic in the text's length). :class:`FastAnalyzer` skips the
emoji pass when a text has no emoji and lower-cases each text's words once; every score
is the one ``SentimentIntensityAnalyzer`` gives (a test compares them on thousands of
texts).
"""

from __future__ import annotations

from typing import Any

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    SentiText,
)

__all__ = ["FastAnalyzer"]

_NEGATE = frozenset(NEGATE)


class _Words(list[str]):
    """A text's words, carrying their lower-case forms for the checks that need them."""

    __slots__ = ("lower",)

    def __init__(self, words: list[str]) -> None:
        super().__init__(words)
        self.lower = [w.lower() for w in words]


def _lower(words: list[str]) -> list[str]:
    return words.lower if isinstance(words, _Words) else [str(w).lower() for w in words]


def _negated(word_lower: str) -> bool:
    # vaderSentiment.negated([word]) for one lower-case word
    return word_lower in _NEGATE or "n't" in word_lower


class FastAnalyzer(SentimentIntensityAnalyzer):  # type: ignore[misc]  # vaderSentiment is untyped
    """A drop-in ``SentimentIntensityAnalyzer`` whose ``polarity_scores`` is faster."""

    def __init__(self) -> None:
        super().__init__()
        # the reference replaces emojis one character at a time: only one-character keys count
        self._emoji_chars = frozenset(k for k in self.emojis if len(k) == 1)

    def polarity_scores(self, text: str) -> dict[str, float]:
        """The same ``neg``, ``neu``, ``pos`` and ``compound`` as the reference."""
        if not text.isascii() and not self._emoji_chars.isdisjoint(text):
            text = self._describe_emojis(text)
        text = text.strip()
        sentitext = SentiText(text)
        words = _Words(sentitext.words_and_emoticons)
        sentitext.words_and_emoticons = words
        lower = words.lower
        last = len(words) - 1
        sentiments: list[float] = []
        for i, item in enumerate(words):
            if lower[i] in BOOSTER_DICT or (
                i < last and lower[i] == "kind" and lower[i + 1] == "of"
            ):
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        scores: dict[str, float] = self.score_valence(sentiments, text)
        return scores

    def _describe_emojis(self, text: str) -> str:
        # the reference's loop, kept as it is so that spacing comes out the same
        out = ""
        prev_space = True
        for ch in text:
            if ch in self.emojis:
                if not prev_space:
                    out += " "
                out += self.emojis[ch]
                prev_space = False
            else:
                out += ch
                prev_space = ch == " "
        return out

    def _negation_check(self, valence: float, words: list[str], start_i: int, i: int) -> Any:
        lower = _lower(words)
        if start_i == 0:
            if _negated(lower[i - 1]):
                valence = valence * N_SCALAR
        elif start_i == 1:
            if lower[i - 2] == "never" and lower[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
                pass
            elif _negated(lower[i - 2]):
                valence = valence * N_SCALAR
        elif start_i == 2:
            if (lower[i - 3] == "never" and lower[i - 2] in ("so", "this")) or lower[i - 1] in (
                "so",
                "this",
            ):
                valence = valence * 1.25
            elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
                pass
            elif _negated(lower[i - 3]):
                valence = valence * N_SCALAR
        return valence

    def _special_idioms_check(self, valence: float, words: list[str], i: int) -> Any:
        lower = _lower(words)
        onezero = f"{lower[i - 1]} {lower[i]}"
        twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
        twoone = f"{lower[i - 2]} {lower[i - 1]}"
        threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
        threetwo = f"{lower[i - 3]} {lower[i - 2]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in SPECIAL_CASES:
                valence = SPECIAL_CASES[seq]
                break
        if len(lower) - 1 > i:
            zeroone = f"{lower[i]} {lower[i + 1]}"
            if zeroone in SPECIAL_CASES:
                valence = SPECIAL_CASES[zeroone]
        if len(lower) - 1 > i + 1:
            zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
            if zeroonetwo in SPECIAL_CASES:
                valence = SPECIAL_CASES[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in BOOSTER_DICT:
                valence = valence + BOOSTER_DICT[n_gram]
        return valence
