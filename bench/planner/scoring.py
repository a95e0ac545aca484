"""TaskBench-style scores of a drafted pipeline against a gold one.

- valid: the draft passes ``odp.spec`` validation with no error.
- hallucinated: the draft names a method id that is not in the catalog.
- node F1: over the multiset of method ids.
- edge F1: over the multiset of (producer method, consumer method) pairs, one per
  ``{{ step.field }}`` reference from a step's params to another step.
- param F1: over (method, param, value) triples of the key params (``KEY_PARAMS``),
  values normalised (case, spaces, quotes, order of lists; a one-item list is its item,
  as validation accepts either where a param takes a list); a ``where`` is the set of
  its conditions joined by top-level AND (``a AND b`` is ``b AND a``).

Per request scores are averaged over a split (macro averages, as TaskBench does); the
latency is the median over requests.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "KEY_PARAMS",
    "CaseScore",
    "Summary",
    "edges",
    "f1",
    "key_params",
    "methods",
    "normalize",
    "normalize_where",
    "score_case",
    "summarize",
]

KEY_PARAMS: Mapping[str, tuple[str, ...]] = {
    "social.twitter.search": ("query", "max_results", "since", "lang"),
    "social.reddit.search": ("query", "subreddit", "max_results", "since", "lang"),
    "news.articles.search": ("query", "max_results", "since", "lang"),
    "news.rss.read": ("url",),
    "web.page.fetch": ("urls", "url_column"),
    "http.json.get": ("url", "records_path"),
    "sql.query.read": ("url", "query"),
    "file.csv.read": ("path",),
    "file.jsonl.read": ("path",),
    "file.parquet.read": ("path",),
    "file.csv.write": ("path",),
    "file.jsonl.write": ("path",),
    "file.parquet.write": ("path",),
    "sql.table.write": ("url", "table", "mode"),
    "http.webhook.post": ("url",),
    "nlp.text.sentiment": ("column",),
    "nlp.text.language": ("column", "languages"),
    "nlp.text.extract": ("column", "kinds"),
    "ml.text.embed": ("column",),
    "ml.text.cluster": ("column", "k"),
    "data.rows.filter": ("where",),
    "data.rows.sort": ("by", "descending", "limit"),
    "data.rows.aggregate": ("group_by",),
    "data.rows.dedupe": ("on",),
    "data.rows.sample": ("n", "fraction"),
    "data.rows.select": ("columns",),
    "data.rows.join": ("on", "left_on", "right_on", "how"),
    "data.sql.query": (),
    "ml.model.train": ("target", "model_name"),
    "ml.model.predict": ("model",),
    "ml.model.evaluate": ("model", "target"),
    "ml.model.promote": ("model", "alias"),
    "ml.data.drift": ("columns",),
}
_SECTIONS = ("sources", "transforms", "sinks")
_REF = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\.")


def _steps(pipeline: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not isinstance(pipeline, Mapping):
        return []
    found: list[Mapping[str, Any]] = []
    for section in _SECTIONS:
        steps = pipeline.get(section)
        if isinstance(steps, list):
            found += [s for s in steps if isinstance(s, Mapping)]
    return found


def methods(pipeline: Mapping[str, Any] | None) -> list[str]:
    """The method ids of a pipeline's steps."""
    return [str(s.get("method")) for s in _steps(pipeline)]


def _refs(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield from _REF.findall(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def edges(pipeline: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(producer method, consumer method), one per reference between two steps."""
    steps = _steps(pipeline)
    by_name = {s.get("name"): str(s.get("method")) for s in steps}
    found = []
    for step in steps:
        for name in dict.fromkeys(_refs(step.get("params"))):
            if name in by_name and name != step.get("name"):
                found.append((by_name[name], str(step.get("method"))))
    return found


def normalize(value: Any) -> Hashable:
    """A comparable form of a param value: case, spaces and quotes do not matter.

    A one-item list compares equal to its item (``url: [x]`` and ``url: x``): the params
    that take a list accept a single value too.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list | tuple) and len(value) == 1:
        return normalize(value[0])
    if isinstance(value, list | tuple):
        return tuple(sorted((normalize(v) for v in value), key=repr))
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), normalize(v)) for k, v in value.items()))
    text = str(value).strip().lower().replace('"', "'")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*(<>|!=|>=|<=|=|<|>|,|\(|\))\s*", r"\1", text)
    return text.replace("<>", "!=")


