"""Filling params from a clause: queries, numbers, languages, conditions, columns.

Every function here reads one clause (lower case with ``⟨n⟩`` placeholders, plus the
original for values whose case matters) and returns a value or None when the clause
does not say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from odp.agent.offline.clauses import Clause, Request

__all__ = [
    "DOTTED_KEYS",
    "LANGUAGES",
    "NUMBER_WORDS",
    "column_named",
    "condition",
    "drift_columns",
    "group_by",
    "language_candidates",
    "languages_in",
    "number",
    "query",
    "result_cap",
    "since",
    "sort_spec",
    "subreddit",
    "without_candidates",
]

LANGUAGES: Final = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "portuguese": "pt",
    "dutch": "nl",
    "polish": "pl",
    "russian": "ru",
    "ukrainian": "uk",
    "swedish": "sv",
    "danish": "da",
    "norwegian": "no",
    "finnish": "fi",
    "turkish": "tr",
    "arabic": "ar",
    "chinese": "zh",
    "japanese": "ja",
    "korean": "ko",
    "hindi": "hi",
    "greek": "el",
    "czech": "cs",
}
NUMBER_WORDS: Final = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "fifty": 50,
    "hundred": 100,
}
_NUM: Final = r"(\d[\d,]*(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")"
_TOPIC_INTRO: Final = re.compile(
    r"\b(?:about|mentioning|regarding|concerning|on|for|re|related to|with the (?:word|term)s?|"
    # `posts around inflation`, `news coverage of the budget debate`
    r"around|covering|(?:coverage|reporting|discussions?) (?:of|on))\s+"
)
_TOPIC_STOP: Final = re.compile(
    r"\s*,.*$|"  # a clause merged back (`..., max 50`) is not the topic
    r"\s+\d[\d,]*\s+(?:max|maximum|tops|at most)\b.*$|"  # `the city marathon (300 max)`
    r"\s+(?:from|in|on|since|after|before|with|without|by|per|into|sorted|written|saved|"
    r"max|maximum|limit|at most|up to|no more than|"
    r"please|thanks|thank|that|which|who|where|and (?:also )?(?:keep|save|write)|"
    r"using|via|as|at|to|published|posted|only)\b.*$"
)
_NOT_TOPIC: Final = re.compile(
    r"^(?:twitter|x|reddit|news|posts?|tweets?|threads?|articles?|the (?:web|news|internet)|"
    r"it|them|this|that|each|every|all|both|their own|its own|⟨\d+⟩|r/\w+|\d+)\b"
)
_SOURCE_NOUNS: Final = re.compile(
    r"\b(?:twitter|tweets?|x|reddit|threads?|posts?|news|articles?|headlines|subreddit)\b"
)
_FILLER: Final = re.compile(r"^(?:the|a|an|some|recent|latest|new posts)\s+")
_TRAILING: Final = re.compile(
    r"\s+(?:please|pls|thanks|now|today|posts?|tweets?|news|and|or|&)$|[\s,.;:]+$"
)
# `tickets.assignee_id to agents.id`, `events.user_id = users.id`: each side's key
# `which products sold anything`, `customers that placed at least one order`: the rows
# with a match on the other side (a semi join)
SEMI: Final = (
    r"\b(?:sold|bought|ordered|purchased|placed|made|got|received|had|have|has|did)\s+"
    r"(?:anything|something|any\s+\w+|some\s+\w+|at least (?:one|1)\s+\w+|one or more\s+\w+)"
    r"|\b(?:appear(?:s|ing)?|that are also|which are also|also present|also found)\s+in\b"
)
DOTTED_KEYS: Final = (
    r"([a-z_]\w*)\.([a-z_]\w*)\s*(?:==?|\bto\b|\bwith\b|\bagainst\b)\s*([a-z_]\w*)\.([a-z_]\w*)"
)
_COLUMN_WORD: Final = r"[a-z_][a-z0-9_]*"
# the words before the date a search starts at: `since`, `nothing older than`
SINCE_WORDS: Final = r"since|after|from|(?:nothing|none|no|not)\s+older\s+than|newer\s+than"


def _original(clause: Clause, start: int, end: int) -> str:
    return clause.original[start:end]


def query(clause: Clause, request: Request) -> str | None:
    """What to search for: a quoted string, else the words after *about*, *on*, *for*..."""
    quoted = clause.literals(request, "quote")
    if quoted and not quoted[0][1].value.lower().startswith(("select ", "with ")):
        return quoted[0][1].value
    for match in _TOPIC_INTRO.finditer(clause.text):
        rest = clause.text[match.end() :]
        if _NOT_TOPIC.match(rest):
            continue
        stop = _TOPIC_STOP.search(rest)
        end = match.end() + (stop.start() if stop else len(rest))
        topic = _original(clause, match.end(), end).strip(" .,")
        while True:
            shorter = _TRAILING.sub("", _FILLER.sub("", topic.lower()))
            if shorter == topic.lower():
                break
            cut = topic.lower().find(shorter)
            topic = topic[cut : cut + len(shorter)]
        if topic and not re.fullmatch(r"⟨\d+⟩|" + "|".join(LANGUAGES), topic.lower()):
            return topic
    return None


def number(text: str) -> float | None:
    """A number written with digits (``1,000``, ``2.5``) or as a word (``five``)."""
    text = text.lower().replace(",", "")
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    try:
        return float(text)
    except ValueError:
        return None


def _int(text: str) -> int:
    value = number(text)
    return int(value) if value is not None else 0


def count_before(clause: Clause, nouns: str) -> int | None:
    """A count written before a noun: ``500 tweets``, ``the latest 200 threads``."""
    match = re.search(
        rf"(?<!top )\b{_NUM}\s+(?:(?:latest|newest|recent|most recent|new|random|english|\w+ish)\s+)?"
        rf"(?:[\w/-]+\s+)?(?:{nouns})\b",
        clause.text,
    )
    before = clause.text[: match.start()] if match else ""
    # (`a random sample of 40 threads`: how many are drawn, not searched for)
    if match and not re.search(r"\b(?:top|first|most)\s+$|\bsample\s+of\s+$", before):
        return _int(match.group(1))
    return None


def result_cap(clause: Clause, columns: Sequence[str]) -> int | None:
    """A cap on the results: ``max 50``, ``at most 20 results``, ``limit to 100``.

    Not a condition: ``at most 5 likes`` names a column of the rows after the number.
    """
    for match in re.finditer(
        rf"\b(?:max(?:imum)?|at most|up to|no more than|limit(?:ed)?(?: to| of)?|cap(?:ped)?(?: it)? at)"
        rf"\s+(?:of\s+)?{_NUM}\b(?:\s+({_COLUMN_WORD}))?"
        # `(1500 max)`, not the day of `2027-05-01 1500 max`; `250 of them`
        rf"|(?<![\d-])\b{_NUM}\s+(?:\w+\s+)?(?:max|tops|at most)\b|\b{_NUM}\s+of\s+them\b"
        # `a hundred is plenty`
        rf"|\b{_NUM}\s+(?:is|are|should be|would be|will be)\s+(?:plenty|enough)\b",
        clause.text,
    ):
        said = match.group(3) or match.group(4) or match.group(5)
        if said or match.group(2) not in columns:
            return _int(match.group(1) or said)
    return None


def since(clause: Clause) -> str | None:
    """An ISO date after *since*, *after* or *from*."""
    match = re.search(
        rf"\b(?:{SINCE_WORDS})\s+(?:the\s+)?(\d{{4}}-\d{{2}}-\d{{2}}(?:t[\d:]+z?)?)", clause.text
    )
    return (
        match.group(1).upper()
        if match and "t" in match.group(1)
        else (match.group(1) if match else None)
    )


def subreddit(clause: Clause) -> str | None:
    """``r/soccer`` or ``subreddit soccer`` → ``soccer`` (original case)."""
    match = re.search(r"\br/(\w+)|\bsubreddit\s+(\w+)", clause.original, re.IGNORECASE)
    if match is None:
        return None
    return match.group(1) or match.group(2)


def languages_in(text: str) -> list[str]:
    """The ISO 639-1 codes of the languages a text names, in order."""
    codes: list[str] = []
    for word in re.findall(r"[a-z]+", text):
        code = LANGUAGES.get(word)
        if code and code not in codes:
            codes.append(code)
    return codes


_LANGUAGE: Final = (
    r"(?:" + "|".join(sorted({*LANGUAGES, *LANGUAGES.values()}, key=len, reverse=True)) + r")\b"
)
_CANDIDATES: Final = re.compile(
    r"\b(?:among|between|one of|either|only ever|always|can (?:only )?be|could be|"
    r"choose from|choosing from|candidates?(?: are)?|possible(?: languages)?(?: are)?|"
    r"expected(?: languages)?(?: are)?)\s+(?:in\s+)?"
    rf"({_LANGUAGE}(?:\s*(?:,|/|or|and|&)\s*(?:or\s+|and\s+)?{_LANGUAGE})+)"
)


def language_candidates(text: str) -> list[str]:
    """The languages a detector should choose among: *it's only ever en, fr or de*."""
    match = _CANDIDATES.search(text)
    if match is None:
        return []
    codes: list[str] = []
    for word in re.findall(r"[a-z]+", match.group(1)):
        code = LANGUAGES.get(word, word)
        if code in LANGUAGES.values() and code not in codes:
            codes.append(code)
    return codes


