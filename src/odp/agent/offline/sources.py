"""Sources: searches, files, feeds, JSON APIs and SQL databases, and the pages behind links."""

from __future__ import annotations

import re
from typing import Any, Final

from odp.agent.offline import slots
from odp.agent.offline.clauses import Clause
from odp.agent.offline.drafts import BASE_NAMES, SOURCE_NOUNS, DraftingBase
from odp.agent.offline.intents import Intent, file_format, literal_written

__all__ = ["SourceRules"]

_URL_COLUMN: Final = re.compile(
    r"\b([a-z_]*(?:url|link)[a-z_]*)\s+(?:column|field)\b|"
    r"\b(?:column|field)\s+([a-z_]*(?:url|link)[a-z_]*)\b"
)

# `100 articles in each language`: one search per language named
_EACH_LANGUAGE: Final = re.compile(
    r"\b(?:in|for|from|of)\s+(?:each|every|both)\s+(?:language|lang)s?\b|\bper\s+language\b|"
    r"\bfor\s+each\s+of\s+the\s+(?:two\s+)?languages\b"
)
_FILTER_WORDS: Final = re.compile(
    r"\b(?:keep|only|filter\w*|just|ones|where|exclude|drop|remove|without|send|post|alert)\b"
)


# `the connection url is in the WAREHOUSE_DB_URL secret`
_DB_SECRET: Final = re.compile(
    r"\b(?:connection|database|db)\s+(?:url|uri|string|dsn)\b[^.;]*?\b(?:in|from)\s+(?:the\s+)?"
    r"`?([A-Za-z_][A-Za-z0-9_]*)`?\s+secret\b",
    re.IGNORECASE,
)
_NOT_TABLES: Final = frozenset(
    ["a", "an", "the", "this", "that", "one", "some", "its", "their", "my", "our", "in", "of"]
)


def file_base_name(path: str) -> str:
    """A step name for a file's rows: its stem, or its folder's for a dated stem.

    ``data/feedback/2026-12.jsonl`` → ``feedback``; ``data/users.csv`` → ``users``.
    """
    *folders, name = path.rstrip("/").split("/")
    stem = name.split(".")[0]
    if not stem[:1].isalpha() and folders and folders[-1][:1].isalpha():
        return folders[-1]
    return stem