def _conditions(where: str) -> list[str]:
    """The conditions of a ``where`` joined by AND outside brackets and quotes.

    The AND of ``x BETWEEN 1 AND 5`` belongs to its condition.
    """
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for match in re.finditer(r"'|\(|\)|\band\b", where, re.IGNORECASE):
        token = match.group(0)
        if token == "'":
            quoted = not quoted
        elif not quoted and token in "()":
            depth += 1 if token == "(" else -1
        elif not quoted and depth == 0 and token.lower() == "and":
            piece = where[start : match.start()]
            if re.search(r"\bbetween\s+\S+\s*$", piece, re.IGNORECASE):
                continue
            parts.append(piece)
            start = match.end()
    parts.append(where[start:])
    return [part for part in parts if part.strip()]


def normalize_where(where: Any) -> Hashable:
    """A ``where`` as the unordered set of its top-level AND conditions."""
    if not isinstance(where, str):
        return normalize(where)
    conditions = [normalize(c) for c in _conditions(where.replace('"', "'"))]
    return conditions[0] if len(conditions) == 1 else tuple(sorted(conditions, key=repr))


def key_params(pipeline: Mapping[str, Any] | None) -> list[tuple[str, str, Hashable]]:
    """(method, param, normalised value) for each key param a pipeline sets."""
    found = []
    for step in _steps(pipeline):
        method = str(step.get("method"))
        params = step.get("params")
        if not isinstance(params, Mapping):
            continue
        for name in KEY_PARAMS.get(method, ()):
            if name in params and params[name] is not None:
                value = params[name]
                found.append(
                    (method, name, normalize_where(value) if name == "where" else normalize(value))
                )
    return found


def f1(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> float:
    """F1 over two multisets; 1.0 when both are empty."""
    if not predicted and not gold:
        return 1.0
    common = sum((Counter(predicted) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision = common / len(predicted)
    recall = common / len(gold)
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True, slots=True)
class CaseScore:
    """The scores of one request."""

    id: str
    stratum: str
    valid: bool
    hallucinated: bool
    node_f1: float
    edge_f1: float
    param_f1: float
    seconds: float


def score_case(
    case_id: str,
    stratum: str,
    gold: Mapping[str, Any],
    predicted: Mapping[str, Any] | None,
    *,
    valid: bool,
    catalog_ids: Iterable[str],
    seconds: float,
) -> CaseScore:
    """Score one drafted pipeline against its gold pipeline."""
    known = set(catalog_ids)
    predicted_methods = methods(predicted)
    return CaseScore(
        id=case_id,
        stratum=stratum,
        valid=valid,
        hallucinated=any(m not in known for m in predicted_methods),
        node_f1=f1(predicted_methods, methods(gold)),
        edge_f1=f1(edges(predicted), edges(gold)),
        param_f1=f1(key_params(predicted), key_params(gold)),
        seconds=seconds,
    )


@dataclass(frozen=True, slots=True)
class Summary:
    """Averages over a set of requests."""

    n: int
    valid_rate: float
    hallucinated_rate: float
    node_f1: float
    edge_f1: float
    param_f1: float
    p50_ms: float


def summarize(scores: Sequence[CaseScore]) -> Summary:
    """Macro averages over requests and the median latency."""
    if not scores:
        return Summary(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    n = len(scores)
    return Summary(
        n=n,
        valid_rate=sum(s.valid for s in scores) / n,
        hallucinated_rate=sum(s.hallucinated for s in scores) / n,
        node_f1=sum(s.node_f1 for s in scores) / n,
        edge_f1=sum(s.edge_f1 for s in scores) / n,
        param_f1=sum(s.param_f1 for s in scores) / n,
        p50_ms=statistics.median(s.seconds for s in scores) * 1000,
    )