def without_candidates(text: str) -> str:
    """The text without its list of candidate languages (they are not a filter)."""
    return _CANDIDATES.sub(" ", text)


_LIST: Final = rf"{_COLUMN_WORD}(?:\s*(?:,|/|&|\band\b)\s*(?:and\s+)?{_COLUMN_WORD})*"
_DRIFT_COLUMNS: Final = (
    # `in the price and quantity columns`, `columns: a, b`
    re.compile(rf"\b(?:in|of|for|on|over|across) the ({_LIST}) (?:columns?|fields?|features?)\b"),
    re.compile(rf"\b(?:columns?|fields?|features?)\s*[:,]?\s+(?:named\s+)?({_LIST})"),
    # `drift on tenure, monthly_charges and contract`
    # (not `drift check on the churn model's inputs`: a model's, not columns)
    re.compile(
        rf"\bdrift\w*\s+(?:\w+\s+)?(?:on|in|over|across|of|for)\s+(?:the\s+)?({_LIST})\b"
        # (nor `drift check for the elevator failure model`)
        r"(?!(?:\s+[\w-]+){0,2}\s*(?:model|pipeline|job|system|dataset|data)\b|'s\b|\u2019s\b)"
    ),
)
# `only compare visit_hour, session_minutes and member_age`: two names or more
_COMPARED_COLUMNS: Final = re.compile(
    rf"\bcompar\w*\s+(?:only\s+)?(?:the\s+)?"
    rf"({_COLUMN_WORD}(?:\s*(?:,|\u201a|/|&|\band\b)\s*(?:and\s+)?{_COLUMN_WORD})+)"
)
# `drifted only if more than 30% of them drift`, `a drift share of 0.5`
DRIFT_SHARE: Final = re.compile(
    r"\b(\d+(?:\.\d+)?)\s*%\s+of\s+(?:them|the\s+columns|(?:the\s+)?(?:compared\s+)?"
    r"(?:columns|features|fields))\b"
    r"|\bdrift[\s_]share\s*(?:of|=|:|is|to|above|over)?\s*(0?\.\d+|\d+\s*%)"
)
# `psi above 0.25`, `psi_threshold 0.3`, `p-value 0.01`, `p < 0.01`
_DRIFT_SETTINGS: Final = (
    (
        "psi_threshold",
        re.compile(
            r"\bpsi(?:[\s_]threshold)?\s*(?:of|=|:|is|>=?|above|over|at)?\s*(\d*\.\d+|\d+)\b"
        ),
    ),
    (
        "p_value",
        re.compile(
            r"\bp[\s_-]?value\s*(?:of|=|:|is|<=?|below|under|at)?\s*(0?\.\d+)\b"
            r"|\bp\s*(?:<=?|=)\s*(0?\.\d+)\b"
        ),
    ),
)
_NOT_DRIFT_COLUMNS: Final = frozenset(
    [
        "it",
        "them",
        "both",
        "data",
        "the",
        "rows",
        "dataset",
        "datasets",
        "files",
        "file",
        "all",
        "each",
        "every",
        "columns",
        "reference",
        "current",
        "new",
        "old",
        "this",
        "that",
        "these",
    ]
)


