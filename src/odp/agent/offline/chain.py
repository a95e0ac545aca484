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
from typing import Any, Final

from odp.agent.models import StepNote
from odp.agent.offline.clauses import Clause, Request
from odp.agent.offline.combining import CombiningRules
from odp.agent.offline.drafts import StepDraft
from odp.agent.offline.intents import Intent, clause_intents, says_records
from odp.agent.offline.learning import LearningRules
from odp.agent.offline.rows import RowRules
from odp.agent.offline.settings import SettingRules, without_settings
from odp.agent.offline.sinks import SinkRules
from odp.agent.offline.sources import SourceRules
from odp.catalog import MethodKind

__all__ = ["Builder", "StepDraft"]

_SECTION: Final = {
    MethodKind.SOURCE: "sources",
    MethodKind.TRANSFORM: "transforms",
    MethodKind.SINK: "sinks",
}
_RETRIEVAL_MIN_SCORE: Final = 4.0
_RETRIEVAL_MIN_COSINE: Final = 0.4  # MiniLM: a clause and the method it asks for score 0.4-0.5
# `give me the list of stations`, `show me the results`: the rows themselves, no step
_ASKS_ROWS: Final = re.compile(
    r"\b(?:give|show|hand|return|send)\s+(?:me|us)\s+(?:the\s+|a\s+|all\s+)?"
    r"(?:full\s+|whole\s+)?(?:(?:list|set|table)\s+of\s+\w+|rows|records|data|results|\w+)$"
)
# what works on rows already read: said before any, it waits for the first
_OVER_ROWS: Final = frozenset(
    [
        "sentiment",
        "language",
        "extract",
        "embed",
        "cluster",
        "filter",
        "sort",
        "dedupe",
        "select",
    ]
)
# a clause that narrows what the clause before it wrote (`..., but only the id column`)
# `text is in ⟨0⟩, column answer_text`: the text column, said after what is read
_COLUMN_ALONE: Final = re.compile(
    # `the narrative is in `description``
    r"\b(?:narrative|text|body|content|message|comments?|description)\s+(?:is|are|lives|sits)\s+in\s+"
    r"(?:the\s+)?`([a-z_][a-z0-9_]*)`|"
    # `(free text in the comment column)`
    r"\b(?:free\s+)?text\s+(?:is\s+)?in\s+the\s+([a-z_][a-z0-9_]*)\s+(?:column|field)\b|"
    r"(?:^|,\s*)(?:the\s+)?(?:text\s+)?(?:column|field)\s+(?:is\s+)?([a-z_][a-z0-9_]*)$|"
    r"(?:^|,\s*)(?:the\s+)?(?:text\s+is\s+in\s+(?:the\s+)?)?([a-z_][a-z0-9_]*)\s+(?:column|field)$"
)
# `drop the photo_embedding column first`: before the step drafted just before it
# (`biggest first`, `most recent first` are orders)
_FIRST: Final = re.compile(
    r"(?<!est )(?<!most )(?<!least )(?<!recent )(?<!top )"
    r"\b(?:first|beforehand|before anything else)\s*(?:$|,)"
)
_AMENDS: Final = re.compile(r"(?:but|though|however)\b\s*(?:only|just|keep|with only|leave out)\b")
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