class SourceRules(DraftingBase):
    """The rules that start a dataset (or fetch the pages of the current one)."""

    def _on_source(self, intent: Intent) -> None:
        method = intent.method
        assert method is not None
        clause = intent.clause
        params: dict[str, Any] = dict(intent.params)
        if method in SOURCE_NOUNS:
            start, end = params.pop("segment")
            segment = Clause(clause.text[start:end], clause.original[start:end], clause.index)
            topic = slots.query(segment, self.request) or slots.query(clause, self.request)
            same = [s for s in self.steps if s.method == method]
            if same and (topic is None or any(s.params.get("query") == topic for s in same)):
                return
            if (
                topic is None
                and self.topic is not None
                and re.search(r"\b(?:and|both)\b", clause.text)
            ):
                topic = self.topic
            base = BASE_NAMES[method]
            if topic is None and not same:
                topic = self._quoted_topic()
            if topic is None:
                topic = self._ask(
                    self._name(base),
                    "query",
                    f"What should {method.split('.')[1]} be searched for?",
                    slot="query",
                )
            if topic is not None:
                params["query"] = topic
                self.topic = self.topic or topic
            sub = slots.subreddit(clause) if method == "social.reddit.search" else None
            if sub:
                params["subreddit"] = sub
            count = slots.count_before(clause, SOURCE_NOUNS[method]) or slots.result_cap(
                clause, self.book.rows[method]
            )
            if count:
                params["max_results"] = count
            when = slots.since(clause)
            if when:
                params["since"] = when
            codes = slots.languages_in(clause.text)
            if len(codes) == 1 and not _FILTER_WORDS.search(clause.text):
                params["lang"] = codes[0]
            if len(codes) > 1 and _EACH_LANGUAGE.search(self.request.text):
                # `english AND german news ..., 100 in each language`: a search for each
                names = {code: word for word, code in reversed(slots.LANGUAGES.items())}
                for code in codes:
                    why = f'{self._quote(clause)}; it searches for "{params.get("query", "?")}" in {names[code]}'
                    self.add(method, {**params, "lang": code}, why, base=names[code], data=False)
                return
            why = f'{self._quote(clause)}; it searches for "{params.get("query", "?")}"'
            self.add(method, params, why, data=False)
            return
        file_base: str | None = None
        if method.startswith("file."):
            file_base = file_base_name(params["path"])
            self.topic = self.topic or file_base
        if method == "news.rss.read" and "url" not in params:
            if any(s.method == method for s in self.steps):
                return  # `the items of feed 1`, `the feed calls its url link`: a feed read
            params["url"] = self._ask(
                "feed", "url", "Which RSS or Atom feed should be read (its URL)?"
            )
        if method == "sql.query.read":
            # the SQL the clause quotes, else the table it names, else any quoted SQL
            here = [lit.value for _, lit in clause.literals(self.request, "quote")]
            anywhere = [
                lit.value
                for lit in self.request.literals
                if lit.kind == "quote" and re.match(r"\s*\(?\s*(?:select|with)\s", lit.value, re.I)
            ]
            sql = [*here, *([params["query"]] if "query" in params else []), *anywhere]
            params["query"] = (
                sql[0]
                if sql
                else self._ask("rows", "query", "Which SQL query should be run on the database?")
            )
            table = re.search(r"\bfrom\s+([A-Za-z_]\w*)", params["query"] or "", re.IGNORECASE)
            file_base = table.group(1) if table else None
            self.topic = self.topic or file_base
        self.add(method, params, self._quote(clause), base=file_base, data=False)

    def _quoted_topic(self) -> str | None:
        """The one quoted phrase of the request, said apart from its search.

        *In which languages is "hospital waiting times" covered? Search the news for it*,
        *Coverage of the "X strike": 300 news articles*. Not a value compared with
        (*status = 'open'*) and not SQL.
        """
        said = [
            literal.value
            for clause in self.request.clauses
            for pos, literal in clause.literals(self.request, "quote")
            if not re.search(r"[=<>]\s*$", clause.text[:pos])
            and not (
                literal.raw.startswith("'")
                and re.search(r"\b(?:is|equals|not|than|like|in)\s*$", clause.text[:pos])
            )
            and not re.match(r"\s*\(?\s*(?:select|with)\s", literal.value, re.IGNORECASE)
        ]
        return said[0] if len(said) == 1 else None

    def _on_pages(self, intent: Intent) -> None:
        current = self.current
        if current is None or current.method == "web.page.fetch":
            return
        column: str | None = next((c for c in ("url", "link") if c in current.columns), None)
        named = _URL_COLUMN.search(self.request.text)
        if column is None and not current.columns and named is not None:
            # a file's columns are unknown: the one the request names (`has a url column`,
            # `the column page_link`); none named, no guess
            column = named.group(1) or named.group(2)
        if column is None:
            return
        self.add(
            "web.page.fetch",
            {"url_column": column},
            f"{self._quote(intent.clause)}: the pages behind each row's {column}",
        )

    def _fallback(self) -> bool:
        """No source was understood: a database the request names, else ask for a file.

        Whether a source was drafted.
        """
        literals = self.request.literals
        # the first database read (one written to, `save them to sqlite:///x.db`, is no source)
        said = {
            lit.kind: lit.value
            for number, lit in reversed(list(enumerate(literals)))
            if not literal_written(self.request, number)
        }
        queries = [
            lit.value
            for lit in self.request.literals
            if lit.kind == "quote" and re.match(r"\s*\(?\s*(?:select|with)\s", lit.value, re.I)
        ]
        secret = _DB_SECRET.search(self.request.original)
        if "db" not in said and secret is not None:
            said["db"] = f"{{{{ secrets.{secret.group(1)} }}}}"  # never the URL itself
        if "db" in said:
            tables = [
                m.group(1) or m.group(2)
                for m in re.finditer(
                    r"\b([a-z_]\w*)\s+table\b|\btable\s+([a-z_]\w*)", self.request.text
                )
                if (m.group(1) or m.group(2)) not in _NOT_TABLES
            ]
            query = queries[0] if queries else None
            if query is None and tables:
                query = f"SELECT * FROM {tables[0]}"
            if query is None:
                query = self._ask("rows", "query", "Which SQL query should be run on the database?")
            why = "the request names this database and no other source"
            self.add("sql.query.read", {"url": said["db"], "query": query}, why, data=False)
            return True
        path = self._ask(
            "data",
            "path",
            "Which data should the pipeline read (a file path such as data/posts.csv)?",
            slot="source.path",
        )
        if not isinstance(path, str) or not path:
            return False
        method = f"file.{file_format(path)}.read"
        why = "the request names no source; this is the file given"
        self.add(method, {"path": path}, why, base=file_base_name(path), data=False)
        return True