def drift_settings(text: str) -> dict[str, float]:
    """The thresholds a request gives a drift check (share, PSI, p-value)."""
    settings: dict[str, float] = {}
    share = DRIFT_SHARE.search(text)
    if share is not None:
        raw = (share.group(1) + "%") if share.group(1) else share.group(2).replace(" ", "")
        number = float(raw.rstrip("%"))
        settings["drift_share"] = round(number / 100 if raw.endswith("%") else number, 4)
    for name, pattern in _DRIFT_SETTINGS:
        if (match := pattern.search(text)) is not None:
            settings[name] = float(next(g for g in match.groups() if g))
    return settings


def drift_columns(text: str, *, compared: bool = False) -> list[str]:
    """The columns a drift check compares, when the text names them.

    ``compared``: only a list said after *compare* (for a clause other than the check's).
    """
    for pattern in (_COMPARED_COLUMNS,) if compared else (*_DRIFT_COLUMNS, _COMPARED_COLUMNS):
        match = pattern.search(text)
        if match is None:
            continue
        names = [c for c in re.split(r"\s*(?:,|\u201a|/|&|\band\b)\s*", match.group(1)) if c]
        names = [c for c in names if c not in ("and", "or")]
        if names and not any(c in _NOT_DRIFT_COLUMNS for c in names):
            return names
    return []


