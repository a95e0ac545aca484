"""Reading a request: literals kept aside, everyday typos fixed, the text cut into clauses.

Quoted strings, URLs and file paths are taken out first (they may hold commas, dots and
the word *and*) and replaced by placeholders such as ``⟨0⟩``; the rest is cut where a
new instruction starts: at commas, semicolons, full stops, arrows, *then*, and at *and*
when a verb follows (*keep the negative ones and save them* is two clauses, *twitter
and reddit* is one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from odp.agent.offline.words import plain_words

__all__ = ["NAME_LIST", "Clause", "Literal_", "Request", "read_request", "split_names"]

LiteralKind = Literal["quote", "url", "db", "path"]

_TYPOS: Final = {
    "twiter": "twitter",
    "twitt": "twitter",
    "twtter": "twitter",
    "tweats": "tweets",
    "redit": "reddit",
    "reddti": "reddit",
    "abt": "about",
    "bout": "about",
    "u": "you",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "sentimnet": "sentiment",
    "sentimet": "sentiment",
    "langauge": "language",
    "lanugage": "language",
    "artciles": "articles",
    "aritcles": "articles",
    "dedup": "dedupe",
    "dupes": "duplicates",
    "csvs": "csv",
    "w/": "with",
    "teh": "the",
    "hte": "the",
    "adn": "and",
    "wiht": "with",
    "taht": "that",
    "frmo": "from",
    "recieve": "receive",
    "adresses": "addresses",
    "higest": "highest",
    "adress": "address",
    "actualy": "actually",
    "seperate": "separate",
    "comming": "coming",
}
_WORD: Final = re.compile(r"(?<![\w/.])([A-Za-z]+/?)(?![\w/.])")
_QUOTE: Final = re.compile(r"\"([^\"]+)\"|“([^”]+)”|(?<![\w'])'([^']+)'(?![\w'])")
_DB_SCHEME: Final = r"\b(?:sqlite|postgres(?:ql)?|mysql|duckdb|mssql)(?:\+\w+)?://"
_DB_URL: Final = re.compile(_DB_SCHEME + r"[^\s,;()\"']+")
_URL: Final = re.compile(r"\bhttps?://[^\s,;()\"'<>]+")
# `FROM print_jobs on {{ secrets.PRINTSHOP_DB }}`: a database whose URL is a secret
_DB_SECRET: Final = re.compile(
    r"(?:(?<=\bon\s)|(?<=\bfrom\s)|(?<=\bin\s)|(?<=\bdb\s)|(?<=\bdatabase\s)"
    # `our app db ({{ secrets.APP_DB }})`, or a secret named for a database anywhere
    r"|(?<=\bdb\s\()|(?<=\bdatabase\s\()|(?=\{\{\s*secrets\.\w*?(?:db|database|dsn)\w*\s*\}\}))"
    r"\{\{\s*secrets\.[A-Za-z_]\w*\s*\}\}",
    re.IGNORECASE,
)
_PATH: Final = re.compile(
    r"(?<![\w/.@#-])(?:[\w.*-]+/)*[\w*-]+\.(?:csv|tsv|parquet|pq|jsonl|ndjson|json|db)\b"
    r"|(?<![\w/.@#-])(?:\./|~/|/)?(?:data|out|output|exports?|tmp)/[\w./*-]+"
    # object stores and file URLs (`s3://bucket/chats/x.jsonl`)
    r"|\b(?:s3a?|gs|gcs|az|abfss?|file)://[\w./*=@-]+"
)
_SQL: Final = re.compile(
    # (` - interval '1 hour'`, ` - 7` are SQL, not a dash that ends it)
    r"\bselect\s.+?\bfrom\b.*?(?=\s+--\s|\s+-\s(?!\s*(?:interval\b|\d|[a-z_]\w*\s*\())|\s+-$|"
    r",?\s+and then\b|,\s+then\b|\s+(?:on|against)\s+⟨\d+⟩|"
    r",?\s+and (?:save|write|store|export)\b|;|$|"
    # the database it runs on said in words (`SELECT ... on the warehouse db`)
    r"\s+(?:on|in|against)\s+(?:the|our)\s+[\w-]+\s+(?:db|database)\b|"
    # the values of its bound params said after it (`... = :since with since = 2026-11-01`)
    r"\s+(?:with|using|binding)\s+:?[a-z_]\w*\s*=(?!=)|"
    # a sentence after it (`... :end. bind start to ...`), or another query named
    # (`reference = SELECT ..., current = SELECT ...`)
    r"\.(?=\s+[A-Za-z])|,\s*[a-z_]\w*\s*(?:=|:)\s*(?=select\b)|"
    # `... < :cutoff, with cutoff bound to 2027-04-01`
    r",?\s+(?:with|binding)\s+:?[a-z_]\w*\s+(?:bound\s+to|set\s+to|as)\s|"
    # a new instruction after a comma (`FROM t, embed the body`); `count(*)` is SQL
    r",\s+(?:save|write|store|export|keep|sort|embed|cluster|score|detect|count|join|dedupe|"
    r"filter|send|post|train|merge|combine|pull|extract|tag|translate|flag|classify|predict|"
    r"find|grab|drop|remove|upload|push|dump|label|deduplicate|compare|fetch|take)\b(?!\s*\()|"
    # the database it runs on (`SELECT ... FROM t against sqlite:///app.db`) is not SQL
    # or in brackets after it (`SELECT * FROM t (postgresql://...)`)
    r"\s+(?:(?:against|on|in|from|at|using|over|via|with)\s+(?:[\w-]+\s+){0,3})?\(?"
    + _DB_SCHEME
    + ")",
    re.IGNORECASE,
)
_BOUNDARY: Final = re.compile(
    r"\s*(?:(?<!\d),|,(?!\d{3}\b)|;|:(?=\s|$)|\.(?=\s|$)|(?<=\s)[-\u2013\u2014](?=\s)|->|→|=>|\bthen\b|\bafter that\b|\bafterwards\b|\band also\b)\s*"
)
VERBS: Final = frozenset(
    [
        "save",
        "saves",
        "write",
        "writes",
        "export",
        "exports",
        "store",
        "stores",
        "dump",
        "put",
        "send",
        "post",
        "push",
        "keep",
        "keeps",
        "only",
        "filter",
        "drop",
        "remove",
        "exclude",
        "detect",
        "score",
        "run",
        "runs",
        "get",
        "find",
        "count",
        "sort",
        "order",
        "rank",
        "join",
        "merge",
        "combine",
        "cluster",
        "embed",
        "extract",
        "train",
        "fetch",
        "read",
        "load",
        "compare",
        "check",
        "give",
        "take",
        "pull",
        "grab",
        "add",
        "compute",
        "figure",
        "tell",
        "upload",
        "output",
        "report",
        "dedupe",
        "deduplicate",
        "sample",
        "select",
        "average",
        "sum",
        "total",
        "return",
        "show",
        "list",
        "convert",
        "also",
        "then",
        "search",
        "look",
    ]
)


@dataclass(frozen=True, slots=True)
class Literal_:
    """A literal taken out of the request: a quoted string, a URL, a database URL, a path."""

    kind: LiteralKind
    value: str
    raw: str = ""
    """The literal as written, quotes included (put back into SQL that contains it)."""


@dataclass(frozen=True, slots=True)
class Clause:
    """One instruction of the request.

    Attributes:
        text: the clause in lower case, literals replaced by ``⟨n⟩`` placeholders.
        original: the same clause in its original case (for values such as queries).
        index: the clause's position in the request.
        item: whether it starts an item of a numbered list (`three things: 1) ... 2) ...`).
    """

    text: str
    original: str
    index: int
    item: bool = False

    def literals(self, request: Request, *kinds: LiteralKind) -> list[tuple[int, Literal_]]:
        """The literals in this clause (of the given kinds), with their offsets."""
        found = []
        for match in re.finditer(r"⟨(\d+)⟩", self.text):
            literal = request.literals[int(match.group(1))]
            if not kinds or literal.kind in kinds:
                found.append((match.start(), literal))
        return found

    def shown(self, request: Request) -> str:
        """The clause as the person wrote it: placeholders put back to their literals."""

        def restore(match: re.Match[str]) -> str:
            literal = request.literals[int(match.group(1))]
            return f"'{literal.value}'" if literal.kind == "quote" else literal.value

        shown = re.sub(r"\s*⟨(\d+)⟩\s*", lambda m: f" {restore(m)} ", self.original).strip()
        return shown.replace(LIST_COMMA, ",")


@dataclass(slots=True)
class Request:
    """A request read for planning: its clauses and the literals they point at."""

    original: str
    clauses: list[Clause] = field(default_factory=list)
    literals: list[Literal_] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole request, lower case, with placeholders."""
        return " , ".join(c.text for c in self.clauses)


