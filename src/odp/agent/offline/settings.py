"""A method's settings said in its own idiom, read once every step is drafted.

*go easy, no more than 2 requests at once* is a page fetch's ``concurrency``; *20 items
per POST* a webhook's ``batch_size``; *cursor-paginated, the next cursor is at meta.next*
a JSON source's paging; *tab separated, no header line* a CSV reader's options. Each
phrase goes to the nearest step (by where the request names it) whose method has the
setting and has not been given it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from odp.agent.offline.drafts import DraftingBase, StepDraft
from odp.agent.offline.intents import FORMATS
from odp.catalog import MethodKind

__all__ = ["SettingRules", "without_settings"]

_NUMBER: Final = r"(\d+)"
# a query's rows fetched at once: `fetch 50k rows per round trip`, `chunk size 20000`
_CHUNK: Final = re.compile(
    rf"\b{_NUMBER}\s+(?:rows?|records?)\s+(?:per|each|a|at\s+a)\s+(?:round[\s-]?trip|fetch|go)\b|"
    rf"\bchunks?\s+of\s+{_NUMBER}\s+(?:rows?|records?)\b|\bchunk[\s_]size\s*(?:of|=|:|is)?\s*{_NUMBER}\b"
)
_BATCH: Final = re.compile(
    rf"\b{_NUMBER}\s+(?:(?:items?|rows?|records?|events?|entries|messages|posts?|at a time)\s+)?"
    r"(?:per|each|a|in each|in one)\s+(?:post|request|call|batch|message|insert|write|chunk)\b|"
    rf"\bbatch(?:es)?\s+of\s+{_NUMBER}\b|\bbatch[\s_]size\s*(?:of|=|:|is)?\s*{_NUMBER}\b|"
    rf"\bin\s+batches\s+of\s+{_NUMBER}\b|"
    # `POST the negative ones to URL 25 at a time`: rows per post (`at most 5 at a time`
    # is a concurrency)
    r"(?<!more than )(?<!at most )(?<!up to )(?<!only )(?<!max )(?<!maximum )"
    rf"\b{_NUMBER}\s+at\s+a\s+time\b(?!\s+(?:max|at most|tops)\b)"
)
_CONCURRENCY: Final = re.compile(
    rf"\b(?:no more than|at most|max(?:imum)?|up to|only)\s+{_NUMBER}\s+"
    r"(?:\w+\s+)?(?:at (?:once|a time)|in parallel|concurrent\w*|simultaneous\w*)|"
    rf"\b{_NUMBER}\s+(?:requests?|fetches|downloads|connections|pages)\s+"
    r"(?:at (?:once|a time)|in parallel|concurrent\w*)|"
    rf"\bconcurrency\s*(?:of|=|:|is)?\s*{_NUMBER}\b|"
    # `one at a time please`: one request after the other; `(4 at a time max)`
    r"\b(one)\s+at\s+a\s+time\b|"
    rf"\b{_NUMBER}\s+at\s+a\s+time\s+(?:max|at most|tops)\b"
)
# `ten items from each`: what each feed gives
_PER_FEED: Final = re.compile(
    rf"\b{_NUMBER}\s+(?:items?|entries|posts|stories|headlines)\s+(?:from|of|per)\s+(?:each|every)\b"
)
_MAX_PAGES: Final = re.compile(
    rf"\b(?:cap|limit|stop)\w*\s+(?:it\s+|paging\s+|them\s+)?(?:at|to|after)\s+{_NUMBER}\s+pages\b|"
    rf"\b(?:max(?:imum)?|at most|up to|no more than)\s+(?:of\s+)?{_NUMBER}\s+pages\b|"
    rf"\b{_NUMBER}\s+pages\s+(?:max|at most|tops)\b|\bmax[\s_]pages\s*(?:=|:|of|is)?\s*{_NUMBER}\b"
)
_PAGING: Final = (
    ("link", re.compile(r"\blink[\s-]header\b|\brel=.?next\b")),
    ("cursor", re.compile(r"\bcursor\w*\b")),
    ("page", re.compile(r"\bpage[\s_-]?(?:number|param\w*|by page)\b|\bpaginated by page\b")),
)
_CURSOR_PATH: Final = re.compile(
    r"\b(?:next\s+)?(?:cursor|one)\s+(?:is|sits|lives|comes)?\s*(?:at|in|under)\s+(?:the\s+)?"
    r"([a-z_]\w*(?:\.\w+)+|[a-z_]\w*(?=\s+(?:key|field)))"
)
_CURSOR_PARAM: Final = re.compile(
    r"\b(?:goes|go|sent|passed|comes)\s+back\s+(?:in|as)\s+(?:the\s+)?`?([a-z_]\w*)`?\s+"
    r"(?:query\s+)?param|"
    # `send it back as `cursor``
    r"\bsend\s+it\s+back\s+(?:in|as)\s+(?:the\s+)?`?([a-z_]\w*)`?|\bcursor[\s_]param(?:eter)?\s*(?:is|=|:)?\s*`?([a-z_]\w*)`?"
)
_PAGE_PARAM: Final = re.compile(
    r"\bpage(?:[\s_]number)?\s+(?:goes\s+in|is\s+sent\s+(?:in|as)|param(?:eter)?\s*(?:is|=|:)?)"
    r"\s+(?:the\s+)?`?([a-z_]\w*)`?"
)
# `auth is a bearer token, stored in the CRM_TOKEN secret`
_BEARER: Final = re.compile(
    r"\bbearer\s+token\b[^.;]*?\b(?:in|from|is)\s+(?:the\s+)?(?:secret\s+)?`?([A-Za-z_][A-Za-z0-9_]*)`?"
    r"(?:\s+secret)?",
    re.IGNORECASE,
)
# `the X-Api-Key header comes from the SHOP_KEY secret`
_HEADER_SECRET: Final = re.compile(
    r"`?([A-Za-z][A-Za-z0-9-]*-[A-Za-z0-9-]+)`?\s+header\b[^.]*?\b(?:in|from|is)\s+(?:the\s+)?"
    # the secret's name: in capitals, or said to be a secret (`the key is stored in ...` is not)
    r"(?:secret\s+)?`?(?:(?-i:([A-Z][A-Z0-9_]*))\b|([A-Za-z_][A-Za-z0-9_]*)(?=`?\s+secret\b))`?"
    r"(?:\s+secret)?",
    re.IGNORECASE,
)
# `an Authorization header 'token <tok>' where tok is the GITHUB_TOKEN secret`: the value's
# shape, with the secret in its placeholder
_HEADER_SHAPE: Final = re.compile(
    r"`?([A-Za-z][A-Za-z0-9-]*)`?\s+header\s+['\"]([^'\"<]*)<\w+>([^'\"]*)['\"][^.;]*?"
    r"\b(?:in|from|is)\s+(?:the\s+)?(?:secret\s+)?`?([A-Za-z_][A-Za-z0-9_]*)`?\s+secret\b",
    re.IGNORECASE,
)
_DELIMITERS: Final = (
    ("\t", re.compile(r"\btab[\s-]?(?:separated|delimited)\b|\btabs? as (?:the )?separator\b")),
    ("|", re.compile(r"\bpipe[\s-]?(?:separated|delimited)\b|\bpipes? as (?:the )?separator\b")),
    (";", re.compile(r"\bsemi-?colon[\s-]?(?:separated|delimited)\b|\bsemi-?colons?\b")),
)
_NO_HEADER: Final = re.compile(
    r"\b(?:no|without(?:\s+a|\s+any)?)\s+header(?:\s+(?:line|row))?s?\b|\bheaderless\b|"
    r"\bhave\s+no\s+header"
)
# a file that is not clean UTF-8 is read with its bad bytes replaced (the only other
# encoding the readers have): `invalid bytes replaced`, `not valid utf-8`, `latin-1`
_ENCODING: Final = re.compile(
    r"\b(?:latin-?1|iso-8859-1|cp1252|windows-1252|utf-16|utf8-lossy|lossy)\b|"
    r"\b(?:invalid|bad|broken|mangled|garbled|undecodable)\s+(?:utf-?8\s+)?(?:bytes|characters|chars)\b|"
    r"\b(?:not|isn't|is not|aren't|are not)\s+(?:valid|clean|proper)\s+utf-?8\b|"
    r"\bencoding\s+errors\b"
)
_TOP_TERMS: Final = re.compile(rf"\btop\s+{_NUMBER}\s+terms\b|\b{_NUMBER}\s+top\s+terms\b")
_KEEP_LAST: Final = re.compile(
    r"\bkeep(?:ing)?\s+(?:only\s+)?the\s+(?:last|latest|newest|most recent)\s+(?:one|row|copy|entry)"
)
_OVERVIEW: Final = re.compile(
    r"\b(?:cluster\s+)?(?:overview|summary|summaries|sizes)\b.*?\bnot\s+the\b|"
    r"\b(?:only|just)\s+(?:care about\s+|want\s+|need\s+)?the\s+cluster\s+(?:overview|summary|sizes)"
)


_FILES: Final = re.compile(
    r"\b(?:every|all|each)\s+(?:the\s+|of\s+the\s+)?\.?(csv|tsv|parquet|jsonl|ndjson|json)\s+files?\b"
)
# `I only care about the cluster overview, not the individual tweets`: says what to keep
_OVERVIEW_SAID: Final = re.compile(
    r"\b(?:i\s+)?(?:only|just)\s+(?:care about|want|need)\s+the\s+cluster\s+"
    r"(?:overview|summary|summaries|sizes)[^,.;]*|\bnot\s+the\s+(?:individual|single|raw)\s+\w+"
)
# `query param base=EUR`, `with the query parameters lang=de and size=50`
_QUERY_PARAMS: Final = re.compile(
    r"(?:\bquery\s+param(?:eter)?s?\s+|(?<=,)\s*|\band\s+|\bsend\s+)([A-Za-z_]\w*)=([^\s,;&)]+)",
    re.IGNORECASE,
)
# `keep orders even if their currency has no rate`: says the join's kind, keeps no rows
_EVEN_IF: Final = re.compile(
    r"\bkeep\w*\s+(?:all\s+|every\s+|the\s+)?\w+\s+even\s+(?:if|when|without)\b[^,.;]*"
)
_MASKED: Final = (
    _BATCH,
    _CONCURRENCY,
    _MAX_PAGES,
    _TOP_TERMS,
    _NO_HEADER,
    _OVERVIEW_SAID,
    _EVEN_IF,
)


def without_settings(text: str) -> str:
    """``text`` with the settings phrases blanked (same length): no rule reads them again.

    *no more than 2 requests at once* is no filter, *20 items per POST* no count per post.
    """
    for pattern in _MASKED:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


class SettingRules(DraftingBase):
    """Settings said in words, given to the steps whose methods have them."""

    def _settings(self) -> None:
        """Give every step the settings the request says for it."""
        text = self.request.text
        self._numbered("batch_size", _BATCH)
        self._numbered("chunk_size", _CHUNK)
        self._numbered("concurrency", _CONCURRENCY)
        self._numbered("max_pages", _MAX_PAGES)
        self._numbered("top_terms", _TOP_TERMS)
        self._numbered("max_items", _PER_FEED)
        for value, pattern in _PAGING:
            match = pattern.search(text)
            if match is not None:
                self._give("paging", value, match.start())
                break
        for param, pattern in (
            ("cursor_path", _CURSOR_PATH),
            ("cursor_param", _CURSOR_PARAM),
            ("page_param", _PAGE_PARAM),
        ):
            match = pattern.search(text)
            if match is not None:
                self._give(param, match.group(1) or match.group(2), match.start())
        for delimiter, pattern in _DELIMITERS:
            match = pattern.search(text)
            if match is not None:
                self._give("delimiter", delimiter, match.start())
        header = _NO_HEADER.search(text)
        if header is not None:
            self._give("has_header", False, header.start()) or self._give(
                "include_header", False, header.start()
            )
        encoding = _ENCODING.search(text)
        if encoding is not None:
            self._give("encoding", "utf8-lossy", encoding.start())
        keep = _KEEP_LAST.search(text)
        if keep is not None:
            self._give("keep", "last", keep.start())
        original = self.request.original
        said = list(_QUERY_PARAMS.finditer(original))
        if said and any(s.method == "http.json.get" for s in self.steps):
            # (`C=0.3` for a training is no query param of a SQL read)
            values = {m.group(1): _scalar(m.group(2).rstrip(".")) for m in said}
            self._give("params", values, _at(original, said[0].start(), text))
        self._headers()
        self._overview()
        self._files()
        self._bound()

    def _files(self) -> None:
        """*every .tsv file in data/raw/*: a glob; a ``.tsv`` path is tab separated."""
        kind = _FILES.search(self.request.text)
        for step in self.steps:
            path = step.params.get("path")
            if not isinstance(path, str) or not step.method.startswith("file."):
                continue
            if kind is not None and path.endswith("/") and step.method.endswith(".read"):
                extension = kind.group(1)
                step.params["path"] = f"{path}*.{extension}"
                step.method = f"file.{FORMATS.get(extension, 'csv')}.read"
            if step.params["path"].endswith(".tsv") and step.method.startswith("file.csv."):
                step.params.setdefault("delimiter", "\t")

    def _bound(self) -> None:
        """*... status = :status with status = settled*: the values of a query's params."""
        for step in self.steps:
            query = step.params.get("query")
            if step.method != "sql.query.read" or not isinstance(query, str):
                continue
            values: dict[str, Any] = {}
            for name in dict.fromkeys(re.findall(r"(?<!:):([A-Za-z_]\w*)", query)):
                said = re.search(
                    rf"(?<![:\w]){name}\s*(?:=|\s(?:bound\s+)?to|\sas|\sis)\s*"
                    r"('[^']*'|\"[^\"]*\"|[^\s,;)]+)",
                    self.request.original.replace(query, ""),
                    re.IGNORECASE,
                )
                if said is not None:
                    values[name] = _scalar(said.group(1))
            if values:
                step.params.setdefault("params", values)

    def _numbered(self, param: str, pattern: re.Pattern[str]) -> None:
        for match in pattern.finditer(self.request.text):
            number = next(g for g in match.groups() if g)
            self._give(param, 1 if number == "one" else int(number), match.start())

    def _headers(self) -> None:
        """Auth said in words: a header whose value is a secret (never the value itself)."""
        original = self.request.original
        bearer = _BEARER.search(original)
        named = _HEADER_SECRET.search(original)
        shaped = _HEADER_SHAPE.search(original)
        headers: dict[str, str] = {}
        if shaped is not None:
            name, before, after, secret = shaped.groups()
            headers[name] = f"{before}{{{{ secrets.{secret} }}}}{after}"
        elif bearer is not None:
            headers["Authorization"] = f"Bearer {{{{ secrets.{bearer.group(1)} }}}}"
        if named is not None and shaped is None:
            headers[named.group(1)] = f"{{{{ secrets.{named.group(2) or named.group(3)} }}}}"
        if headers:
            where = (shaped or bearer or named).start()  # type: ignore[union-attr]  # one is set
            step = self._nearest("headers", _at(original, where, self.request.text))
            if step is not None:
                step.params["headers"] = headers

    def _overview(self) -> None:
        """*only the cluster overview, not the individual tweets*: the clusters output."""
        if _OVERVIEW.search(self.request.text) is None:
            return
        for step in self.steps:
            parent = step.parent
            if parent is not None and parent.method == "ml.text.cluster" and _is_sink(self, step):
                step.params["data"] = f"{{{{ {parent.name}.clusters }}}}"

    def _give(self, param: str, value: Any, at: int) -> bool:
        """Set ``param`` on the nearest step that has it and lacks it; whether one did."""
        step = self._nearest(param, at)
        if step is None:
            return False
        step.params[param] = value
        return True

    def _nearest(self, param: str, at: int) -> StepDraft | None:
        candidates = [
            s
            for s in self.steps
            if param in self.catalog.get(s.method).params_model.model_fields
            and param not in s.params
        ]
        if not candidates:
            return None
        return min(candidates, key=lambda s: abs(self._position(s) - at))

    def _position(self, step: StepDraft) -> int:
        """Where the request names a step: its first literal, else the request's end."""
        text = self.request.text
        for value in _literal_values(step.params):
            for number, literal in enumerate(self.request.literals):
                if literal.value == value and (pos := text.find(f"⟨{number}⟩")) >= 0:
                    return pos
        return len(text)


def _scalar(said: str) -> Any:
    """A value as said: a number when it is one, else the text (quotes taken off)."""
    text = said.strip("'\"")
    if said[:1] in "'\"":
        return text
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _literal_values(params: dict[str, Any]) -> Iterator[str]:
    for key in ("path", "url", "urls", "table"):
        value = params.get(key)
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, str))


def _at(original: str, pos: int, text: str) -> int:
    """Roughly where a position of the original request falls in the read text."""
    return int(pos * len(text) / max(len(original), 1))


def _is_sink(rules: DraftingBase, step: StepDraft) -> bool:
    return rules.catalog.get(step.method).kind is MethodKind.SINK