_ROW_NOUNS: Final = frozenset(
    [
        "rows",
        "records",
        "entries",
        "lines",
        "ones",
        "items",
        "posts",
        "tweets",
        "articles",
        "results",
        "values",
        "data",
        "them",
        "it",
        "the",
        "a",
        "row",
        "record",
        "entry",
        "line",
        "item",
        "post",
        "tweet",
        "article",
        "result",
        "value",
        "copies",
        "and",
        "or",
    ]
)


def duplicated_column(text: str) -> str | None:
    """The column a dedupe is on when it is the duplicated noun: *duplicate emails* → ``email``."""
    match = re.search(
        rf"\b(?:duplicated?|repeated)\s+({_COLUMN_WORD})\b|"
        rf"\bduplicates?\s+(?:in|of)\s+(?:the\s+)?({_COLUMN_WORD})\s+(?:column|field)\b",
        text,
    )
    if match is None:
        return None
    word = match.group(1) or match.group(2)
    if word in _ROW_NOUNS:
        return None
    if re.search(r"(?:ss|sh|ch|x)es$", word):
        return word[:-2]  # addresses → address
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def column_named(clause: Clause, known: Iterable[str]) -> str | None:
    """A column the clause names: ``the review column``, ``of the titles``, a known name."""
    for pattern in (
        rf"\b(?:the|a|its|their)\s+({_COLUMN_WORD})\s+(?:column|field)\b",
        rf"\b(?:column|field)\s+({_COLUMN_WORD})\b",
        rf"\b({_COLUMN_WORD})\s+(?:column|field)\b",
    ):
        match = re.search(pattern, clause.text)
        if match:
            return match.group(1)
    for name in known:
        if re.search(rf"\b(?:of|on|in) (?:the |their |its )?{name}s?\b", clause.text):
            return name
    # `run sentiment on review_text`: a name with an underscore is a column
    said = re.search(r"\b(?:of|on|in|over)\s+(?:the\s+)?([a-z][a-z0-9]*_[a-z0-9_]+)\b", clause.text)
    if said is not None:
        return said.group(1)
    if "title" in known and re.search(
        r"\b(?:of|on|in) (?:the |their |its )?headlines?\b", clause.text
    ):
        return "title"  # `embeddings of the headlines`
    return None


