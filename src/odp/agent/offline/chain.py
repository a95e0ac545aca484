"""From intents to steps: each step takes the dataset the step before it made.

The builder keeps a *current* dataset: a source starts one, a transform turns it into
the next, a sink writes it and leaves it current (so *save all of them and send the
negative ones* writes the scored rows and then filters them). A join, a union or a
drift check takes the last two datasets that no step has consumed yet. Enrichers that a
filter or an aggregate needs (sentiment for *negative*, language for *English* or *per
language*) are added first when the rows lack their columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from odp.agent.models import Question, StepNote
from odp.agent.offline import slots
from odp.agent.offline.clauses import Clause, Request
from odp.agent.offline.columns import ColumnBook
from odp.agent.offline.intents import Intent, clause_intents, file_format
from odp.agent.retrieval import MethodRetriever
from odp.catalog import Catalog, MethodKind

__all__ = ["Builder", "StepDraft"]

_SECTION: Final = {
    MethodKind.SOURCE: "sources",
    MethodKind.TRANSFORM: "transforms",
    MethodKind.SINK: "sinks",
}
_BASE_NAMES: Final = {
    "social.twitter.search": "tweets",
    "social.reddit.search": "threads",
    "news.articles.search": "articles",
    "news.rss.read": "feed",
    "web.page.fetch": "pages",
    "http.json.get": "records",
    "sql.query.read": "rows",
    "nlp.text.sentiment": "scored",
    "nlp.text.language": "languages",
    "nlp.text.extract": "extracted",
    "ml.text.embed": "embedded",
    "ml.text.cluster": "clustered",
    "data.rows.dedupe": "unique",
    "data.rows.sample": "sample",
    "data.rows.select": "columns",
    "data.rows.sort": "sorted",
    "data.rows.join": "joined",
    "data.sql.query": "query",
    "ml.model.train": "train",
    "ml.data.drift": "drift",
    "data.rows.filter": "kept",
    "data.rows.aggregate": "totals",
}
_FILTER_WORDS: Final = re.compile(
    r"\b(?:keep|only|filter\w*|just|ones|where|exclude|drop|remove|without|send|post|alert)\b"
)
_NEGATE: Final = re.compile(r"\b(?:drop|remove|exclude|without|discard|get rid of|except)\b")
_LABELS: Final = ("negative", "positive", "neutral")
_KEY_SYNONYMS: Final = {"url": ("link", "final_url"), "link": ("url",), "id": ("post_id",)}
_TIME_GROUPS: Final = {
    "day": "day",
    "date": "day",
    "week": "week",
    "month": "month",
    "hour": "hour",
}
_RETRIEVAL_MIN_SCORE: Final = 4.0
_RETRIEVAL_MIN_COSINE: Final = 0.4  # MiniLM: a clause and the method it asks for score 0.4-0.5
_BOTH: Final = re.compile(r"\b(?:both|each of them|all of them|each source|either)\b")
_REDUCERS: Final = frozenset(
    [
        "data.rows.filter",
        "data.rows.sort",
        "data.rows.sample",
        "data.rows.aggregate",
        "data.rows.dedupe",
        "data.rows.select",
    ]
)
_AGG_FN: Final = re.compile(
    r"(?<!by )(?<!on )(?<!where )(?<!sort )\b(?:count|counts|number of|how many|average|avg|"
    r"mean|sum|total|min|max|minimum|maximum)\b(?!\s*(?:>|<|=|!|is\b|above|below|over|under))"
)
_NEEDED_BY_FILTER: Final = {"for": "; the filter needs its column"}
_NEEDED_BY_AGGREGATE: Final = {"for": "; the aggregate needs its column"}
_COLUMN_SYNONYMS: Final = {
    "date": ("created_at", "published"),
    "time": ("created_at", "published"),
    "recency": ("created_at", "published"),
    "published": ("created_at",),
    "created": ("created_at",),
    "score": ("likes",),
    "upvotes": ("likes",),
    "retweets": ("reposts",),
    "shares": ("reposts",),
    "user": ("author",),
    "username": ("author",),
    "body": ("text",),
    "content": ("text",),
}
_ANTI: Final = re.compile(
    r"\b(?:(?:that|which|who)\s+(?:have|has|had)\s+no|with\s+no|without\s+(?:a|an|any)|"
    r"never\s+\w+(?:\s+(?:a|an|any|in|up|up in))?|"
    r"not\s+(?:in|seen|found|present|listed|appearing)(?:\s+in)?|missing from|absent from|"
    r"no (?:matching|corresponding))\b(?:\s+(?:the\s+)?([a-z_]+))?"
)
_KEY_IS: Final = re.compile(
    r"\b(?:join |matching )?key(?: column)?\s*(?:\bis\b|=|:|,|\bbeing\b)\s*([a-z_][a-z0-9_]*)|"
    r"\bkeyed\s+(?:on|by)\s+([a-z_][a-z0-9_]*)"
)
_KEY_PAIR: Final = re.compile(
    r"\b(?:has|have|uses?)\s+(?:the\s+|a\s+)?(?:column\s+)?([a-z_][a-z0-9_]*)\b.*?"
    r"\b(?:calls?|names?)\s+it\s+([a-z_][a-z0-9_]*)\b"
)
_SOURCE_NOUNS: Final = {
    "social.twitter.search": r"tweets|posts|results",
    "social.reddit.search": r"threads|posts|results",
    "news.articles.search": r"articles|news|stories|headlines|results",
}


@dataclass(slots=True)
class StepDraft:
    """A step being drafted, with what the planner knows about its rows."""

    name: str
    method: str
    params: dict[str, Any]
    note: str
    columns: list[str] = field(default_factory=list)
    lineage: set[str] = field(default_factory=set)
    parent: StepDraft | None = None


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:5]
    return "-".join(words)[:60].strip("-")


class Builder:
    """Turns one request into steps, notes and questions.

    Args:
        catalog: the methods (every step's method is checked against it).
        columns: the columns each method's rows have.
        answers: answers to earlier questions, by slot.
        retriever: ranks the catalog's methods for a clause no rule reads.
    """

    def __init__(
        self,
        catalog: Catalog,
        columns: ColumnBook,
        answers: Mapping[str, Any],
        *,
        retriever: MethodRetriever,
    ) -> None:
        self.catalog = catalog
        self.retriever = retriever
        self.book = columns
        self.answers = dict(answers)
        self.steps: list[StepDraft] = []
        self.questions: list[Question] = []
        self.current: StepDraft | None = None
        self.unconsumed: list[StepDraft] = []
        self.request = Request("")
        self.topic: str | None = None
        self.text_column: str | None = None

    # ------------------------------------------------------------------ plumbing
    def _name(self, base: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "_", base).strip("_")[:40] or "step"
        base = base if base[0].isalpha() else f"s_{base}"
        taken = {s.name for s in self.steps}
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        return name

    def _ask(
        self, step: str, param: str, question: str, default: Any = None, *, slot: str | None = None
    ) -> Any:
        """The answer to a question if given, else record the question and return its default."""
        slot = slot or f"{step}.{param}"
        if slot in self.answers:
            return self.answers[slot]
        self.questions.append(
            Question(slot=slot, question=question, step=step, param=param, default=default)
        )
        return default

    def add(
        self,
        method: str,
        params: dict[str, Any],
        why: str,
        *,
        base: str | None = None,
        data: StepDraft | bool | None = True,
        inputs: list[StepDraft] | None = None,
    ) -> StepDraft:
        """Add a step; ``data=True`` feeds it the current dataset."""
        spec = self.catalog.get(method)
        name = self._name(base or _BASE_NAMES.get(method, method.rsplit(".", 1)[-1]))
        upstream = self.current if data is True else data if isinstance(data, StepDraft) else None
        if upstream is not None:  # (a source too: web.page.fetch over found articles)
            params = {"data": f"{{{{ {upstream.name}.data }}}}", **params}
        parents = [upstream] if upstream is not None else []
        parents += inputs or []
        columns = parents[0].columns if parents else []
        step = StepDraft(
            name=name,
            method=method,
            params=params,
            note=f"{spec.summary}; {why}",
            columns=self.book.after(method, columns, params),
            lineage=set().union(*(p.lineage for p in parents)) | {method} if parents else {method},
            parent=upstream,
        )
        for parent in parents:
            if parent in self.unconsumed:
                self.unconsumed.remove(parent)
        self.steps.append(step)
        if spec.kind is MethodKind.SOURCE:
            self.unconsumed.append(step)
        if spec.kind is not MethodKind.SINK:
            self.current = step
        return step

    def _enrich(self, method: str, params: dict[str, Any], why: str, clause: Clause) -> None:
        """Add an enricher over the current rows, or over each of two sources (*both*)."""
        if _BOTH.search(clause.text) and len(self.unconsumed) >= 2:
            for source in list(self.unconsumed[-2:]):
                index = self.unconsumed.index(source)
                step = self.add(method, dict(params), why, data=source)
                self.unconsumed.insert(index, step)  # still a branch to join or combine
            return
        self.add(method, params, why)

    def _text_column(self, clause: Clause) -> str | None:
        columns = self.current.columns if self.current else []
        named = slots.column_named(clause, [c for c in columns if c not in ("text",)])
        if named:
            self.text_column = None if named == "text" else named
            return self.text_column
        if self.text_column and (not columns or self.text_column in columns):
            return self.text_column
        if columns and "text" not in columns:
            for candidate in ("title", "summary", "body", "content"):
                if candidate in columns:
                    return candidate
        return None

    def _column(self, word: str) -> str:
        """A column the rows have for a word a person uses (``date`` → ``created_at``)."""
        columns = self.current.columns if self.current else []
        if not columns or word in columns:
            return word
        for candidate in _COLUMN_SYNONYMS.get(word, ()):
            if candidate in columns:
                return candidate
        return word

    def _has(self, method: str) -> bool:
        return self.current is not None and method in self.current.lineage

    def _quote(self, clause: Clause) -> str:
        return f'the request says "{clause.shown(self.request)}"'

    # ------------------------------------------------------------------ intents
    def build(self, request: Request) -> None:
        """Draft the steps of a request, clause by clause."""
        self.request = request
        self._run(request)
        if not any(s.method in self.book.rows for s in self.steps):
            self.steps, self.unconsumed, self.current, self.questions = [], [], None, []
            if self._fallback():
                self._run(request)

    def _run(self, request: Request) -> None:
        for clause in request.clauses:
            intents = clause_intents(clause, request)
            first, group = len(self.steps), 0
            for intent in intents:
                if intent.group != group:  # the next part branches off the same rows
                    group = intent.group
                    self.current = self._branch_point(first)
                handler = getattr(self, f"_on_{intent.kind}")
                handler(intent)
            if not intents:
                self._retrieve(clause)

    def _branch_point(self, first: int) -> StepDraft | None:
        """The rows before the first step since step ``first`` that reduced them."""
        for step in self.steps[first:]:
            if step.method in _REDUCERS:
                return step.parent
        return self.current  # nothing was left out: enrichers and sinks keep every row

    def _retrieve(self, clause: Clause) -> None:
        """A clause no rule understood: the catalog's best match, if it needs only the rows."""
        if self.current is None:
            return
        for hit in self.retriever.hits(clause.text, kind=MethodKind.TRANSFORM, limit=3):
            required = {n for n, f in hit.spec.params_model.model_fields.items() if f.is_required()}
            close = hit.cosine is not None and hit.cosine >= _RETRIEVAL_MIN_COSINE
            if (hit.bm25 >= _RETRIEVAL_MIN_SCORE or close) and required <= {"data"}:
                why = f"{self._quote(clause)}; the catalog's search ranked it first"
                self.add(hit.spec.id, {}, why)
                return

    def _on_source(self, intent: Intent) -> None:
        method = intent.method
        assert method is not None
        clause = intent.clause
        params: dict[str, Any] = dict(intent.params)
        if method in _SOURCE_NOUNS:
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
            base = _BASE_NAMES[method]
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
            count = slots.count_before(clause, _SOURCE_NOUNS[method]) or slots.result_cap(
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
            why = f'{self._quote(clause)}; it searches for "{params.get("query", "?")}"'
            self.add(method, params, why, data=False)
            return
        file_base: str | None = None
        if method.startswith("file."):
            file_base = params["path"].rsplit("/", 1)[-1].split(".")[0]
            self.topic = self.topic or file_base
        if method == "news.rss.read" and "url" not in params:
            params["url"] = self._ask(
                "feed", "url", "Which RSS or Atom feed should be read (its URL)?"
            )
        if method == "sql.query.read":
            # the SQL the clause quotes, else the table it names, else any quoted SQL
            here = [lit.value for _, lit in clause.literals(self.request, "quote")]
            anywhere = [lit.value for lit in self.request.literals if lit.kind == "quote"]
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

    def _on_pages(self, intent: Intent) -> None:
        current = self.current
        if current is None or current.method == "web.page.fetch":
            return
        column = next((c for c in ("url", "link") if c in current.columns), None)
        if column is None:
            return
        self.add(
            "web.page.fetch",
            {"url_column": column},
            f"{self._quote(intent.clause)}: the pages behind each row's {column}",
        )

    def _on_sentiment(self, intent: Intent) -> None:
        if self.current is None or self._has("nlp.text.sentiment"):
            return
        params: dict[str, Any] = {}
        column = self._text_column(intent.clause)
        if column:
            params["column"] = column
        why = self._quote(intent.clause) + intent.params.get("for", "")
        self._enrich("nlp.text.sentiment", params, why, intent.clause)

    def _on_language(self, intent: Intent) -> None:
        clause = intent.clause
        if self.current is None or self._has("nlp.text.language"):
            return
        if "lang" in self.current.params and self.current.params.get("lang"):
            return
        params: dict[str, Any] = {}
        column = self._text_column(clause)
        if column:
            params["column"] = column
        candidates = slots.language_candidates(self.request.text)
        if len(candidates) >= 2:
            params["languages"] = candidates
        why = self._quote(clause) + intent.params.get("for", "")
        self._enrich("nlp.text.language", params, why, clause)

    def _on_extract(self, intent: Intent) -> None:
        clause = intent.clause
        if self.current is None or (
            clause.literals(self.request, "url") and "extract" not in clause.text
        ):
            return
        kinds = []
        for word in re.findall(r"\b(?:hashtag|mention|url|link|e-?mail)s\b", clause.text):
            kind = {"links": "urls", "e-mails": "emails"}.get(word, word)
            if kind not in kinds:
                kinds.append(kind)
        params: dict[str, Any] = {"kinds": kinds} if kinds else {}
        column = self._text_column(clause)
        if column:
            params["column"] = column
        self._enrich("nlp.text.extract", params, self._quote(clause), clause)

    def _on_embed(self, intent: Intent) -> None:
        if self.current is None or self._has("ml.text.embed"):
            return
        params: dict[str, Any] = {}
        column = self._text_column(intent.clause)
        if column:
            params["column"] = column
        self._enrich("ml.text.embed", params, self._quote(intent.clause), intent.clause)

    def _on_cluster(self, intent: Intent) -> None:
        clause = intent.clause
        if self.current is None:
            return
        match = re.search(
            rf"{slots._NUM}\s+(?:\w+\s+)?(?:clusters|groups|topics|themes|buckets)\b|\bk\s*=\s*(\d+)",
            clause.text,
        )
        params: dict[str, Any] = {}
        if self._has("ml.text.embed"):
            params["column"] = "embedding"
        else:
            column = self._text_column(clause)
            if column:
                params["column"] = column
        name = self._name("clustered")
        if match:
            params["k"] = int(slots.number(match.group(1) or match.group(2)) or 5)
        else:
            params["k"] = self._ask(name, "k", "How many clusters should be made?", 5)
        self.add("ml.text.cluster", params, self._quote(clause))

    def _on_dedupe(self, intent: Intent) -> None:
        if self.current is None:
            return
        text = intent.clause.text
        match = re.search(
            r"\b(?:on|by|using|per|for each|for every|each)\s+(?:the\s+)?([a-z_][a-z0-9_]*)", text
        )
        params: dict[str, Any] = {}
        if match and match.group(1) not in ("it", "them", "column", "columns"):
            params["on"] = match.group(1)
        if re.search(
            r"\b(?:the last|the latest)\s+\w+\s+(?:per|for each|for every|by|each)\b", text
        ):
            params["keep"] = "last"  # `the last row per user`
        self.add("data.rows.dedupe", params, self._quote(intent.clause))

    def _on_sample(self, intent: Intent) -> None:
        text = intent.clause.text
        if self.current is None:
            return
        percent = re.search(r"(\d+(?:\.\d+)?)\s*(?:%|percent)", text)
        count = re.search(
            rf"{slots._NUM}\s+(?:random\s+)?(?:rows|records|items|samples|lines|posts|tweets)\b",
            text,
        ) or re.search(rf"\bsample of\s+{slots._NUM}\b", text)
        params: dict[str, Any] = {}
        if percent:
            params["fraction"] = float(percent.group(1)) / 100
        elif count:
            params["n"] = int(slots.number(count.group(1)) or 0)
        else:
            params["n"] = self._ask(
                self._name("sample"), "n", "How many rows should the sample have?", 1000
            )
        self.add("data.rows.sample", params, self._quote(intent.clause))

    def _on_select(self, intent: Intent) -> None:
        match = re.search(
            r"\b(?:columns|fields)\s+((?:[a-z_][a-z0-9_]*)(?:\s*(?:,|and|&)\s*[a-z_][a-z0-9_]*)*)",
            intent.clause.text,
        )
        if self.current is None or match is None:
            return
        columns = [c for c in re.split(r"\s*(?:,|\band\b|&)\s*", match.group(1)) if c]
        self.add("data.rows.select", {"columns": columns}, self._quote(intent.clause))

    def _on_cap(self, intent: Intent) -> None:
        """*max 50*, *at most 30 results*: how many a search returns, or a sort keeps."""
        current = self.current
        if current is None or current.method not in (*_SOURCE_NOUNS, "data.rows.sort"):
            return
        cap = slots.result_cap(intent.clause, current.columns)
        if cap is not None:
            param = "limit" if current.method == "data.rows.sort" else "max_results"
            current.params.setdefault(param, cap)

    def _on_sort(self, intent: Intent) -> None:
        clause = intent.clause
        spec = slots.sort_spec(clause)
        if self.current is None:
            return
        if spec is None or (spec[0] is None and spec[2] is None):
            # `..., biggest first`: the order of the sort just drafted
            if self.current.method == "data.rows.sort" and re.search(
                r"\b(?:biggest|largest|highest|most|newest|desc\w*)\b", clause.text
            ):
                self.current.params["descending"] = True
            return
        by, descending, limit = spec
        if by == "created_at" and descending and self.current.method in _SOURCE_NOUNS:
            if limit:  # the search returns the newest first: ask it for that many
                self.current.params.setdefault("max_results", limit)
            return
        base = "top" if limit else "sorted"
        if by is None and self.current.method == "data.rows.sort":
            self.current.params.setdefault("limit", limit)  # `..., keep the first 5`
            return
        if by is None:  # `top 5`: ranked by what?
            by = (
                "likes"
                if "likes" in self.current.columns
                else self._ask(self._name(base), "by", "Which column should the rows be ranked by?")
            )
        params: dict[str, Any] = {"by": self._column(by)}
        if descending:
            params["descending"] = True
        if limit is not None:
            params["limit"] = limit
        self.add("data.rows.sort", params, self._quote(clause), base=base)

    def _conditions(self, clause: Clause) -> list[str]:
        text = clause.text
        negate = bool(_NEGATE.search(text))
        conditions: list[str] = []
        labels = [w for w in _LABELS if re.search(rf"\b{w}\b", text)]
        if labels and not re.search(r"\b(?:most|least)\s+(?:negative|positive)", text):
            self._on_sentiment(Intent("sentiment", 0, clause, params=_NEEDED_BY_FILTER))
            op = "!=" if negate else "="
            if len(labels) == 1:
                conditions.append(f"sentiment_label {op} '{labels[0]}'")
            else:
                listed = ", ".join(f"'{w}'" for w in labels)
                conditions.append(f"sentiment_label {'NOT IN' if negate else 'IN'} ({listed})")
        codes = slots.languages_in(slots.without_candidates(text))
        source_lang = any(s.params.get("lang") for s in self.steps)
        if codes and not source_lang:
            self._on_language(Intent("language", 0, clause, params=_NEEDED_BY_FILTER))
            op = "!=" if negate else "="
            if len(codes) == 1:
                conditions.append(f"language {op} '{codes[0]}'")
            else:
                listed = ", ".join(f"'{c}'" for c in codes)
                conditions.append(f"language {'NOT IN' if negate else 'IN'} ({listed})")
        known = self.current.columns if self.current else []
        conditions += slots.condition(clause, self.request, known, negate=negate)
        return conditions

    def _on_filter(self, intent: Intent) -> None:
        clause = intent.clause
        if self.current is None:
            return
        conditions = self._conditions(clause)
        if not conditions:
            return
        labels = re.findall(r"'(\w+)'", " ".join(conditions))
        base = "_".join(labels[:2]) if labels and "!=" not in " ".join(conditions) else "kept"
        self.add(
            "data.rows.filter", {"where": " AND ".join(conditions)}, self._quote(clause), base=base
        )

    def _aggregations(self, clause: Clause) -> dict[str, str]:
        aggregations: dict[str, str] = {}
        for fn, column in re.findall(
            r"(?<!by )(?<!sort )\b(average|avg|mean|sum|total|min|max|minimum|maximum)\s+"
            r"(?:of\s+)?(?:the\s+)?([a-z_][a-z0-9_]*)",
            clause.text,
        ):
            sql = {
                "average": "avg",
                "mean": "avg",
                "total": "sum",
                "minimum": "min",
                "maximum": "max",
            }.get(fn, fn)
            if column == "sentiment":
                self._on_sentiment(Intent("sentiment", 0, clause, params=_NEEDED_BY_AGGREGATE))
            aggregations[column if sql == "sum" else f"{sql}_{column}"] = f"{sql}({column})"
        count = re.search(
            r"\b(?:count|counts|number of|how many)\s+(?:the\s+|of\s+)?([a-z_]+)?", clause.text
        )
        if count or not aggregations:
            noun = (count.group(1) if count else None) or "rows"
            if noun in ("tweets", "posts", "threads", "per", "by", "it", "them", "rows"):
                noun = "posts" if noun in ("tweets", "posts", "threads") else "count"
            aggregations = {noun: "count(*)", **aggregations}
        return aggregations

    def _on_aggregate(self, intent: Intent) -> None:
        clause = intent.clause
        if self.current is None:
            return
        has_fn = _AGG_FN.search(clause.text) is not None
        grouped = re.search(r"\b(?:per|for each|for every|grouped by|group by)\b", clause.text)
        groups = slots.group_by(clause) if has_fn or grouped else []
        if not has_fn and not groups:
            return
        aggregations = self._aggregations(clause)
        fixed = []
        for group in groups:
            if group in ("label", "labels") or (
                group == "sentiment" and "sentiment_label" in self.current.columns
            ):
                group = "sentiment_label"
            elif group in ("language", "languages"):
                group = "language"
                self._on_language(Intent("language", 0, clause, params=_NEEDED_BY_AGGREGATE))
            fixed.append(group)
        time_group = next(
            (g for g in fixed if g in _TIME_GROUPS and g not in self.current.columns), None
        )
        if time_group and "created_at" in self.current.columns:
            self._time_query(clause, _TIME_GROUPS[time_group], aggregations)
            return
        params: dict[str, Any] = {"aggregations": aggregations}
        if fixed:
            params["group_by"] = fixed
        base = f"per_{fixed[0]}" if fixed else "totals"
        self.add("data.rows.aggregate", params, self._quote(clause), base=base)

    def _time_query(self, clause: Clause, unit: str, aggregations: dict[str, str]) -> None:
        assert self.current is not None
        table = self.current.name
        selects = ", ".join(f"{sql} AS {name}" for name, sql in aggregations.items())
        bucket = (
            "CAST(created_at AS DATE)" if unit == "day" else f"date_trunc('{unit}', created_at)"
        )
        query = f"SELECT {bucket} AS {unit}, {selects} FROM {table} GROUP BY {unit} ORDER BY {unit}"
        self.add(
            "data.sql.query",
            {"inputs": {table: f"{{{{ {table}.data }}}}"}, "query": query},
            self._quote(clause),
            base=f"per_{unit}",
            data=False,
            inputs=[self.current],
        )

    def _on_join(self, intent: Intent) -> None:
        clause = intent.clause
        if len(self.unconsumed) < 2:
            return
        left, right = self.unconsumed[-2], self.unconsumed[-1]
        key = re.search(
            r"\b(?:on|by|using|via)\s+(?:the\s+)?(?:(?:[a-z]+)\s+)?([a-z_][a-z0-9_]*)\s*$|\b(?:on|by|using)\s+(?:the\s+)?([a-z_]*_[a-z0-9_]*|id|key|url|email|author|name|date)\b",
            clause.text,
        )
        # `which members never paid? match them by member_id`: said the clause before
        previous = self.request.clauses[max(clause.index - 1, 0) : clause.index]
        anti = _ANTI.search(clause.text) or next(
            (m for c in previous if (m := _ANTI.search(c.text))), None
        )
        if anti and anti.group(1):
            # `customers with no subscription`: the rows kept are the other side's
            noun = anti.group(1).rstrip("s")
            if noun in left.name and noun not in right.name:
                left, right = right, left
        params: dict[str, Any] = {
            "left": f"{{{{ {left.name}.data }}}}",
            "right": f"{{{{ {right.name}.data }}}}",
        }
        # the key said apart (*the key is customer_id*) or named on each side (*orders have
        # product_id, the csv calls it id*), maybe in the next clause
        following = self.request.clauses[clause.index + 1 : clause.index + 2]
        nearby = " , ".join([clause.text, *(c.text for c in following)])
        named = _KEY_IS.search(nearby)
        pair = _KEY_PAIR.search(nearby)
        if key is None and named is not None:
            column = named.group(1) or named.group(2)
        elif key is None and pair is not None:
            params.update(left_on=pair.group(1), right_on=pair.group(2))
            column = pair.group(1)
        elif key is None:
            if re.search(r"\b(?:combine\w*|merge\w*|union|together|into one)\b", clause.text):
                self._union(clause, left, right)
            return
        else:
            column = key.group(1) or key.group(2)
        right_columns = right.columns
        if right_columns and column not in right_columns and "left_on" not in params:
            other = next((c for c in _KEY_SYNONYMS.get(column, ()) if c in right_columns), None)
            if other:
                params.update(left_on=column, right_on=other)
        if "left_on" not in params:
            params["on"] = column
        how = re.search(r"\b(left|right|full|outer|inner|anti|semi)\b", clause.text)
        if how and how.group(1) != "inner":
            params["how"] = "full" if how.group(1) == "outer" else how.group(1)
        elif anti:
            params["how"] = "anti"
        elif re.search(r"\bkeep all\b|\ball of the\b", clause.text):
            params["how"] = "left"
        self.add("data.rows.join", params, self._quote(clause), data=False, inputs=[left, right])

    def _union(self, clause: Clause, left: StepDraft, right: StepDraft) -> None:
        shared = [c for c in left.columns if c in right.columns] or ["*"]
        listing = ", ".join(shared)
        query = f"SELECT {listing} FROM {left.name} UNION ALL SELECT {listing} FROM {right.name}"
        inputs = {s.name: f"{{{{ {s.name}.data }}}}" for s in (left, right)}
        step = self.add(
            "data.sql.query",
            {"inputs": inputs, "query": query},
            f"{self._quote(clause)}: one dataset with the columns both have",
            base="combined",
            data=False,
            inputs=[left, right],
        )
        step.columns = shared

    def _on_sql(self, intent: Intent) -> None:
        clause = intent.clause
        quoted = [
            lit.value
            for _, lit in clause.literals(self.request, "quote")
            if lit.value.lower().lstrip("( ").startswith(("select", "with"))
        ]
        if not quoted or clause.literals(self.request, "db") or self.current is None:
            return
        query = quoted[0]
        tables = re.findall(r"\b(?:from|join)\s+([A-Za-z_][A-Za-z0-9_]*)", query, re.IGNORECASE)
        pool = [s for s in self.steps if s.method in self.book.rows or s is self.current]
        inputs: dict[str, str] = {}
        for i, table in enumerate(dict.fromkeys(tables)):
            match = next((s for s in self.steps if s.name == table), None)
            if match is None:
                match = pool[i] if i < len(pool) and len(tables) > 1 else self.current
            inputs[table] = f"{{{{ {match.name}.data }}}}"
        if not inputs:
            inputs[self.current.name] = f"{{{{ {self.current.name}.data }}}}"
        used = [s for s in self.steps if f"{{{{ {s.name}.data }}}}" in inputs.values()]
        self.add(
            "data.sql.query",
            {"inputs": inputs, "query": query},
            self._quote(clause),
            data=False,
            inputs=used,
        )

    def _on_train(self, intent: Intent) -> None:
        clause = intent.clause
        text = self.request.text
        if self.current is None:
            return
        name = self._name("train")
        target = re.search(
            r"\b(?:predict|predicts|predicting|target(?: column)?|label(?: column)?)\s+(?:the\s+|whether\s+)?([a-z_][a-z0-9_]*)",
            text,
        )
        model = re.search(
            r"\b(?:register(?:ed)? (?:it )?as|call(?:ed)? (?:it|the model)|named|name it|model name)\s+([a-z_][a-z0-9_-]*)",
            text,
        )
        params: dict[str, Any] = {}
        params["target"] = (
            target.group(1)
            if target
            else self._ask(name, "target", "Which column should the model learn to predict?")
        )
        default_name = f"{params['target']}_model" if params["target"] else None
        params["model_name"] = (
            model.group(1)
            if model
            else self._ask(
                name, "model_name", "Under which name should the model be registered?", default_name
            )
        )
        self.add(
            "ml.model.train",
            {k: v for k, v in params.items() if v is not None},
            self._quote(clause),
        )

    def _on_drift(self, intent: Intent) -> None:
        clause = intent.clause
        if len(self.unconsumed) < 2:
            return
        current, reference = self.unconsumed[-2], self.unconsumed[-1]
        params: dict[str, Any] = {
            "current": f"{{{{ {current.name}.data }}}}",
            "reference": f"{{{{ {reference.name}.data }}}}",
        }
        columns = slots.drift_columns(clause.text)
        if columns:
            params["columns"] = columns
        self.add(
            "ml.data.drift", params, self._quote(clause), data=False, inputs=[current, reference]
        )

    def _on_sink(self, intent: Intent) -> None:
        clause = intent.clause
        if self.current is None:
            return
        method = intent.method or "file.csv.write"
        params = dict(intent.params)
        ext = {
            "file.csv.write": "csv",
            "file.parquet.write": "parquet",
            "file.jsonl.write": "jsonl",
        }
        if any(
            s.method == method
            and s.params.get("path", s.params.get("url")) == params.get("path", params.get("url"))
            and "path" in params
            for s in self.steps
        ):
            return
        name = self._name(self._sink_base(method))
        if method in ext and "path" not in params:
            default = f"out/{self.pipeline_name()}.{ext[method]}"
            params["path"] = self._ask(
                name,
                "path",
                f"Where should the {ext[method].upper()} file be written?",
                default,
                slot="sink.path"
                if not any(q.slot == "sink.path" for q in self.questions)
                else None,
            )
        if method == "sql.table.write":
            if "url" not in params:
                params["url"] = self._ask(
                    name,
                    "url",
                    "Which database should the table be written to (a SQLAlchemy URL)?",
                    "sqlite:///out/odp.db",
                )
            value = None
            # after the database the clause reads from, if any (*copy the orders table from
            # A into the archive table of B*)
            read = [p for p, _ in clause.literals(self.request, "db") if p < intent.pos]
            text = clause.text[read[-1] :] if read else clause.text
            for pattern in (
                r"\btable\s+(?:named\s+|called\s+)?([a-z_][\w.]*)",
                r"\b(?:the|a)\s+([a-z_][\w.]*)\s+table\b",
                r"\binto\s+([a-z_][\w.]*)\b",
            ):
                table = re.search(pattern, text)
                if table and table.group(1) not in ("the", "a", "table", "in", "of", "from"):
                    value = table.group(1)
                    break
            params["table"] = value or self._ask(
                name,
                "table",
                "Which table should the rows be written to?",
                self.pipeline_name().replace("-", "_"),
            )
            mode = re.search(
                r"\b(replac\w*|overwrit\w*|upsert\w*|append\w*|insert\w*|"
                r"add\w* (?:\w+ ){0,2}(?:to|into) (?:the |a )?(?:\w+ )?table)\b",
                self.request.text,
            )
            if mode:
                word = mode.group(1)
                params["mode"] = (
                    "upsert"
                    if word.startswith("upsert")
                    else "replace"
                    if word.startswith(("replac", "overwrit"))
                    else "append"
                )
        self.add(method, params, self._quote(clause), base=name)

    @staticmethod
    def _sink_base(method: str) -> str:
        return {"http.webhook.post": "alert", "sql.table.write": "to_table"}.get(method, "save")

    def _fallback(self) -> bool:
        """No source was understood: ask which file to read; whether one was given."""
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
        self.add(
            method, {"path": path}, why, base=path.rsplit("/", 1)[-1].split(".")[0], data=False
        )
        return True

    # ------------------------------------------------------------------ result
    def pipeline_name(self) -> str:
        """A readable name for the pipeline: its topic and what it searches (``ai-tweets``)."""
        slug = _slug(self.topic or "") or "plan"
        search = next((s for s in self.steps if s.method in _SOURCE_NOUNS), None)
        if search is not None and slug != "plan":
            slug = f"{slug}-{search.name}"
        return slug if len(slug) > 2 else f"{slug}-plan"

    def pipeline(self) -> dict[str, Any]:
        """The draft as pipeline data."""
        data: dict[str, Any] = {"name": self.pipeline_name()}
        for step in self.steps:
            section = _SECTION[self.catalog.get(step.method).kind]
            data.setdefault(section, []).append(
                {"name": step.name, "method": step.method, "params": step.params}
            )
        return data

    def notes(self) -> tuple[StepNote, ...]:
        """One line per step: what it does and why."""
        return tuple(StepNote(step=s.name, method=s.method, note=s.note) for s in self.steps)