def _fix_typos(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        word = match.group(1)
        return _TYPOS.get(word.lower(), word)

    return _WORD.sub(fix, text)


def _sql_end(sql: str) -> int:
    """Where SQL written in brackets ends: at the bracket that closes more than it opened."""
    depth = 0
    for i, char in enumerate(sql):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return i
    return len(sql)


def _take_sql(text: str, literals: list[Literal_]) -> str:
    """Unquoted SQL taken out as quotes: ``(SELECT * FROM t) joined to ...`` ends at ``)``."""
    pos = 0
    while match := _SQL.search(text, pos):
        end = match.start() + _sql_end(match.group(0))
        # quoted strings inside the SQL (`WHERE d >= '2026-11-01'`) go back as written
        sql = re.sub(
            r"\s*⟨(\d+)⟩\s*",
            lambda m: f" {literals[int(m.group(1))].raw or literals[int(m.group(1))].value} ",
            text[match.start() : end],
        )
        literals.append(Literal_("quote", sql.strip()))
        placeholder = f" ⟨{len(literals) - 1}⟩ "
        text = text[: match.start()] + placeholder + text[end:]
        pos = match.start() + len(placeholder)
    return text


def _take_literals(text: str, literals: list[Literal_]) -> str:
    def keep(kind: LiteralKind) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            value = next(g for g in match.groups() if g) if match.groups() else match.group(0)
            value = value.strip()
            after = ""
            if kind in ("url", "db", "path"):
                stripped = value.rstrip(".,!?:")
                # a sentence's full stop (`... /claims. Compare only ...`) still ends it
                after = "." if value[len(stripped) :] == "." else ""
                value = stripped
            literals.append(Literal_(kind, value, match.group(0)))
            return f" ⟨{len(literals) - 1}⟩{after} "

        return replace

    text = _QUOTE.sub(keep("quote"), text)
    text = _DB_SECRET.sub(keep("db"), text)
    text = _take_sql(text, literals)
    text = _DB_URL.sub(keep("db"), text)
    text = _URL.sub(keep("url"), text)
    return _PATH.sub(keep("path"), text)


# the items of a numbered list: `three things: 1) upsert ...; 2) ...`, `(a) ...`, `2. ...`
_ITEM: Final = re.compile(
    r"(?:^|(?<=[:;\n])|(?<=[:;,.\n]\s))\s*(?:\(?\d{1,2}\)|\d{1,2}\.(?=\s)|\([a-h]\)|(?<!\w)[a-h]\))\s+"
)
_ITEM_MARK: Final = "\u00a7"
_AGGREGATES: Final = frozenset(["total", "average", "count", "sum", "mean"])
_AGGREGATE_BEFORE: Final = re.compile(
    r"\b(?:number of|count of|how many|average|avg|mean|sum of|total|per)\b", re.IGNORECASE
)


def _split_on_and(part: str) -> list[str]:
    """Cut at *and* / *&* when the next word is a verb (a new instruction)."""
    pieces: list[str] = []
    start = 0
    for match in re.finditer(r"\s+(?:and|&)\s+(\w+)", part):
        if match.group(1).lower() in _AGGREGATES and _AGGREGATE_BEFORE.search(
            part[start : match.start()]
        ):
            continue  # `the number of distinct buyers and total sales`: one list of measures
        if re.search(r"\u201a\s*[A-Za-z_]\w*$", part[start : match.start()]):
            continue  # `only order_id, status and total`: the last name of a list
        if match.group(1).lower() in VERBS:
            pieces.append(part[start : match.start()])
            start = match.end() - len(match.group(1))
    pieces.append(part[start:])
    return pieces


def _join_lists(text: str, literals: list[Literal_]) -> str:
    """A list of URLs or paths stays one clause: ``these feeds: ⟨0⟩, ⟨1⟩`` is ``⟨0⟩ and ⟨1⟩``.

    The colon that introduces the list, and the commas between items of one kind, are no
    boundaries; a path after a URL (``⟨0⟩, out/x.csv``) still starts a clause.
    """

    def kind(number: str) -> LiteralKind:
        return literals[int(number)].kind

    def introduce(match: re.Match[str]) -> str:
        return " " if kind(match.group(1)) in ("url", "path") else match.group(0)

    def join(match: re.Match[str]) -> str:
        first, second = kind(match.group(1)), kind(match.group(2))
        same = first == second and first in ("url", "path")
        return f"⟨{match.group(1)}⟩ and " if same else match.group(0)

    text = re.sub(r"(?<=\w):\s+(?=⟨(\d+)⟩)", introduce, text)
    pattern = r"⟨(\d+)⟩\s*,\s*(?:and\s+)?(?=⟨(\d+)⟩)"
    while (joined := re.sub(pattern, join, text)) != text:
        text = joined
    return text


LIST_COMMA: Final = "\u201a"
"""Stands for the comma inside a list of column names (see ``_keep_column_lists``)."""
NAME_LIST: Final = r"[a-z_]\w*(?:\u201a\s*[a-z_]\w*)+(?:\s+and\s+[a-z_]\w*)?"
"""A list of names kept together: ``id, title and url`` with low commas (a pattern; see ``split_names``)."""
_WORD_LIST: Final = r"[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+\s*,?\s*(?:and|&)\s+[A-Za-z_]\w*"
_COLUMN_LISTS: Final = (
    # `keep just listing_id, neighbourhood and rating`, `with only id, title and url`
    re.compile(rf"\b(?:just|only)\s+(?:the\s+)?({_WORD_LIST})"),
    # `leave sku, price and scored_at out`, `ignore id, email and name`
    re.compile(rf"\b(?i:leav\w*|ignor\w*|exclud\w*|skip\w*)\s+(?:the\s+)?({_WORD_LIST})"),
    # `write url, title and language to out/x.csv`: the columns written
    re.compile(
        rf"\b(?i:write|save|export|output)\s+(?:the\s+|only\s+|just\s+)?({_WORD_LIST})"
        r"(?=\s+(?:to|into|in|as)\b)"
    ),
    # `one row per (user_id, event_id)`
    re.compile(r"\(\s*([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+)\s*\)"),
    # `the id, full_name and signup_dt columns`
    re.compile(rf"\b({_WORD_LIST})(?=\s+(?:columns|fields)\b)"),
    # `columns id, name and email`, `renamed to id, name and signed_up_at`
    re.compile(
        rf"\b(?:columns|fields|renam\w*(?:\s+(?:them|those|these))?\s+(?:to|as)|"
        rf"call(?:ed)?\s+(?:them|those|these))\s+({_WORD_LIST})"
    ),
)


def split_names(names: str) -> list[str]:
    """``id, name and email`` → ``[id, name, email]``."""
    return [c for c in re.split(r"\s*(?:,|\u201a|\band\b|&)\s*", names) if c]


def _keep_column_lists(text: str) -> str:
    """A list of column names stays in one clause: its commas become LIST_COMMA (U+201A).

    The low comma is no clause boundary, and :meth:`Clause.shown` puts the comma back.

    New names said after a comma (``..., renamed to a, b and c``) stay with the columns.
    """
    text = re.sub(
        r",\s*(?=(?:and\s+)?(?:renam\w*|call(?:ed)?\s+(?:them|those|these))\b)", " ", text
    )
    for pattern in _COLUMN_LISTS:
        text = pattern.sub(
            lambda m: m.group(0).replace(
                m.group(1), re.sub(r"\s*,\s*", f"{LIST_COMMA} ", m.group(1))
            ),
            text,
        )
    return text


def read_request(
    request: str,
    *,
    stands_alone: Callable[[Clause, Request], bool] | None = None,
    today: dt.date | None = None,
) -> Request:
    """Take the literals out of a request and cut it into clauses.

    Args:
        request: the request as written.
        stands_alone: whether a short piece is an instruction of its own; a piece of a
            few words that is not (``email and city`` in *the columns name, email and
            city*) goes back to the clause before it.
        today: the day relative dates count back from (*the last 7 days*); default:
            today in UTC.
    """
    read = Request(original=request)
    said = _fix_typos(_take_literals(request, read.literals))
    said = _ITEM.sub(f" ; {_ITEM_MARK} ", said)
    said = re.sub(r"(?i)\bre:\s+", "about ", said)  # `covering re: wildfire smoke`
    text = _join_lists(plain_words(said, today or dt.datetime.now(dt.UTC).date()), read.literals)
    text = _keep_column_lists(text)
    text = text.replace("(", " ").replace(")", " ")
    # a question or an exclamation ends a sentence (`...about quantization? save them`)
    text = re.sub(r"[?!]+(?=\s|$)", ". ", text).replace("?", " ").replace("!", " ")
    for part in _BOUNDARY.split(text):
        for piece in _split_on_and(part):
            item = piece.lstrip().startswith(_ITEM_MARK)
            original = " ".join(piece.replace(_ITEM_MARK, " ").split())
            if not original:
                continue
            clause = Clause(original.lower(), original, len(read.clauses), item)
            short = len(original.split()) <= 4
            if read.clauses and short and stands_alone and not stands_alone(clause, read):
                last = read.clauses.pop()
                original = f"{last.original}, {original}"
                clause = Clause(original.lower(), original, last.index)
            read.clauses.append(clause)
    return read