_COMPARE: Final = re.compile(
    rf"\b({_COLUMN_WORD})\s*(>=|<=|!=|<>|==|=|>|<)\s*('[^']*'|⟨\d+⟩|-?[\d.]+|{_COLUMN_WORD})"
)
_WORDY: Final = [
    (r"(?:more|greater|higher|bigger|larger|over|above) than", ">"),
    (r"over|above|more than", ">"),
    (r"at least|min(?:imum)?(?: of)?|or more", ">="),
    (r"(?:fewer|less|lower|smaller|under|below) than", "<"),
    (r"under|below", "<"),
    (r"at most|max(?:imum)?(?: of)?|or fewer|or less", "<="),
]
_NEGATE: Final = {
    ">": "<=",
    ">=": "<",
    "<": ">=",
    "<=": ">",
    "=": "!=",
    "!=": "=",
    "ILIKE": "NOT ILIKE",
}
_STATUS_WORDS: Final = frozenset(
    [
        "delivered",
        "cancelled",
        "canceled",
        "shipped",
        "pending",
        "returned",
        "refunded",
        "paid",
        "completed",
    ]
)


_NOT_COLUMNS: Final = frozenset(
    ["it", "that", "which", "this", "one", "ones", "what", "there", "with", "a", "than", "and"]
)
# words after a number that end the condition rather than name its column
_NOT_AFTER: Final = (
    "should",
    "must",
    "will",
    "would",
    "can",
    "could",
    "go",
    "goes",
    "get",
    "gets",
    "to",
    "and",
    "or",
    "are",
    "is",
    "then",
    "please",
)
_SCORED: Final = frozenset(["scoring", "scored", "scores", "rated", "rating"])
_LABEL_COLUMNS: Final = frozenset(["sentiment", "language", "lang", "label", "sentiment_label"])


def _add(parts: list[tuple[str, str, str]], column: str, op: str, sign: str, raw: str) -> None:
    amount = number(raw)
    if amount is None:
        shown = sign + raw
    else:  # `1,000,000` is 1000000 and `0.50` is 0.5 (not 1e+06, nor a rounded 1.23457e+06)
        shown = sign + (str(int(amount)) if amount.is_integer() else repr(amount))
    if not any(p[0] == column for p in parts):
        parts.append((column, op, shown))


def _literal(value: str, request: Request) -> str:
    placeholder = re.fullmatch(r"⟨(\d+)⟩", value)
    if placeholder:
        value = "'" + request.literals[int(placeholder.group(1))].value.replace("'", "''") + "'"
    return value


