"""Enrichers: columns added to every row (sentiment, language, entities, embeddings, clusters)."""

from __future__ import annotations

import re
from typing import Any, Final

from odp.agent.offline import slots
from odp.agent.offline.drafts import DraftingBase
from odp.agent.offline.intents import Intent

__all__ = ["EnricherRules"]

_CLUSTER_VERB: Final = re.compile(r"\bcluster\w*|\bgroup\w* (?:of |them by )?similar")


class EnricherRules(DraftingBase):
    """The rules that add columns to the current rows, or to each of two sources (*both*)."""

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
        assert self.current is not None  # said before any rows, it waited for them
        if clause.literals(self.request, "url") and "extract" not in clause.text:
            return
        # a column named in a filter or a dedupe (`duplicate emails`, `no urls`, `whose
        # title mentions x`) is not something to extract
        text = re.sub(
            r"\b(?:duplicated?|repeated|no|without(?: an?| any)?|missing)\s+[\w-]+"
            r"|\b[\w-]+\s+(?:column|field)\b|\b(?:whose|where)\s+(?:the\s+)?\w+\s+mentions\b"
            # `fetch the full pages behind their urls`: the pages' addresses, not extracted
            r"|\b(?:behind|from|at|of)\s+(?:their|the|its|those|these)\s+(?:urls|links)\b"
            # `just the id, author and hashtags columns`: columns kept, not extracted
            r"|\b(?:[\w-]+\u201a\s*)+[\w-]+(?:\s+and\s+[\w-]+)?\s+(?:columns|fields)\b"
            r"|\b(?:title|text|body|content|description|summary|subject|headline)\s+mentions\b",
            "",
            clause.text,
        )
        text = re.sub(r"\b(e-?mail) address(?:es)?\b", r"\1s", text)  # `email addresses`
        if not re.search(r"\b(?:hashtag|mention|url|link|e-?mail|entit(?:y|ie))s\b|extract", text):
            return
        kinds = []
        for word in re.findall(r"\b(?:hashtag|mention|url|link|e-?mail)s\b", text):
            kind = {"links": "urls", "e-mails": "emails"}.get(word, word)
            if kind not in kinds:
                kinds.append(kind)
        params: dict[str, Any] = {"kinds": kinds} if kinds else {}
        column = self._text_column(clause)
        if column:
            params["column"] = column
        done, done_kinds = self.current, self.current.params.get("kinds")
        if done.method == "nlp.text.extract" and (
            done_kinds is None or (kinds and set(kinds) <= set(done_kinds))
        ):
            # `what links do people post ...? extract the urls from the posts`: said twice
            return
        self._enrich("nlp.text.extract", params, self._quote(clause), clause)

    def _on_embed(self, intent: Intent) -> None:
        if self.current is None or self._has("ml.text.embed"):
            return
        cluster = self.current
        if (
            cluster.method == "ml.text.cluster"
            and self.steps[-1] is cluster
            and cluster.parent is not None
            and re.match(r"(?:using|with|via|based on|from|over|on)\b", intent.clause.text)
        ):
            # `cluster the articles into 6 groups, using embeddings of the titles`: the
            # clustering said first runs over the embeddings said after it
            self.steps.pop()
            self.current = cluster.parent
            self._on_embed(intent)
            again = {k: v for k, v in cluster.params.items() if k != "data"}
            again["column"] = "embedding"
            self.add("ml.text.cluster", again, cluster.note.split("; ", 1)[-1])
            return
        params: dict[str, Any] = {}
        column = self._text_column(intent.clause)
        if column:
            params["column"] = column
        self._enrich("ml.text.embed", params, self._quote(intent.clause), intent.clause)

    def _on_cluster(self, intent: Intent) -> None:
        clause = intent.clause
        later = self.request.clauses[clause.index + 1 :]
        if self.current is None or (
            # `see what topics come up ... embed them, make 8 clusters`: the goal said first,
            # the step asked for later (after the embedding) is the one to draft
            not _CLUSTER_VERB.search(clause.text)
            and any(_CLUSTER_VERB.search(c.text) for c in later)
        ):
            return
        match = re.search(
            rf"{slots._NUM}\s+(?:\w+\s+)?(?:clusters|groups|topics|themes|buckets)\b|\bk\s*=\s*(\d+)",
            clause.text,
        )
        if match is None and self._has("ml.text.cluster"):
            return  # `save the posts with their cluster`: the clustering drafted already
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
