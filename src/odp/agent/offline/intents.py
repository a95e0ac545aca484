"""What each clause asks for: intents such as *search twitter*, *score sentiment*, *save as CSV*.

An intent names the kind of step and carries what the clause says about it; the chain
builder (:mod:`odp.agent.offline.chain`) turns intents into steps, one after the other.
Intents of a clause come in the order a pipeline needs them: sources first, then the
rest in the order they are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from odp.agent.offline.clauses import NAME_LIST, Clause, Request
from odp.agent.offline.slots import (
    DOTTED_KEYS,
    LANGUAGES,
    SEMI,
    SINCE_WORDS,
    language_candidates,
    query,
)

__all__ = [
    "FORMATS",
    "ONE_PER",
    "Intent",
    "clause_intents",
    "file_format",
    "literal_written",
    "says_records",
]

FORMATS: Final = {
    "csv": "csv",
    "tsv": "csv",
    "spreadsheet": "csv",
    "excel": "csv",
    "parquet": "parquet",
    "pq": "parquet",
    "jsonl": "jsonl",
    "ndjson": "jsonl",
    "json": "jsonl",
    "json lines": "jsonl",
}
_WRITE: Final = re.compile(
    r"\b(?:save|saved|saving|write|written|writing|export|exported|dump|put|persist|upload|"
    r"upsert|insert)\w*\b"
    # `replace the contents of reporting.x with the result`
    r"|\breplace\s+(?:the\s+)?(?:contents?|rows|data)\s+(?:of|in)\b"
    # `store` and `output` are nouns too: `per store`, `the output`
    # (`store_id` is a column)
    r"|(?<!per )(?<!by )(?<!each )(?<!the )(?<!a )(?<!every )(?<!of )(?<!\d )"
    r"\b(?:store|stored|storing|output|outputted|outputting)\b"  # (not `battery storage`)
    # `a token stored in the CRM_TOKEN secret`: where a secret is kept, no write
    r"(?!\s+(?:in|as|under)\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+)?(?:secret|env|environment|vault)\b)"
)
_THIRD_PERSON: Final = re.compile(
    r"(?:dumps|writes|exports|saves|outputs|stores|puts|uploads|persists)\b"
)
# `which language each review is written in`: how a text was written, not a write
_PASSIVE: Final = re.compile(r"written\b(?!\s+(?:to|into|out|as)\b)")
# `put the berlin and paris store sales together`: combined, not written (nor stored)
_PUT_TOGETHER: Final = re.compile(r"put\b(?:\s+[\w'⟨⟩]+){0,8}?\s+together\b")
_BE: Final = re.compile(r"\b(?:is|are|was|were|been|being)\s+$")
_READ: Final = re.compile(
    r"\b(?:read|load|open|import|ingest|from|in|of|using|scan|compare|against|versus|vs|join|"
    r"merge|combine|with)\b"
)
_NOUN_BEFORE: Final = re.compile(
    r"\b(?:the|a|an|this|that|my|our|csv|tsv|parquet|jsonl|ndjson|json|sql|db|database)\s+$"
)
# `the union catalogue export ⟨1⟩ repeats ...`, `the inbox export is ⟨0⟩`: an export, the noun
_NOUN_EXPORT: Final = re.compile(
    r"\b(?:the|our|this|an?)\s+(?:[\w'\u2019-]+\s+){0,5}(?:export|dump)(?:\s+is)?\s*$|"
    # `Car wash reviews export: data/x.jsonl`, a clause naming its file
    r"^(?!(?:please|pls|and|then|just|also|now|so|can|could|would|kindly|i|we)\b)"
    r"(?:[\w'\u2019-]+\s+){1,5}(?:export|dump)(?:\s+is)?\s*$"
)
_INTO_FILE: Final = re.compile(
    r"\binto\s+(?:a\s+|an\s+|one\s+|the\s+)?(?:(?:single|new|combined|merged)\s+)?"
    r"(?:(?:csv|parquet|jsonl|json)\s+)?(?:file|dataset|output)?\s*$"
)
# `add department info to data/employees.csv`: the rows that get the columns (read)
_ATTACH: Final = re.compile(
    r"\b(?:(?:add|bring|append)\s+(?:the\s+|their\s+|its\s+)?(?:\w+\s+)?"
    r"(?:info|information|details|columns?|fields|attributes)|attach\w*|enrich\w*)\b"
    r"(?!.*\b(?:to|onto)\b.*\b(?:to|onto)\b)"
)
_TO: Final = re.compile(r"\b(to|into|as|at|in)\s+(?:a\s+|the\s+|both\s+)?(?:\w+\s+)?$")
_PLATFORMS: Final = [
    ("social.twitter.search", re.compile(r"\b(?:twitter|tweets?|tweeting|tweeted|x\.com|on x)\b")),
    ("social.reddit.search", re.compile(r"\b(?:reddit|subreddit)\b|\br/\w+")),
    (
        "news.articles.search",
        re.compile(
            r"\bnews\b|\b(?:articles?|headlines)\b(?=\s+(?:about|on|mentioning|regarding|for|⟨))"
            # `how many articles did each outlet publish on ...`
            r"|\barticles?\b(?=.*\b(?:outlets?|newspapers?|publications?|publishers?)\b)"
            # `press coverage of ...`, `what the press wrote about ...`: the news
            r"|\b(?:press|media)\s+(?:coverage|reports?|reporting|articles?|stories)\b"
            r"|\b(?:the|in the)\s+press\b|\bpress\s+(?=about|on|covering|mentioning|⟨)"
        ),
    ),
]
_SELECT: Final = re.compile(r"\s*\(?\s*(?:select|with)\s", re.IGNORECASE)
_TABLE_READ: Final = re.compile(
    r"\b(?:from|read|load|pull|get|fetch|query|dump|export|copy|take|grab|scan|on|over|using)\s+"
    r"(?:(?:everything|all(?: of)?(?: the)?(?: rows)?|the rows|the whole|the entire|every row)\s+)?"
    r"(?:(?:from|in|of)\s+)?(?:the\s+)?"
    r"(?:table\s+(?:named\s+|called\s+)?([a-z_][\w.]*)|([a-z_][\w.]*)\s+table)\b"
)
_NOT_TABLES: Final = frozenset(
    ["a", "an", "the", "this", "that", "one", "same", "whole", "entire", "in", "of", "on", "from"]
)
_RECORDS: Final = re.compile(
    r"\b(?:records?(?:_path)?|rows|list|array|entries|items|results|data)\s+"
    r"(?:(?:is|are|sits?|lives?|comes?|can be found|is found|are found)\s+)?"
    r"(?:under|in|at|inside)\s+(?:the\s+)?(?:(?:key|field|path|property)\s+)?"
    r"([a-z_]\w*(?:\.\w+)*)\b(?!\s+(?:a|the|this|that)\b)"
)
# `they sit under payload.stations in the response`: said of the records by a pronoun or
# their noun; a dotted path, or a key said to be in the response
_RECORDS_SAID: Final = re.compile(
    r"\b(?:(?:they|these|those|the\s+\w+|each\s+\w+)\s+"
    r"(?:sits?|lives?|are|is|comes?|can be found|are found|are listed|are kept)"
    r"|they(?:'|\u2019)re(?:\s+(?:listed|kept|found))?)\s+"
    r"(?:under|at|inside|in)\s+(?:the\s+)?(?:(?:key|field|path|property)\s+)?"
    r"([a-z_]\w*(?:\.\w+)+|[a-z_]\w*(?=\s+(?:of|in)\s+the\s+(?:response|json|payload|body|answer)))"
)
# `(issues are in the issues key)`: the key said after its name
_RECORDS_KEY: Final = re.compile(
    r"\b[a-z_]+\s+(?:are|is|sit|live|come)\s+(?:in|under|inside)\s+(?:the\s+)?"
    r"([a-z_]\w*(?:\.\w+)*)\s+(?:key|field|property|array|attribute)\b"
)
_RECORDS_QUOTED: Final = re.compile(
    r"\b(?:records?|rows|list|array|entries|items|results|data|they|these)\s+"
    r"(?:(?:is|are|sits?|lives?)\s+)?(?:under|in|at|inside)\s+(?:the\s+)?(?:key\s+)?⟨(\d+)⟩"
    # `the alerts are in "alerts"`
    r"|\bthe\s+[a-z]+\s+(?:is|are|sits?|lives?)\s+(?:under|in|at|inside)\s+(?:the\s+)?(?:key\s+)?⟨(\d+)⟩"
)
_NOT_RECORDS: Final = frozenset(["a", "an", "it", "there", "json", "order", "memory", "one"])
ONE_PER: Final = (
    # (`the file has one row per meter per day` describes the rows)
    r"(?<!has )(?<!have )(?<!with )(?<!contains )"
    r"\b(?:one(?!\s+at\s+a\s+time)|a single|only one|just one|the first|the last|the latest|"
    r"the most recent|the newest)\s+"
    r"(?:(?:rows?|records?|entry|entries|lines?|items?|posts?|tweets?|articles?|results?|copy|one)\s+"
    r"(?:per|for each|for every|by|each)|"
    # `the last one per block`, `the latest estimate per block_id`
    r"(?!(?:file|folder|partition|shard|page|request|call|batch)\b)(?:[a-z_]+\s+)?(?:per|for each|for every))\b"
)
_OUT_DIR: Final = re.compile(r"(?:\./)?(?:out|output|outputs|exports?|results)/")
_HOOK: Final = re.compile(
    r"\b(?:webhook|hook|slack|notify|alert|post (?:them|it|the)|push)\b"
    # `send begin=1 and end=2 as query parameters`, `send a header`: a request's parts
    r"|\bsend\b(?![^,;]*?\bas\s+(?:a\s+|the\s+)?(?:query\s+)?param\w*)(?!\s+(?:an?\s+)?\S*\s*header)"
)
_API: Final = re.compile(r"\b(?:api|json|endpoint|rest)\b(?![\s-]+(?:key|token|secret)s?\b)")
_HOOK_URL: Final = re.compile(r"//(?:[\w-]+\.)*hooks?\.|/(?:web)?hooks?(?:/|$)", re.IGNORECASE)
_PAGES_OF: Final = re.compile(
    r"\b(?:pages?|full text|full articles?|article text|content|html|body text)\b"
)


@dataclass(slots=True)
class Intent:
    """One thing a clause asks for.

    Attributes:
        kind: source, page_fetch, sentiment, language, extract, embed, cluster, filter,
            sort, aggregate, dedupe, sample, select, since, cap, join, union, sql, train, drift, sink.
        pos: where in the clause it was found (orders the clause's intents).
        method: the method, when the intent decides it (sources, sinks).
        params: what the clause says about the step.
        clause: the clause it came from.
        group: which part of the clause, when a clause names several files to write
            (*the English ones to a.csv and the German ones to b.csv*): each part after
            the first branches off the rows the first part started from.
    """

    kind: str
    pos: int
    clause: Clause
    method: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    group: int = 0


def file_format(path: str) -> str:
    """``csv``, ``parquet`` or ``jsonl`` from a path's extension (csv by default)."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return FORMATS.get(suffix, "csv")


def _write_verbs(text: str, whole: str | None = None) -> list[re.Match[str]]:
    """The words that ask to write, not those used as nouns (*the jsonl dump at ...*).

    ``text`` may be the start of a clause, ``whole`` the clause (*put ⟨0⟩ and ⟨1⟩ together*).
    """
    together = list(_PUT_TOGETHER.finditer(whole or text))
    return [
        m
        for m in _WRITE.finditer(text)
        if not _NOUN_BEFORE.search(text[: m.start()])
        and not (_PASSIVE.match(text, m.start()) and _BE.search(text[: m.start()]))
        and not any(t.start() <= m.start() < t.end() for t in together)
        # `..., upserting on contact_id`: how the write just said goes, not another one
        and not re.match(r"upsert\w*\s+(?:on|by)\b", text[m.start() :])
        and not _NOUN_EXPORT.search(text[: m.end()])
        # `the log scanner dumps data/x.tsv`: what something else writes, read here
        and not (
            _THIRD_PERSON.match(text, m.start())
            and not re.search(
                r"(?:^|\b(?:and|then|also|please|pls|just|it|that)\s+)$", text[: m.start()]
            )
        )
    ]


def _writes_at(clause: Clause, request: Request, pos: int) -> bool:
    """Whether the literal at ``pos`` is written to (rather than read from)."""
    before = clause.text[:pos]
    after = clause.text[pos:].split("⟩", 1)[-1]
    if clause.index > 0 and not before.strip() and not after.strip():
        # a clause that is only a path, after others (`... -> out/x.csv`): written to when
        # it sits in an output folder
        literal = request.literals[_literal_id(clause, pos)]
        return _OUT_DIR.match(literal.value) is not None

    if re.search(r"\b(?:export|save|write|store|dump|upload)\s+$", before) and re.match(
        r"\s*(?:to|into|as|in)\b", after
    ):
        return False  # `export data/orders.csv into the table ...`: the path is what is written
    if _NOUN_EXPORT.search(before):
        return False  # `the union catalogue export (data/x.csv) repeats ...`: a noun, read
    if _INTO_FILE.search(before):
        return True  # `combine a and b into a single file out/ab.parquet`: where they go
    write = [m.end() for m in _write_verbs(before, clause.text)]
    read = [
        m.end()
        for m in _READ.finditer(before)
        if m.group(0) not in ("in", "of")
        # `save the posts with their cluster to ⟨0⟩`: `with` reads only what follows it
        and not (m.group(0) == "with" and len(before[m.end() :].split()) > 2)
        # `export ⟨1⟩ from ⟨0⟩ three ways: out/a.csv`: `from` reads the database after it
        and not (m.group(0) == "from" and re.match(r"\s*(?:the\s+)?⟨\d+⟩", before[m.end() :]))
    ]
    if write and (not read or write[-1] > read[-1]):
        return True
    if read:
        return False
    to = _TO.search(before)
    if to is not None and _ATTACH.search(before):
        # `add department info to data/employees.csv`: the rows that get the columns
        literal = request.literals[_literal_id(clause, pos)]
        return _OUT_DIR.match(literal.value) is not None
    literal = request.literals[_literal_id(clause, pos)]
    if to is not None and to.group(1) in ("in", "at"):
        # `the products in data/catalog.csv`: only an output folder is written to
        return _OUT_DIR.match(literal.value) is not None
    # `csv please: out/kpis.csv`: a path in an output folder, with no verb, is written
    return to is not None or _OUT_DIR.match(literal.value) is not None


def literal_written(request: Request, number: int) -> bool:
    """Whether the request writes to its literal ``number`` (a path or a database)."""
    for clause in request.clauses:
        for pos, _ in clause.literals(request):
            if _literal_id(clause, pos) == number and _writes_at(clause, request, pos):
                return True
    return False


def _records_path(clause: Clause, request: Request) -> str | None:
    """Where a JSON answer keeps its records: *the records are under data.tickets*.

    Said in the clause or a later one (*get https://..., the list is in items*), not in
    a clause that writes (*save the rows in postgres*).
    """
    for later in [clause, *request.clauses[clause.index + 1 :]]:
        if later is not clause and _WRITE.search(later.text):
            continue
        match = (
            _RECORDS.search(later.text)
            or _RECORDS_SAID.search(later.text)
            or _RECORDS_KEY.search(later.text)
        )
        if match and match.group(1) not in _NOT_RECORDS:
            return match.group(1)
        quoted = _RECORDS_QUOTED.search(later.text)
        said = request.literals[int(quoted.group(1) or quoted.group(2))] if quoted else None
        if said is not None and said.kind == "quote":  # `(list under "members")`
            return said.value

    return None


def says_records(clause: Clause) -> bool:
    """Whether a clause only says where a JSON answer keeps its records (no step of its own)."""
    return _RECORDS_SAID.search(clause.text) is not None or (
        _RECORDS_KEY.search(clause.text) is not None
    )


def _read_table(clause: Clause, request: Request, pos: int) -> str | None:
    """The table a clause reads from the database at ``pos``: None if it reads none.

    *pull everything from the invoices table in ...*: looked for between the databases
    before and after it; empty when a table is read but not named (*from a table*).
    """
    others = [p for p, _ in clause.literals(request, "db")]
    start = max((p for p in others if p < pos), default=0)
    end = min((p for p in others if p > pos), default=len(clause.text))
    found = None
    for match in _TABLE_READ.finditer(clause.text[start:end]):
        table = match.group(1) or match.group(2)
        if table not in _NOT_TABLES:
            return str(table)
        found = ""  # `read from a table in ...`: which one is not said
    return found


def _sources(clause: Clause, request: Request, written: frozenset[int]) -> list[Intent]:
    intents: list[Intent] = []
    text = clause.text
    hits = []
    for method, pattern in _PLATFORMS:
        match = pattern.search(text)
        if match:
            hits.append((match.start(), method))
    hits.sort()
    for i, (pos, method) in enumerate(hits):
        end = hits[i + 1][0] if i + 1 < len(hits) else len(text)
        intents.append(Intent("source", pos, clause, method, {"segment": (pos, end)}))
    urls = clause.literals(request, "url")
    feeds = [
        (p, lit)
        for p, lit in urls
        if re.search(r"\b(?:rss|atom|feeds?)\b", text)
        or re.search(r"(?:rss|atom|\.xml|/feed)", lit.value)
    ]
    # `post them to https://hooks.example.com/x`: a hook's URL is written to, not read
    rest = [
        (p, lit) for p, lit in urls if (p, lit) not in feeds and not _HOOK_URL.search(lit.value)
    ]
    # `the price feed in data/prices.csv`, `the sensor feed` of a request reading files: a
    # feed kept in a file (or a database) is read from there
    kept = any(lit.kind in ("path", "db") for lit in request.literals)
    if not feeds and (
        re.search(r"\b(?:rss|atom)\b", text) or (re.search(r"\bfeeds?\b", text) and not kept)
    ):
        intents.append(Intent("source", text.find("feed"), clause, "news.rss.read", {}))
    if feeds:
        values: Any = [lit.value for _, lit in feeds]
        intents.append(
            Intent(
                "source",
                feeds[0][0],
                clause,
                "news.rss.read",
                {"url": values[0] if len(values) == 1 else values},
            )
        )
    if rest and not _HOOK.search(text):
        records = _records_path(clause, request)
        # an answer whose records sit under a key is JSON, whatever its URL looks like
        if (
            _API.search(text)
            or any(re.search(r"/api\b|//api\.|\.json\b", lit.value) for _, lit in rest)
            or records
        ):
            params: dict[str, Any] = {"url": rest[0][1].value}
            if records:
                params["records_path"] = records
            intents.append(Intent("source", rest[0][0], clause, "http.json.get", params))
        else:
            intents.append(
                Intent(
                    "source",
                    rest[0][0],
                    clause,
                    "web.page.fetch",
                    {"urls": [lit.value for _, lit in rest]},
                )
            )
    for pos, lit in clause.literals(request, "path"):
        if _literal_id(clause, pos) not in written:
            method = f"file.{file_format(lit.value)}.read"
            intents.append(Intent("source", pos, clause, method, {"path": lit.value}))
    for pos, lit in clause.literals(request, "db"):
        table = _read_table(clause, request, pos)
        if _writes_at(clause, request, pos) or (table is None and re.search(r"\btable\b", text)):
            continue
        params = {"url": lit.value}
        if table:
            params["query"] = f"SELECT * FROM {table}"
        intents.append(Intent("source", pos, clause, "sql.query.read", params))
    return intents


def _sinks(clause: Clause, request: Request, written: frozenset[int]) -> list[Intent]:
    intents: list[Intent] = []
    text = clause.text
    for pos, lit in clause.literals(request, "path"):
        if _literal_id(clause, pos) in written:
            method = f"file.{file_format(lit.value)}.write"
            intents.append(Intent("sink", pos, clause, method, {"path": lit.value}))
    reads = False
    for pos, lit in clause.literals(request, "db"):
        if _read_table(clause, request, pos) is not None:
            reads = True
        elif _writes_at(clause, request, pos) or re.search(r"\btable\b", text):
            intents.append(Intent("sink", pos, clause, "sql.table.write", {"url": lit.value}))
    for pos, lit in clause.literals(request, "url"):
        if _HOOK_URL.search(lit.value) or (
            _HOOK.search(text) and not re.search(r"\b(?:rss|atom|feeds?)\b", text)
        ):
            intents.append(Intent("sink", pos, clause, "http.webhook.post", {"url": lit.value}))
    verbs = _write_verbs(text)
    wants_file = re.search(
        r"\b(?:csv|parquet|jsonl|json|excel|spreadsheet)\s+(?:file|export)", text
    ) and not re.search(r"\b(?:read|load|open|import|ingest)\b", text)
    if not intents and not reads and (verbs or re.search(r"\btable\b", text) or wants_file):
        # (`replace the contents of reporting.x in that same database`: a table too)
        table = re.search(r"\btable\b", text) or re.search(
            r"\b(?:same|that|this)\s+(?:\w+\s+)?(?:db|database)\b", text
        )
        if table and (verbs or re.search(r"\b(?:append|insert|load|replac|overwrit)\w*\b", text)):
            intents.append(Intent("sink", table.start(), clause, "sql.table.write", {}))
            return intents
        for match in re.finditer(
            r"\b(csv|tsv|spreadsheet|excel|parquet|jsonl|ndjson|json lines|json)\b", text
        ):
            fmt = FORMATS[match.group(1)]
            intents.append(Intent("sink", match.start(), clause, f"file.{fmt}.write", {}))
        if not intents and verbs:
            intents.append(Intent("sink", verbs[0].start(), clause, None, {}))
    return intents


def _search(pattern: str, text: str) -> int | None:
    match = re.search(pattern, text)
    return match.start() if match else None


# `the training data`, `the training features` are datasets, not a training
_TRAINING_NOUNS: Final = (
    r"(?:data|set|dataset|rows|split|sample|file|feature|input|table|window|period|snapshot|"
    r"distribution|population|baseline|history|export|extract)"
)
_BACKTICKED: Final = re.compile(r"`[a-z_][a-z0-9_.]*`")
_TRANSFORMS: Final = [
    (
        "sentiment",
        # (`a feel for what the press covers` is no sentiment)
        # (nor `the blocks predicted positive`: a model's class)
        r"\b(?:sentiment|(?<!a )feel|feels|feeling|mood|opinion|tone|emotion|polarity|"
        r"(?<!predicted )(?<!classified )(?<!classified as )(?:positive|negative)|neutral)",
    ),
    ("language", r"(?<!-)\blanguages?\b"),  # (`German-language only` names one)
    (
        "extract",
        r"\b(?:hashtags|mentions|emails|e-mails|entities|extract\w*|urls|links)\b"
        r"|\be-?mail address(?:es)?\b",
    ),
    ("embed", r"\b(?:embed\w*|vectors?)\b"),
    ("cluster", r"\b(?:cluster\w*|topics|themes|group\w* (?:of |them by )?similar)\b"),
    (
        "dedupe",
        r"\b(?:dedupe\w*|deduplicat\w*|duplicat\w*|repeated)\b|"
        # `the number of distinct customers` counts, it does not dedupe
        r"(?<!number of )(?<!count of )(?<!count )(?<!how many )(?<!counting )"
        r"\b(?:unique|distinct)\b|" + ONE_PER,
    ),
    # `a random forest` is an estimator, not a sample
    (
        "sample",
        r"\b(?:sample|at random|random(?:ly)?)\b(?![\s_-]+forests?\b)|\d+\s*%|\bdraw\s+\d+\b",
    ),
    (
        "select",
        r"\bcolumns\b|\bonly the (?:fields|columns)\b|\bfields\b(?!\s+(?:of|in)\b)"
        # `keep just listing_id, neighbourhood and rating` (a list of names kept together)
        r"|\b(?:just|only)\s+(?:the\s+)?[a-z_]\w*\u201a"
        # `write url, title and language to ⟨0⟩`
        r"|\b(?:write|save|export|output)\s+(?:the\s+|only\s+|just\s+)?[a-z_]\w*\u201a"
        # `remove the ssn column`
        r"|\b(?:drop|remove|exclude)\s+(?:the\s+)?[a-z_]\w*\s+(?:column|field)\b",
    ),
    ("since", rf"\b(?:{SINCE_WORDS})\s+(?:the\s+)?\d{{4}}-\d{{2}}-\d{{2}}"),
    (
        "cap",
        r"\b(?:max(?:imum)?|at most|up to|no more than|limit(?:ed)?|cap(?:ped)?|tops|\d+ of them|"
        r"(?:is|are) (?:plenty|enough))\b"
        # `last 800 tweets`, said after the search
        r"|\b(?:last|latest|newest)\s+\d[\d,]*\s+(?:tweets|posts|threads|articles)\b"
        # `100 articles in each language`: what each search returns
        r"|\b\d[\d,]*\s+(?:tweets|posts|threads|articles)\s+(?:(?:in|for|from|per)\s+(?:each|every)|"
        r"per\s+(?:language|lang))\b",
    ),
    (
        "aggregate",
        r"\b(?:count|counts|number of|how many|average|avg|mean|sum|total|"
        # `it has several updates per order`: a description, not a count per order
        r"(?<!several )(?<!many )(?<!multiple )(?<!some )(?<!few )(?<!\bupdates )per)\b",
    ),
    (
        "sort",
        r"\b(?:sort\w*|order(?:ed)? by|rank\w*|top|most|least|newest|oldest|highest|biggest|"
        r"cheapest first|priciest first|worst (?:\w+ )?first|"
        r"lowest|largest|smallest|first \d+|(?:latest|newest) \d+|\d+ (?:latest|newest))\b",
    ),
    (
        "filter",
        r"\b(?:keep|only|filter\w*|where|drop|remove|exclude|without|just|ones|negative|"
        r"positive|neutral|(?:that|which|who) (?:are|is|were|was|have|has)|"
        r"whose \w+ (?:is|isn't|isn\u2019t|is not|equals|was)|"
        r"with (?:more|less|fewer|at least|over|under)|(?<!no )(?:above|below|over|under|at least|"
        r"at most|more than|less than|fewer than|greater than) -?\d+(?:\.\d+)?%?"
        # (`at most 30 results`, `no more than 20 pages` are caps and settings)
        r"(?!\s+(?:pages|requests|calls|retries|times|at a time|in parallel|results|items|rows|"
        r"records|tweets|posts|threads|articles)\b)|"
        # `published on or after 2026-12-20` (a search's `since` is its own param)
        r"(?:published|posted|created|dated|sent|written) (?:on or after|after|before|"
        r"on or before|until) \d{4})\b",
    ),
    (
        "join",
        r"\b(?:join\w*|merge\w*|combine\w*|union|together|stack|stacked|stacking|not in|match\w* them|"
        r"match\w* [a-z_]+_\w* (?:to|with|against) [a-z_]\w*|"
        r"(?:that|which|who) (?:have|has|had) no|with no|without (?:a|an|any)|never \w+|"
        r"missing from|absent from|no (?:matching|corresponding)|"
        # `both files have user_id`, `dept_id points to the department's id`
        r"both\s+(?:\w+\s+)?(?:have|has|share|contain|carry)|(?:points?|refers?) to|"
        r"(?:shows?|turns?) up in|(?:have|has|had|did)(?: not|n't|n\u2019t) \w+|"
        r"(?:add|attach|bring)\s+(?:the\s+|their\s+|its\s+)?\w+\s+"
        r"(?:info|information|details|data|columns?|fields|attributes)\s+(?:to|onto)\b)\b|"
        + SEMI
        + "|"
        + DOTTED_KEYS,
    ),
    ("sql", r"\bsql\b|\bselect\b"),
    # `the training data` is a dataset (a drift check's reference), not a training
    (
        "train",
        # (`it was trained on a.parquet` says where a model came from)
        # (`since we trained the no-show model` too)
        r"\b(?:(?<!was )(?<!were )(?<!been )(?<!we )(?<!they )(?<!you )(?<!\bi )"
        rf"(?:re-?)?train\w*\b(?!\s+{_TRAINING_NOUNS}s?\b)|"
        rf"(?:(?<=\bwe )|(?<=they )|(?<=you )|(?<=\bi ))train\b(?!\s+{_TRAINING_NOUNS}s?\b)|"
        r"classifier|"
        r"regressor|fit a model|model to predict|register\s+(?:it|the\s+model|this)\s+as\b|"
        # `fit a ridge regression for price`, `build a gradient boosting model`
        r"(?:fit|build|learn)\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}?"
        r"(?:regression|regressor|classifier|model|forest|tree))\b",
    ),
    ("drift", r"\bdrift\w*\b|\bdistributions?\s+(?:has\s+|have\s+)?shift\w*"),
    # what is done with a model once trained (or registered): score rows, evaluate, promote
    (
        "predict",
        r"\b(?:use|run|apply)\s+(?:that|the|this|it|our)\s+(?:[\w-]+\s+){0,2}?model\b(?!\s+to\s+predict)|"
        r"\b(?:score|predict\w*)\s+(?:[\w'-]+\s+){0,5}?(?:with|using)\s+(?:that|the|this|it|our)\b"
        r"(?:\s+[\w-]+){0,2}?\s+model\b|\bmodels:/|\b[a-z_][\w-]*@(?:champion|staging|production|prod)\b",
    ),
    (
        "evaluate",
        r"\bevaluat\w*\s+(?:that|the|this|it|its)\b|\b(?:test|score)\s+(?:it|the\s+model|that\s+model)\s+on\b",
    ),
    (
        "promote",
        r"\bpromot\w*\b|\bmake\s+it\s+(?:the\s+)?(?:champion|production|staging)\b|"
        r"\b(?:point|move|set)\s+(?:the\s+)?[\w-]+\s+alias\b",
    ),
    (
        "pages",
        r"\b(?:fetch|get|download|scrape|grab|read)\b.*\b(?:pages?|full text|full articles?|article text|content)\b",
    ),
]


_AGG_WORD: Final = re.compile(
    r"\b(?:count|counts|number of|how many|average|avg|mean|sum|total|min|max)\b"
)


_HELD_OUT: Final = re.compile(
    r"\b(?:hold\w*\s+out|test\w*|aside|holdout|held[\s-]out|evaluat\w*|validation)\b"
)
_COMPUTED: Final = re.compile(
    r"\b(?:the|those|these|its|their|all)\s+(?:counts|totals|sums|averages|means|tallies)\b"
)


def _literal_id(clause: Clause, pos: int) -> int:
    return int(clause.text[pos + 1 : clause.text.index("⟩", pos)])


def _written(clause: Clause, request: Request) -> frozenset[int]:
    """The literals (by number) of the paths a clause writes to."""
    return frozenset(
        _literal_id(clause, pos)
        for pos, _ in clause.literals(request, "path")
        if _writes_at(clause, request, pos)
    )


# `city = 'Lisbon'`, `retries > 0`: a comparison written out (not `C=0.5`, a setting)
_COMPARISON: Final = re.compile(r"\b[a-z_]\w*\s*(==?|!=|<>|<=|>=|<|>)\s*(?:⟨(\d+)⟩|-?\d)")


def _compares(clause: Clause, request: Request) -> int | None:
    """Where a clause compares a column with a quoted value, or not only equal to a number."""
    for match in _COMPARISON.finditer(clause.text):
        number = match.group(2)
        said = request.literals[int(number)] if number is not None else None
        if said is not None and said.kind == "quote" and not _SELECT.match(said.value):
            return match.start()
        if number is None and match.group(1) not in ("=", "=="):
            return match.start()
    return None


# a list of column names kept together (`order_id, status and total` with low commas): names, not intents
_NAME_LIST: Final = re.compile(NAME_LIST)
_DESCRIBES_ROWS: Final = re.compile(
    r"\b(?:has|have|with|contains)\s+(?:one|several|multiple|many|a few|more than one|\d+)\s+"
    r"(?:rows?|lines?|records?|entries)\s+per\b"
)
# `50 articles per language`: what each search returns, not a count per language
_PER_SEARCH: Final = re.compile(
    r"\b\d[\d,]*\s+(?:tweets|posts|threads|articles|items|results)\s+(?:per|each|in each|for each)\b|"
    # `50k rows per round trip`, `one file per day`: how rows are fetched or stored
    r"\b(?:rows?|records?)\s+per\s+(?:round[\s-]?trip|request|call|fetch|batch|chunk|go)\b|"
    r"\bone\s+(?:file|folder|partition|shard|page)\s+(?:per|for each|a)\b"
)


# `above 90% load`: a share compared, not a sample of that share
_PERCENT_COMPARED: Final = re.compile(
    r"\b(?:above|over|below|under|more than|less than|at least|at most)\s+\d+(?:\.\d+)?\s*%"
)
# `the italian items`, `the french tweets`: rows of one language
_OF_A_LANGUAGE: Final = re.compile(
    rf"\b(?:the|only|just)\s+(?:{'|'.join(LANGUAGES)})\s+(?:items|tweets|posts|ones|articles|"
    r"threads|rows|reviews|comments|pages|stories|headlines|entries)\b"
)


def _clause_part(clause: Clause, request: Request, written: frozenset[int]) -> list[Intent]:
    sources = _sources(clause, request, written)
    rest: list[Intent] = []
    names = _NAME_LIST.sub(lambda m: " " * len(m.group(0)), clause.text)
    # a name in backticks (`a classifier for \`positive\``) is a column, not a word
    names = _BACKTICKED.sub(lambda m: " " * len(m.group(0)), names)
    for source in sources:
        if "segment" in source.params:
            # `threads about proxmox clusters`: what is searched for asks for no step
            start, end = source.params["segment"]
            part = Clause(clause.text[start:end], clause.original[start:end], clause.index)
            topic = query(part, request)
            at = names.find(topic.lower(), start) if topic else -1
            if topic and at >= 0 and "⟨" not in topic:
                names = names[:at] + " " * len(topic) + names[at + len(topic) :]
    for kind, pattern in _TRANSFORMS:
        pos = _search(pattern, clause.text if kind == "select" else names)
        if kind == "aggregate" and _PER_SEARCH.search(clause.text):
            pos = None
        if kind in ("aggregate", "dedupe") and _DESCRIBES_ROWS.search(clause.text):
            pos = None  # `x.parquet has one row per meter per day`: what its rows are
        if pos is None and kind == "sql":
            queries = clause.literals(request, "quote")
            pos = next((p for p, lit in queries if _SELECT.match(lit.value)), None)
        if pos is None and kind == "filter":
            pos = _compares(clause, request)
        if pos is None and kind == "filter" and (said := _OF_A_LANGUAGE.search(clause.text)):
            pos = said.start()  # `post the italian items to ...`
        if pos is None and kind == "language" and language_candidates(clause.text):
            pos = 0  # `the texts are always english or french`: what to detect among
        if (
            kind == "sample"
            and _HELD_OUT.search(clause.text)
            and not re.search(r"\b(?:sample|at random|random(?:ly)?)\b", clause.text)
        ):
            pos = None  # `hold out 25% for testing` is a training's test split
        if (
            kind == "sample"
            and _PERCENT_COMPARED.search(clause.text)
            and not re.search(r"\b(?:sample|at random|random(?:ly)?)\b", clause.text)
        ):
            pos = None  # `running above 90% load`: a condition
        if (
            kind == "aggregate"
            and re.search(ONE_PER, clause.text)
            and not _AGG_WORD.search(clause.text)
        ):
            pos = None  # `keep one row per url` is a dedupe, not a count per url
        if (
            kind == "aggregate"
            and pos is not None
            and _search(pattern, _COMPUTED.sub(" ", clause.text)) is None
        ):
            pos = None  # `dump the counts in out/x.csv`: the counts made before
        if pos is not None:
            rest.append(Intent(kind, pos, clause))
    rest += _sinks(clause, request, written)
    sources.sort(key=lambda i: i.pos)
    # `turn a.csv into out/a.parquet with only the id and name columns`: the rows written
    # are the ones the clause's transforms make, whatever the order they are said in
    # `cluster them using embeddings of the titles`: the embeddings come first
    rest.sort(key=lambda i: (i.kind == "sink", i.pos))
    kinds = [i.kind for i in rest]
    if "cluster" in kinds and "embed" in kinds and kinds.index("embed") > kinds.index("cluster"):
        rest.insert(kinds.index("cluster"), rest.pop(kinds.index("embed")))
    return sources + rest


def clause_intents(clause: Clause, request: Request) -> list[Intent]:
    """The intents of one clause: sources first, then transforms and sinks as written.

    A clause writing several files is read in parts, one per file.
    """
    written = _written(clause, request)
    ends = [
        clause.text.index("⟩", pos) + 1
        for pos, _ in clause.literals(request, "path")
        if _literal_id(clause, pos) in written
    ]
    if len(ends) < 2:
        return _clause_part(clause, request, written)
    intents: list[Intent] = []
    start = 0
    for group, end in enumerate([*ends[:-1], len(clause.text)]):
        part = Clause(clause.text[start:end], clause.original[start:end], clause.index)
        for intent in _clause_part(part, request, written):
            intent.group = group
            intents.append(intent)
        start = end
    return intents