def condition(clause: Clause, request: Request, known: Sequence[str], *, negate: bool) -> list[str]:
    """SQL conditions a clause states over the columns (labels and languages aside).

    ``more than 100 likes`` → ``likes > 100``; ``quantity > 10`` as written; ``where status
    is delivered`` → ``status = 'delivered'``. ``negate`` flips each (for *drop*, *remove*).
    """
    parts: list[tuple[str, str, str]] = []
    text = clause.text
    for match in _COMPARE.finditer(text):
        op = {"==": "=", "<>": "!="}.get(match.group(2), match.group(2))
        parts.append((match.group(1), op, _literal(match.group(3), request)))
    noted: list[int] = []
    for words, op in _WORDY:
        # `orders over 500 (field amount_eur)`: the column named after the number
        for match in re.finditer(
            rf"\b(?:{words})\s+(-?){_NUM}(?![\d.])%?\s+(?:in\s+)?(?:the\s+)?(?:(?:field|column)\s+"
            rf"({_COLUMN_WORD})|({_COLUMN_WORD})\s+(?:field|column)\b|"
            # `under 120 eur a night (price_eur)`, `above 90% load (load_pct column)`: a
            # column in brackets after the unit
            r"(?:[a-z]+\s+){1,3}([a-z]+_[a-z0-9_]+)(?=\s*(?:,|$|(?:column|field)\b)))",
            text,
        ):
            noted.append(match.start(2))
            column = match.group(3) or match.group(4) or match.group(5)
            _add(parts, column, op, match.group(1), match.group(2))
    for words, op in _WORDY:
        # `more than 100 likes` and `likes above 100`, `a sentiment below -0.5`
        for match in re.finditer(rf"\b(?:{words})\s+(-?){_NUM}\s+(?:in\s+)?({_COLUMN_WORD})", text):
            if match.start(2) not in noted and match.group(3) not in _NOT_AFTER:
                _add(parts, match.group(3), op, match.group(1), match.group(2))
        for match in re.finditer(
            rf"\b({_COLUMN_WORD})\s+(?:is\s+|of\s+)?(?:{words})\s+(-?){_NUM}(?![\d.,])"
            rf"(?!\s*(?!(?:{'|'.join(_NOT_AFTER)})\b)[a-z])",
            text,
        ):
            column = match.group(1)
            if column in _SCORED or column in ("anything", "everything", "something"):
                # `anything scoring under -0.5`: the sentiment just scored, or a score
                column = "sentiment" if "sentiment" in known else "score"
            if column not in _NOT_COLUMNS and match.start(3) not in noted:
                _add(parts, column, op, match.group(2), match.group(3))
    for match in re.finditer(
        rf"\b({_COLUMN_WORD})\s+(?:(?:is|equals|of|=)\s+(not\s+)?|(isn't|isn\u2019t)\s+)"
        rf"('[^']*'|⟨\d+⟩|{_COLUMN_WORD})",
        text,
    ):
        column, value = match.group(1), match.group(4)
        if column in _NOT_COLUMNS or column in _LABEL_COLUMNS or value in _NULL_WORDS:
            continue
        if value in ("the", "a", "an", "our", "my", "their"):
            continue  # `where tok is the GITHUB_TOKEN secret`: says what it is
        if column not in known and not re.search(rf"\b(?:where|if|whose)\s+{column}\b", text):
            continue
        op = "!=" if match.group(2) or match.group(3) else "="
        if not any(p[0] == column for p in parts):
            parts.append((column, op, _literal(value, request) if "⟨" in value else f"'{value}'"))
    for match in _DATED.finditer(text):
        column = (
            "published" if "published" in known or match.group(1) == "published" else "created_at"
        )
        if "created_at" in known and "published" not in known:
            column = "created_at"
        parts.append((column, _DATE_OPS[match.group(2)], f"'{match.group(3)}'"))
    parts += _contains(text, request, known)
    # `accounts without usage stay in` when joining: rows of the join, not a column
    joins = re.search(r"\b(?:join\w*|merg\w*|combin\w*|match\w*)\b", text) is not None
    nulls = [] if joins else _nulls(text, known)
    if not parts:
        for word in re.findall(r"[a-z]+", text):
            if word in _STATUS_WORDS:
                parts.append(("status", "=", f"'{word}'"))
                break
    fixed = []
    for column, op, value in parts:
        value = value if value.startswith("'") or _is_number(value) else f"'{value}'"
        if negate:
            op = _NEGATE.get(op, op)
        fixed.append(f"{column} {op} {value}")
    # `drop the rows that have no email`: the verb drops, the phrase says missing
    dropped = re.search(r"\b(?:drop|remove|exclude|discard|get rid of|skip)\b", text) is not None
    fixed += [
        f"{column} IS {'' if missing != dropped else 'NOT '}NULL" for column, missing in nulls
    ]
    return fixed


# `published on or after 2026-12-20`: a date condition on the rows' date
_DATED: Final = re.compile(
    r"\b(published|posted|created|dated|sent|written)\s+(on or after|after|before|"
    r"on or before|until)\s+(\d{4}-\d{2}-\d{2})\b"
)
_DATE_OPS: Final = {
    "on or after": ">=",
    "after": ">",
    "before": "<",
    "on or before": "<=",
    "until": "<=",
}
_NULL_WORDS: Final = frozenset(["null", "empty", "missing", "blank"])
_TEXT_COLUMNS: Final = frozenset(
    ["title", "text", "body", "content", "description", "summary", "subject", "headline", "name"]
)
_CONTAINS: Final = r"(?:mentions?|mentioning|contains?|containing|includes?|including|has|have)"
_NULL_NOUNS: Final = frozenset(
    ["value", "data", "match", "from", "in", "the", "any", "more", "less", "reason", "duplicate"]
)