class Builder(SourceRules, RowRules, CombiningRules, LearningRules, SinkRules, SettingRules):
    """Turns one request into steps, notes and questions.

    Each group of rules lives in its own module (sources, enrichers, rows, combining,
    learning, sinks); an intent of kind ``x`` is handled by the rule ``_on_x``.

    Args:
        catalog: the methods (every step's method is checked against it).
        columns: the columns each method's rows have.
        answers: answers to earlier questions, by slot.
        retriever: ranks the catalog's methods for a clause no rule reads.
    """

    def build(self, request: Request) -> None:
        """Draft the steps of a request, clause by clause."""
        self.request = request
        self.early = []
        self._run(request)
        if not any(s.method in self.book.rows for s in self.steps):
            self.steps, self.unconsumed, self.current, self.questions = [], [], None, []
            self.waiting, self.early = [], []
            if self._fallback():
                self._run(request)
        self._settings()
        self._drop_phantoms()

    def _run(self, request: Request) -> None:
        asked = self._asked_to_combine()  # once: it reads every clause
        items_from: StepDraft | None = None  # the rows a numbered list's items start from
        for said in request.clauses:
            clause = Clause(without_settings(said.text), said.original, said.index)
            if said.item:
                # `then three things: 1) ... 2) ...`: each item branches off the same rows
                items_from = items_from or self.current
                self.current = items_from or self.current
            self._join_when_read(clause)
            self._relate(clause, asked=asked)
            intents = clause_intents(clause, request)
            if _AMENDS.match(clause.text) and self._amend(clause, intents):
                continue
            first, group = len(self.steps), 0
            for intent in intents:
                if intent.group != group:  # the next part branches off the same rows
                    group = intent.group
                    self.current = self._branch_point(first)
                if self.current is None and intent.kind == "train":
                    # `Train a model that ... Data: SELECT ... on ⟨db⟩, only the rows ...`:
                    # trained on the rows as they are once every clause is drafted
                    self.waiting.append(intent)
                    continue
                if self.current is None and intent.kind in _OVER_ROWS:
                    # `score the sentiment of our reviews: SELECT ... FROM reviews`: said
                    # before the rows it works on, drafted once they are read
                    self.early.append(intent)
                    continue
                handler = getattr(self, f"_on_{intent.kind}")
                handler(intent)
            if (
                _FIRST.search(clause.text)
                and len(self.steps) == first + 1
                and self.steps[-1].method != "data.rows.sort"
            ):
                self._put_first(self.steps[-1])
            if self.current is not None and self.early:
                early, self.early = self.early, []
                for intent in early:
                    getattr(self, f"_on_{intent.kind}")(intent)
            alone = _COLUMN_ALONE.search(clause.text)
            if alone is not None and self.current is not None and not self.current.columns:
                self.text_column = next(g for g in alone.groups() if g)
            if (
                not intents
                and not says_records(clause)
                and not _ASKS_ROWS.search(clause.text)
                and not self._says_of_training(clause)
                and not self._says_of_drift(clause)
            ):
                self._retrieve(clause)
        # a model's use said before rows that never came: over the rows there are
        model_uses = [i for i in self.early if i.kind in ("predict", "evaluate")]
        waiting, self.waiting, self.early = self.waiting + model_uses, [], []
        for intent in waiting:
            getattr(self, f"_on_{intent.kind}")(intent)

    def _put_first(self, step: StepDraft) -> None:
        """Move ``step`` before its parent, a transform over one dataset used by it alone."""
        parent = step.parent
        grand = parent.parent if parent is not None else None
        if (
            parent is None
            or grand is None
            or self.catalog.get(step.method).kind is not MethodKind.TRANSFORM
            or self.catalog.get(parent.method).kind is not MethodKind.TRANSFORM
            or parent.params.get("data") != f"{{{{ {grand.name}.data }}}}"
            or any(f"{{{{ {parent.name}." in str(s.params) for s in self.steps if s is not step)
        ):
            return
        step.params["data"] = f"{{{{ {grand.name}.data }}}}"
        parent.params["data"] = f"{{{{ {step.name}.data }}}}"
        step.parent, parent.parent = grand, step
        step.columns = self.book.after(step.method, grand.columns, step.params)
        parent.columns = self.book.after(parent.method, step.columns, parent.params)
        self.steps.remove(step)
        self.steps.insert(self.steps.index(parent), step)
        self.current = parent

    def _drop_phantoms(self) -> None:
        """A step missing a param that another step of its method has, and used by none.

        *read these 2 feeds, 10 items from each: URL URL*: the feeds said before their URLs.
        """
        for step in list(self.steps):
            fields = self.catalog.get(step.method).params_model.model_fields
            missing = [
                n for n, f in fields.items() if f.is_required() and step.params.get(n) is None
            ]
            used = any(f"{{{{ {step.name}." in str(s.params) for s in self.steps)
            twin = any(
                s is not step and s.method == step.method and all(s.params.get(n) for n in missing)
                for s in self.steps
            )
            if missing and not used and twin:
                self.steps.remove(step)
                self.questions = [q for q in self.questions if q.step != step.name]
                self.unconsumed = [s for s in self.unconsumed if s is not step]

    def _amend(self, clause: Clause, intents: list[Intent]) -> bool:
        """A clause that narrows what the sink just drafted writes.

        `convert a.csv to out/a.parquet, but only the id and name columns`: the rows written
        are the ones this clause makes.
        """
        sink = self.steps[-1] if self.steps else None
        if (
            sink is None
            or self.catalog.get(sink.method).kind is not MethodKind.SINK
            or sink.parent is not self.current
            or not intents
            or any(i.kind in ("source", "sink") for i in intents)
        ):
            return False
        self.steps.pop()
        for intent in intents:
            getattr(self, f"_on_{intent.kind}")(intent)
        if self.current is not None and self.current is not sink.parent:
            sink.params["data"] = f"{{{{ {self.current.name}.data }}}}"
            sink.parent = self.current
        self.steps.append(sink)
        return True

    def _join_when_read(self, clause: Clause) -> None:
        """A join said before its second dataset, drafted once both are read.

        The key may be said in this clause (*... sales are in b.parquet, key is sku*).
        """
        for intent in [i for i in self.waiting if i.kind in ("join", "drift")]:
            if len(self.unconsumed) >= 2:
                self.waiting.remove(intent)
                intent.params["near"] = clause.index
                getattr(self, f"_on_{intent.kind}")(intent)

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
