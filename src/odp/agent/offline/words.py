"""Numbers and dates written in words, as digits: what the rules downstream read.

*two thousand tweets* → ``2000 tweets``; *2.5k* → ``2500``; *since March 3rd, 2026* →
``since 2026-03-03``; *in the last 7 days* → ``since 2026-11-26`` (counted back from the
day the plan is made, which the plan's explanation shows as a date).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Final

__all__ = ["dates_as_iso", "numbers_as_digits", "plain_words"]

_UNITS: Final = {
    "zero": 0,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS: Final = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES: Final = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_SCALED: Final = (*_SCALES, "dozen")
_WORD_NUMBER: Final = "|".join([*_UNITS, *_TENS, *_SCALES, "one", "a", "and", "dozen"])
# a run of number words: `two thousand`, `twenty-five`, `a hundred and fifty`, `a dozen`
_RUN: Final = re.compile(
    rf"\b(?:{_WORD_NUMBER})(?:[\s-]+(?:{_WORD_NUMBER}))*\b",
    re.IGNORECASE,
)
# `2.5k tweets` (not `5m`: minutes as often as millions)
# a number said as a count: after a word that asks for one, or before what it counts
_COUNT_BEFORE: Final = re.compile(
    r"\b(?:up to|max(?:imum)?|top|first|last|latest|newest|about|around|roughly|get|grab|pull|"
    r"fetch|collect|find|make|into|keep|only|at most|at least|more than|less than|fewer than|"
    r"over|under|above|below|k\s*=|just|limit|cap|sample|than)\s+$",
    re.IGNORECASE,
)
_COUNT_AFTER: Final = re.compile(
    r"\s+(?:[\w-]+\s+){0,2}?(?:tweets|posts|articles|items|entries|rows|results|records|threads|"
    r"pages|clusters|groups|topics|themes|days|weeks|months|hours|terms|stories|headlines|"
    r"comments|reviews|samples|files|feeds|urls|links|users|customers|orders|products|likes|"
    r"requests|messages|lines)\b"
    # `two hundred is enough`, `a hundred is plenty`
    r"|\s+(?:is|are|should be|would be|will be)\s+(?:plenty|enough)\b",
    re.IGNORECASE,
)
_SHORT: Final = re.compile(r"\b(\d+(?:\.\d+)?)\s*k\b", re.IGNORECASE)

_MONTHS: Final = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
# `may` is a month only beside a day
_MONTH: Final = "|".join(sorted((m for m in _MONTHS if m != "may"), key=len, reverse=True))
_DAY: Final = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR: Final = r"(?:,?\s+(\d{4}))?"
_MONTH_DAY: Final = re.compile(
    rf"\b({_MONTH}|may)\.?\s+{_DAY}\b{_YEAR}(?!\s*(?:%|am|pm|:))", re.IGNORECASE
)
_DAY_MONTH: Final = re.compile(rf"\b{_DAY}\s+(?:of\s+)?({_MONTH}|may)\b\.?{_YEAR}", re.IGNORECASE)
_SPANS: Final = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30}
_LAST: Final = re.compile(
    r"\b(?:(?:in|over|during|within|for|from)\s+)?(?:the\s+)?(?:last|past|previous)\s+"
    r"(?:(\d+)\s+)?(days?|weeks?|months?)\b",
    re.IGNORECASE,
)
_SINCE_DAY: Final = re.compile(r"\b(since|from|after)\s+(yesterday|today)\b", re.IGNORECASE)


def _value(words: list[str]) -> int | None:
    """The number a run of number words says, or None when it says none."""
    total, current, said = 0, 0, False
    for word in words:
        if word in ("and",):
            continue
        if word in ("a", "one"):
            current += 1
        elif word == "dozen":
            current = (current or 1) * 12
            said = True
        elif word in _UNITS:
            current += _UNITS[word]
            said = True
        elif word in _TENS:
            current += _TENS[word]
            said = True
        else:  # a scale
            scale = _SCALES[word]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
            said = True
    return total + current if said else None


def numbers_as_digits(text: str) -> str:
    """Numbers in words (*two thousand*, *fifty*, *a dozen*) and *2.5k* as digits.

    A lone *one* or *a* stays a word (*one row per url*, *a sample*).
    """

    def run(match: re.Match[str]) -> str:
        if not (
            _COUNT_BEFORE.search(text[: match.start()]) or _COUNT_AFTER.match(text[match.end() :])
        ):
            return match.group(0)  # `the four day work week`: words, not a count
        words = [w.lower() for w in re.split(r"[\s-]+", match.group(0))]
        start, end = 0, len(words)
        # `and` or `a` at the ends say no number (`a hundred` does)
        while start < end and (
            words[start] == "and"
            or (words[start] == "a" and (start + 1 == end or words[start + 1] not in _SCALED))
        ):
            start += 1
        while end > start and words[end - 1] in ("a", "and"):
            end -= 1
        value = _value(words[start:end])
        if value is None or words[start:end] == ["one"]:
            return match.group(0)  # `one row per url`, `a sample`: no number
        return " ".join([*words[:start], str(value), *words[end:]])

    text = _RUN.sub(run, text)

    def short(match: re.Match[str]) -> str:
        value = float(match.group(1)) * 1000
        return str(int(value)) if value.is_integer() else match.group(0)

    return _SHORT.sub(short, text)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def dates_as_iso(text: str, today: dt.date) -> str:
    """Dates in words (*March 3rd, 2026*, *3 march*) and spans back from ``today``.

    A date without its year is the latest one not after ``today``.
    """

    def said(month_name: str, day: str, year: str | None, whole: str) -> str:
        month = _MONTHS[month_name.lower().rstrip(".")]
        if year is not None:
            return _iso(int(year), month, int(day)) or whole
        this_year = _iso(today.year, month, int(day))
        if this_year is None:
            return whole
        if this_year > today.isoformat():
            return _iso(today.year - 1, month, int(day)) or whole
        return this_year

    text = _MONTH_DAY.sub(lambda m: said(m.group(1), m.group(2), m.group(3), m.group(0)), text)
    text = _DAY_MONTH.sub(lambda m: said(m.group(2), m.group(1), m.group(3), m.group(0)), text)

    def last(match: re.Match[str]) -> str:
        count = int(match.group(1) or 1)
        days = count * _SPANS[match.group(2).lower()]
        return f"since {(today - dt.timedelta(days=days)).isoformat()}"

    text = _LAST.sub(last, text)

    def since_day(match: re.Match[str]) -> str:
        back = 1 if match.group(2).lower() == "yesterday" else 0
        return f"{match.group(1)} {(today - dt.timedelta(days=back)).isoformat()}"

    return _SINCE_DAY.sub(since_day, text)


def plain_words(text: str, today: dt.date) -> str:
    """Numbers and dates in words, as digits."""
    return dates_as_iso(numbers_as_digits(text), today)