def _contains(text: str, request: Request, known: Sequence[str]) -> list[tuple[str, str, str]]:
    """``title mentions kubernetes``, ``text containing 'gpu'``: a case-insensitive match."""
    value = r"('[^']*'|⟨\d+⟩|[a-z0-9][\w.+#-]*)"
    found = []
    for match in re.finditer(
        rf"\b(?:(?:whose|where|if|when)\s+(?:the\s+|its\s+|their\s+)?)?({_COLUMN_WORD})\s+"
        rf"(?:column\s+|field\s+)?{_CONTAINS}\s+(?:the\s+(?:word|term)\s+)?{value}",
        text,
    ):
        column = match.group(1)
        introduced = re.match(r"(?:whose|where|if|when)\b", match.group(0)) is not None
        if introduced or column in known or column in _TEXT_COLUMNS:
            found.append((column, match.group(2)))
    # `posts mentioning gpu in the title`
    for match in re.finditer(
        rf"\b{_CONTAINS}\s+{value}\s+in\s+(?:the|its|their)\s+({_COLUMN_WORD})\b", text
    ):
        found.append((match.group(2), match.group(1)))
    parts = []
    for column, raw in found:
        word = _literal(raw, request).strip("'") if raw.startswith("⟨") else raw.strip("'")
        if word in ("a", "an", "the", "no", "any") or column in _NOT_COLUMNS:
            continue
        parts.append((column, "ILIKE", "'%" + word.replace("'", "''") + "%'"))
    return parts


def _nulls(text: str, known: Sequence[str]) -> list[tuple[str, bool]]:
    """Columns said to be missing (``that have no email``) or set (``email is not empty``)."""
    found: list[tuple[str, bool]] = []
    for match in re.finditer(
        rf"\b(?:(?:have|has)\s+no\s+|with\s+no\s+|without\s+(?:an?\s+|any\s+)?|"
        rf"missing\s+(?:an?\s+|the\s+|their\s+|its\s+)?)({_COLUMN_WORD})\b"
        rf"(?!\s+(?:matching|match|corresponding|in|from|at)\b)",
        text,
    ):
        found.append((match.group(1), True))
    for match in re.finditer(
        rf"\b({_COLUMN_WORD})\s+(?:is|are)\s+(not\s+)?(?:null|empty|missing|blank)\b", text
    ):
        found.append((match.group(1), match.group(2) is None))
    for match in re.finditer(rf"\bnon-?(?:empty|null|blank)\s+({_COLUMN_WORD})\b", text):
        found.append((match.group(1), False))
    return [
        (column, missing)
        for column, missing in found
        if column not in _NOT_COLUMNS
        and column not in _NULL_NOUNS
        and column.isidentifier()
        and (column in known or not column.endswith("s"))
    ]


def _is_number(value: str) -> bool:
    return number(value) is not None and not value.isalpha()


_NOT_SORT_COLUMNS: Final = frozenset(["one", "ones", "number", "amount", "value", "values"])
# `the most retweets`: the column a count noun names
_SORT_NOUNS: Final = {
    "likes": "likes",
    "upvotes": "likes",
    "retweets": "reposts",
    "reposts": "reposts",
    "shares": "reposts",
    "comments": "comments",
    "replies": "comments",
}
_SORT_ADJECTIVES: Final = {
    "liked": "likes",
    "popular": "likes",
    "upvoted": "likes",
    "reposted": "reposts",
    "shared": "reposts",
    "retweeted": "reposts",
    "commented": "comments",
    "recent": "created_at",
    "newest": "created_at",
    "latest": "created_at",
    "oldest": "created_at",
    "negative": "sentiment",
    "positive": "sentiment",
    "expensive": "price",
    "priciest": "price",
    "cheapest": "price",
}
_DESCENDING_COLUMNS: Final = frozenset(["likes", "reposts", "comments", "score"])


