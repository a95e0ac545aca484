"""The state a pipeline is drafted in: its steps so far, the current dataset, the questions.

:class:`DraftingBase` holds what every group of rules needs (:mod:`~odp.agent.offline.chain`
combines them): naming steps, asking questions, adding a step over the current rows, and
the columns the rows are known to have.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from odp.agent.models import Question
from odp.agent.offline import slots
from odp.agent.offline.clauses import Clause, Request
from odp.agent.offline.columns import ColumnBook
from odp.agent.offline.intents import Intent
from odp.agent.retrieval import MethodRetriever
from odp.catalog import Catalog, MethodKind
from odp.spec import NAMESPACES

__all__ = ["BASE_NAMES", "SOURCE_NOUNS", "DraftingBase", "StepDraft"]

BASE_NAMES: Final = {
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
_BOTH: Final = re.compile(r"\b(?:both|each of them|all of them|each source|either)\b")
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
SOURCE_NOUNS: Final = {
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


class DraftingBase:
    """The steps drafted so far and the plumbing every rule uses.

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
        self.waiting: list[Intent] = []  # intents said before the datasets they need
        self.early: list[Intent] = []  # intents drafted once the next rows are read

    def _name(self, base: str) -> str:
        base = re.sub(r"[^a-z0-9_]", "_", base.lower()).strip("_")[:40] or "step"
        base = base if base[0].isalpha() else f"s_{base}"
        if base in NAMESPACES:  # `run_*.parquet`: `run` is `{{ run.… }}`
            base = f"{base}_rows"
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
        name = self._name(base or BASE_NAMES.get(method, method.rsplit(".", 1)[-1]))
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
        # after an aggregate: `sentiment` is its `avg_sentiment`
        made = [c for c in columns if c.endswith(f"_{word}") or c.startswith(f"{word}_")]
        return made[0] if len(made) == 1 else word

    def _has(self, method: str) -> bool:
        return self.current is not None and method in self.current.lineage

    def _quote(self, clause: Clause) -> str:
        return f'the request says "{clause.shown(self.request)}"'

    def pipeline_name(self) -> str:
        """A readable name for the pipeline: its topic and what it searches (``ai-tweets``)."""
        slug = _slug(self.topic or "") or "plan"
        search = next((s for s in self.steps if s.method in SOURCE_NOUNS), None)
        if search is not None and slug != "plan":
            slug = f"{slug}-{search.name}"
        return slug if len(slug) > 2 else f"{slug}-plan"
