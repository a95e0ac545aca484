"""Scripted drafters and sample drafts for the agent's tests."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from odp.agent import Draft, Question, StepNote
from odp.catalog import MethodSpec
from odp.spec import Diagnostic

REQUEST = "find posts about AI on twitter, keep the negative English ones and save them to a CSV"

VALID: dict[str, Any] = {
    "name": "negative-ai-posts",
    "sources": [
        {
            "name": "posts",
            "method": "social.twitter.search",
            "params": {"query": "AI", "lang": "en"},
        }
    ],
    "transforms": [
        {"name": "scored", "method": "nlp.text.sentiment", "params": {"data": "{{ posts.data }}"}},
        {
            "name": "negative",
            "method": "data.rows.filter",
            "params": {"data": "{{ scored.data }}", "where": "sentiment_label = 'negative'"},
        },
    ],
    "sinks": [
        {
            "name": "save",
            "method": "file.csv.write",
            "params": {"data": "{{ negative.data }}", "path": "out/negative.csv"},
        }
    ],
}


def valid(**changes: Any) -> dict[str, Any]:
    """A deep copy of the valid pipeline, with top-level changes."""
    return copy.deepcopy(VALID) | changes


def with_unknown_method() -> dict[str, Any]:
    """The valid pipeline with a method that is not in the catalog."""
    pipeline = valid()
    pipeline["sources"][0]["method"] = "social.twitter.find"
    return pipeline


def with_bad_param() -> dict[str, Any]:
    """The valid pipeline with a param the method does not have."""
    pipeline = valid()
    pipeline["sinks"][0]["params"]["colour"] = "blue"
    return pipeline


NOTES = (
    StepNote(step="posts", method="social.twitter.search", note="fetch the posts about AI"),
    StepNote(step="save", method="file.csv.write", note="the request asks for a CSV"),
)
PATH_QUESTION = Question(
    slot="sink.path",
    question="Where should the CSV be written?",
    step="save",
    param="path",
    default="out/negative.csv",
)
QUERY_QUESTION = Question(slot="query", question="What should the posts be about?")


@dataclass
class Call:
    """One call a scripted drafter received."""

    kind: str
    request: str
    candidates: list[str]
    answers: dict[str, Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    previous: Draft | None = None


class ScriptedDrafter:
    """A drafter that answers from a list; an exception in the list is raised."""

    def __init__(self, *script: Draft | BaseException | None, name: str = "scripted") -> None:
        self.script = list(script)
        self.calls: list[Call] = []
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def _next(self) -> Draft:
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, BaseException):
            raise item
        return item  # type: ignore[return-value]  # None on purpose in one test

    async def draft(
        self,
        request: str,
        candidates: Sequence[MethodSpec[Any, Any]],
        *,
        answers: Mapping[str, Any],
    ) -> Draft:
        self.calls.append(Call("draft", request, [c.id for c in candidates], dict(answers)))
        return self._next()

    async def repair(
        self,
        request: str,
        previous: Draft,
        diagnostics: Sequence[Diagnostic],
        candidates: Sequence[MethodSpec[Any, Any]],
        *,
        answers: Mapping[str, Any],
    ) -> Draft:
        self.calls.append(
            Call(
                "repair",
                request,
                [c.id for c in candidates],
                dict(answers),
                list(diagnostics),
                previous,
            )
        )
        return self._next()