def sort_spec(clause: Clause) -> tuple[str | None, bool, int | None] | None:
    """``(by, descending, limit)`` when the clause sorts or takes a top N, else None."""
    text = clause.text
    by: str | None = None
    limit: int | None = None
    descending = bool(
        re.search(r"\b(?:desc|descending|biggest|largest|highest|most|top|best|reverse)\b", text)
    )
    match = re.search(
        rf"\b(?:sort(?:ed)?|order(?:ed)?|rank(?:ed)?)\s+(?:\w+\s+)?by\s+({_COLUMN_WORD})", text
    )
    if match is None:
        match = re.search(rf"\b(?:by|on)\s+({_COLUMN_WORD})(?:\s+(?:desc|asc)\w*)?\s*$", text)
        if match and not re.search(r"\b(?:top|first|most|sort|order|rank)", text):
            match = None
    if match:
        by = match.group(1)
    else:
        # `top 10 stores by revenue_eur in ⟨0⟩`
        ranked = re.search(
            rf"\b(?:top|first|best|bottom)\s+{_NUM}\s+(?:[a-z_]+\s+){{0,2}}?by\s+({_COLUMN_WORD})",
            text,
        )
        by = ranked.group(2) if ranked else None
    adjective = re.search(
        r"\b(?:most|least)\s+(\w+)|\b(newest|latest|oldest|most recent|cheapest|priciest)\b", text
    )
    # `newest work_date first`: the date column named
    dated = re.search(r"\b(newest|latest|oldest|earliest)\s+([a-z]\w*_\w+)\s+first\b", text)
    if dated is not None and by is None:
        by, adjective = dated.group(2), None
        descending = dated.group(1) in ("newest", "latest")
    if adjective:
        word = (adjective.group(1) or adjective.group(2)).split()[-1]
        named = word if "_" in word else None  # `the 15 with the most helpful_votes`
        by = by or _SORT_ADJECTIVES.get(word) or _SORT_NOUNS.get(word) or named
        descending = descending or word in ("newest", "latest", "recent", "priciest")
        if adjective.group(0).startswith("least") or word == "oldest":
            descending = False
        if word == "negative":  # the most negative first: the lowest sentiment first
            descending = adjective.group(0).startswith("least")
    superlative = re.search(
        rf"\b(?:with|by|of)\s+the\s+(highest|lowest|biggest|largest|smallest|greatest)\s+"
        rf"({_COLUMN_WORD})\b",
        text,
    ) or re.search(
        # `highest interview_score first`
        rf"\b(highest|lowest|biggest|largest|smallest|greatest)\s+({_COLUMN_WORD})\s+first\b",
        text,
    )
    if by is None and superlative and superlative.group(2) not in _NOT_SORT_COLUMNS:
        by = _SORT_NOUNS.get(superlative.group(2), superlative.group(2))
        descending = superlative.group(1) not in ("lowest", "smallest")
    top = re.search(
        rf"\b(?:top|first|best|(?<!at )most|latest|newest|most recent)\s+{_NUM}\b"
        rf"|{_NUM}\s+(?:most|least|top|best|latest|newest)\b"
        # `the 25 with the most likes`, `the 10 posts with the highest score`
        rf"|\bthe\s+{_NUM}\s+(?:\w+\s+)?with\s+the\s+(?:most|least|fewest|highest|lowest|"
        r"biggest|largest|smallest)\b",
        text,
    )
    if top:
        limit = _int(top.group(1) or top.group(2) or top.group(3))
    if by is None and limit is None and not re.search(r"\b(?:sort|order)", text):
        return None
    if re.search(r"\b(?:asc|ascending|smallest|lowest|cheapest)\b", text):
        descending = False
    elif by in _DESCENDING_COLUMNS:
        descending = True
    return by, descending, limit


def group_by(clause: Clause) -> list[str]:
    """The columns after *per* / *by* / *for each* / *grouped by*."""
    match = re.search(
        rf"\b(?:per|by|for each|for every|each|grouped by|group by)\s+((?:{_COLUMN_WORD})"
        rf"(?:\s*(?:,|\band\b)\s*{_COLUMN_WORD})*)",
        clause.text,
    )
    if match is None:
        return []
    # `per brand and region`: `and` is a word (not the end of `brand`)
    return [c for c in re.split(r"\s*(?:,|\band\b)\s*", match.group(1)) if c and c != "the"]


def mentions_source(text: str) -> bool:
    """Whether a clause names a social or news source."""
    return _SOURCE_NOUNS.search(text) is not None
