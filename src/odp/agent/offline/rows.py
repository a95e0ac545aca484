"""Row rules: filter, sort, cap, sample, dedupe, select and aggregate the current rows.

A filter or an aggregate that needs an enricher's column (*negative*, *per language*)
adds the enricher first.
"""

from __future__ import annotations

import re
from typing import Any, Final

from odp.agent.offline import slots
from odp.agent.offline.clauses import Clause, split_names
from odp.agent.offline.drafts import SOURCE_NOUNS, StepDraft
from odp.agent.offline.enrichers import EnricherRules
from odp.agent.offline.intents import Intent
from odp.catalog import MethodKind

__all__ = ["RowRules"]

_NEGATE: Final = re.compile(r"\b(?:drop|remove|exclude|without|discard|get rid of|except)\b")
_LABELS: Final = ("negative", "positive", "neutral")
# a promotion's gate: `only if its r2 beats the current champion's by 0.02`
_PROMOTION_GATE: Final = re.compile(
    r"\b(?:beats?|better\s+than|improv\w*\s+on)\b[^.]*\b(?:champion|incumbent|current\s+(?:model|version))"
)
# a condition written out: `joined_on < ⟨0⟩`, `retries > 0`
_COMPARED: Final = re.compile(r"\b[a-z_]\w*\s*(?:==?|!=|<>|<=|>=|<|>)\s*(?:⟨\d+⟩|-?\d|'|[a-z_])")
_TIME_GROUPS: Final = {
    "day": "day",
    "date": "day",
    "week": "week",
    "month": "month",
    "hour": "hour",
}
_AGG_FN: Final = re.compile(
    r"(?<!by )(?<!on )(?<!where )(?<!sort )\b(?:count|counts|number of|how many|average|avg|"
    r"mean|sum|total|min|max|minimum|maximum)\b(?!\s*(?:>|<|=|!|is\b|above|below|over|under))"
)
# (`a sample of 40 threads ... search up to 300 threads`: the search's cap, said after)
_PASSED_BY_CAP: Final = frozenset(
    ["data.rows.filter", "nlp.text.language", "nlp.text.sentiment", "data.rows.sample"]
)
_NEEDED_BY_FILTER: Final = {"for": "; the filter needs its column"}
_NEEDED_BY_AGGREGATE: Final = {"for": "; the aggregate needs its column"}


_SQL_FN: Final = {
    "average": "avg",
    "mean": "avg",
    "total": "sum",
    "minimum": "min",
    "maximum": "max",
}
_NOT_NAMES: Final = frozenset(["the", "and", "a", "an", "of", "its", "their", "per", "by", "with"])


def _counts_only(aggregations: dict[str, str]) -> bool:
    return all(sql == "count(*)" for sql in aggregations.values())


_NAMES: Final = r"[a-z_][a-z0-9_]*(?:\s*(?:,|\u201a|\band\b|&)\s*[a-z_][a-z0-9_]*)*"


def _more_measures(done: StepDraft, last: StepDraft, aggregations: dict[str, str]) -> bool:
    """Whether measures without a group belong to the grouped aggregate just drafted.

    They do when they measure its input's columns, not its own (an average of its counts
    is a second rollup).
    """
    if done is not last or done.method != "data.rows.aggregate" or not done.params.get("group_by"):
        return False
    made = {*done.params["group_by"], *done.params["aggregations"]}
    used = {
        word
        for sql in aggregations.values()
        for word in re.findall(r"[a-z_]\w*", sql.split("(", 1)[-1])
    }
    return bool(used) and not used & made and not set(aggregations) & made


class RowRules(EnricherRules):
    """The rules that reshape the current rows."""

    def _on_dedupe(self, intent: Intent) -> None:
        assert self.current is not None  # said before any rows, it waited for them
        text = intent.clause.text
        match = re.search(
            r"\b(?:on|by|using|per|for each|for every|each)\s+(?:the\s+)?"
            r"([a-z_][a-z0-9_]*(?:\u201a\s*[a-z_][a-z0-9_]*)*)",
            text,
        )
        params: dict[str, Any] = {}
        if match and match.group(1) not in ("it", "them", "column", "columns"):
            keys = split_names(match.group(1))  # `one row per (user_id, event_id)`
            params["on"] = keys if len(keys) > 1 else keys[0]
        elif column := slots.duplicated_column(text):
            params["on"] = column  # `get rid of duplicate emails`
        key = params.get("on")
        if isinstance(key, str) and re.search(rf"\b{key}_id\b", self.request.text):
            params["on"] = f"{key}_id"  # `the latest row per member` of rows with member_id
        if re.search(
            r"\b(?:the last|the latest|the most recent|the newest)\s+(?:\w+\s+)?"
            r"(?:per|for each|for every|by|each)\b",
            text,
        ):
            params["keep"] = "last"  # `the last row per user`
        said = self.current
        if said.method == "data.rows.dedupe" and "on" not in said.params:
            # `clicks are duplicated: keep the first row per click_id`: the dedupe said twice
            said.params.update(params)
            return
        self.add("data.rows.dedupe", params, self._quote(intent.clause))

    def _on_sample(self, intent: Intent) -> None:
        text = intent.clause.text
        if self.current is None:
            return
        percent = re.search(r"(\d+(?:\.\d+)?)\s*(?:%|percent)", text)
        count = re.search(
            # `200 random rows`, `a 200-row sample`
            rf"{slots._NUM}(?:\s+|-)(?:random\s+)?(?:rows?|records?|items?|samples?|lines?|posts?|tweets?)\b",
            text,
        ) or re.search(
            rf"\bsample of\s+{slots._NUM}\b|\b{slots._NUM}\s+of\s+them\b|\bdraw\s+{slots._NUM}\b",
            text,
        )
        params: dict[str, Any] = {}
        if percent:
            params["fraction"] = float(percent.group(1)) / 100
        elif count:
            params["n"] = int(slots.number(next(g for g in count.groups() if g)) or 0)
        seed = re.search(r"\b(?:seed|random[\s_]state)\s*(?:=|:|of|is)?\s*(\d+)\b", text)
        said = next((s for s in self.steps if s.method == "data.rows.sample"), None)
        if said is None and not params:
            params["n"] = self._ask(
                self._name("sample"), "n", "How many rows should the sample have?", 1000
            )
        if seed is not None:
            params["seed"] = int(seed.group(1))
        if said is not None:
            # `a random sample of 50 articles ... then draw 50 with seed 11`: one sample,
            # whose size a size said again replaces (and nothing to ask when none is said)
            if count or percent:
                said.params.pop("n", None)
                said.params.pop("fraction", None)
            said.params.update(params)
            return
        self.add("data.rows.sample", params, self._quote(intent.clause))

    def _on_select(self, intent: Intent) -> None:
        text = intent.clause.text
        match = re.search(
            rf"\b(?:only|just|keep)\s+(?:with\s+)?(?:the\s+)?(?!the\b)({_NAMES})\s+(?:columns|fields)\b",
            text,
        ) or re.search(rf"\b(?:columns|fields)\s+(?!(?:and|renam\w*|call\w*)\b)({_NAMES})", text)
        # `keep just listing_id, neighbourhood and rating`: a list of names said as one
        match = match or re.search(
            rf"\b(?:just|only|write|save|export|output)\s+(?:the\s+|only\s+|just\s+)?"
            rf"([a-z_]\w*\u201a\s*{_NAMES})",
            text,
        )
        if self.current is None or re.search(r"\bfeatures?\b", text):
            return  # `using only tenure, plan and spend as features` is a training's
        if match is None:
            self._drop_columns(intent)
            return
        columns = split_names(match.group(1))
        if columns == self.current.columns:
            return  # `stacked into one table with just id and title`: the union's columns
        params: dict[str, Any] = {"columns": columns}
        # `..., and call them id, name and signed_up_at instead`
        renamed = re.search(
            rf"\b(?:renam\w*(?:\s+(?:them|those|these))?\s+(?:to|as)|"
            rf"call(?:ed)?\s+(?:them|those|these))\s+({_NAMES})",
            text,
        )
        # `with price_eur renamed to nightly_eur`: one column's new name
        one = re.search(
            r"\b([a-z_]\w*)\s+(?:renamed|renaming)\s+(?:to|as)\s+([a-z_]\w*)|"
            r"\brenam\w*\s+([a-z_]\w*)\s+(?:to|as)\s+([a-z_]\w*)",
            text,
        )
        names = split_names(renamed.group(1)) if renamed else []
        if len(names) == len(columns):
            params["rename"] = {
                old: new for old, new in zip(columns, names, strict=True) if old != new
            }
        elif one is not None and (one.group(1) or one.group(3)) in columns:
            params["rename"] = {one.group(1) or one.group(3): one.group(2) or one.group(4)}
        here = self.current
        paths = [lit.value for _, lit in intent.clause.literals(self.request, "path")]
        if here.method == "ml.data.drift":
            here.params.setdefault("columns", columns)  # `only income, loan and term`
            return
        if (
            "rename" not in params
            and here.params.get("path") in paths
            and "columns" in self.catalog.get(here.method).params_model.model_fields
        ):
            # `read x.parquet but only a, b and c`
            here.params["columns"] = columns
            here.columns = columns
            return
        self.add("data.rows.select", params, self._quote(intent.clause))

    def _drop_columns(self, intent: Intent) -> None:
        """*drop the ssn and phone columns, and rename dob to birth_date*: all but those."""
        text = intent.clause.text
        dropped = re.search(
            rf"\b(?:drop|remove|exclude|without|leave out|get rid of)\s+(?:the\s+)?({_NAMES})\s+"
            r"(?:columns|column|fields|field)\b",
            text,
        )
        if dropped is None:
            return
        params: dict[str, Any] = {"exclude": split_names(dropped.group(1))}
        renamed = re.search(r"\brenam\w*\s+([a-z_]\w*)\s+(?:to|as)\s+([a-z_]\w*)", text)
        if renamed is not None:
            params["rename"] = {renamed.group(1): renamed.group(2)}
        self.add("data.rows.select", params, self._quote(intent.clause))

    def _on_cap(self, intent: Intent) -> None:
        """*max 50*, *at most 30 results*: how many a search returns, or a sort keeps."""
        current = self.current
        # `..., only the negative ones, up to 120 of them`: what the search returns, past
        # the enrichers and filters drafted over its rows
        while current is not None and current.method in _PASSED_BY_CAP and current.parent:
            current = current.parent
        if current is None or current.method not in (*SOURCE_NOUNS, "data.rows.sort"):
            return
        cap = slots.result_cap(intent.clause, current.columns)
        if cap is None and current.method in SOURCE_NOUNS:  # `last 800 tweets`
            cap = slots.count_before(intent.clause, SOURCE_NOUNS[current.method])
        if cap is None:
            return
        param = "limit" if current.method == "data.rows.sort" else "max_results"
        current.params.setdefault(param, cap)
        if re.search(r"\b(?:each|every|per)\b", intent.clause.text):  # one search per language
            for step in [s for s in self.unconsumed if s.method == current.method]:
                step.params.setdefault(param, cap)

    def _on_since(self, intent: Intent) -> None:
        """*only ones posted since 2026-12-01*, said after the search: where it starts."""
        current, when = self.current, slots.since(intent.clause)
        if current is None or current.method not in SOURCE_NOUNS or when is None:
            return
        current.params.setdefault("since", when)

    def _on_sort(self, intent: Intent) -> None:
        clause = intent.clause
        spec = slots.sort_spec(clause)
        assert self.current is not None  # said before any rows, it waited for them
        if spec is None or (spec[0] is None and spec[2] is None):
            # `..., biggest first`: the order of the sort just drafted
            if self.current.method == "data.rows.sort" and re.search(
                r"\b(?:biggest|largest|highest|most|newest|desc\w*)\b", clause.text
            ):
                self.current.params["descending"] = True
            elif self.current.method == "data.rows.aggregate":
                self._sort_measure(clause)
            return
        by, descending, limit = spec
        if by == "created_at" and descending and self.current.method in SOURCE_NOUNS:
            if limit:  # the search returns the newest first: ask it for that many
                self.current.params.setdefault("max_results", limit)
            return
        if by == "created_at" and descending and self.current.method == "news.rss.read" and limit:
            # `the 20 most recent items from each of these feeds`: a feed lists its newest
            # first, and `max_items` is per feed
            self.current.params.setdefault("max_items", limit)
            return
        base = "top" if limit else "sorted"
        if by is None and self.current.method == "data.rows.sort":
            self.current.params.setdefault("limit", limit)  # `..., keep the first 5`
            return
        most = re.search(r"\b(?:most|highest|biggest|largest)\s+([a-z_]\w*)", clause.text)
        if by is None and most is not None and self._column(most.group(1)) in self.current.columns:
            by = self._column(most.group(1))  # `the ten categories with the most revenue`
        if by is None:  # `top 5`: ranked by what?
            by = (
                "likes"
                if "likes" in self.current.columns
                else self._ask(self._name(base), "by", "Which column should the rows be ranked by?")
            )
        named = rf"{by}_[a-z0-9_]+|[a-z0-9_]+_{by}"
        if by == "price":  # `cheapest first` over `rate_eur`
            named += r"|[a-z_]*(?:cost|rate|fare)_[a-z0-9_]*|[a-z_]+_(?:eur|usd|gbp|chf|jpy)"
        said = by and re.search(rf"\b({named})\b", self.request.text)
        if by not in self.current.columns and said:
            by = said.group(1)  # `cheapest first` over rows with `price_eur`
        params: dict[str, Any] = {"by": self._column(by)}
        if descending:
            params["descending"] = True
        if limit is not None:
            params["limit"] = limit
        self.add("data.rows.sort", params, self._quote(clause), base=base)

    def _sort_measure(self, clause: Clause) -> None:
        """`total amount per region, biggest first`: the totals in order of their measure."""
        order = re.search(
            r"\b(biggest|largest|highest|most|top|worst|smallest|lowest|least|fewest)\b.*\bfirst\b|"
            r"\b(desc|asc)\w*\b",
            clause.text,
        )
        assert self.current is not None
        aggregations = self.current.params.get("aggregations") or {}
        if order is None or not aggregations:
            return
        measures = [n for n, sql in aggregations.items() if not sql.startswith("count(*)")]
        params: dict[str, Any] = {"by": (measures or list(aggregations))[0]}
        if (order.group(1) or order.group(2)) in (
            "biggest",
            "largest",
            "highest",
            "most",
            "top",
            "worst",
            "desc",
        ):
            params["descending"] = True
        self.add("data.rows.sort", params, self._quote(clause))

    def _conditions(self, clause: Clause) -> list[str]:
        text = clause.text
        negate = bool(_NEGATE.search(text))
        conditions: list[str] = []
        # (`the blocks predicted positive`: a model's class, not a sentiment)
        labels = [
            w for w in _LABELS if re.search(rf"(?<!predicted )(?<!classified as )\b{w}\b", text)
        ]
        if labels and not re.search(r"\b(?:most|least)\s+(?:negative|positive)", text):
            self._on_sentiment(Intent("sentiment", 0, clause, params=_NEEDED_BY_FILTER))
            conditions.append(_one_of("sentiment_label", labels, negate=negate))
        codes = slots.languages_in(slots.without_candidates(text))
        if len(codes) == 1 and not negate and self._source_takes_lang():
            # `r/france threads ..., french only`: the search's own language filter, at the
            # source and with no detection step
            assert self.current is not None
            self.current.params["lang"] = codes[0]
        source_lang = any(s.params.get("lang") for s in self.steps)
        if codes and not source_lang:
            self._on_language(Intent("language", 0, clause, params=_NEEDED_BY_FILTER))
            conditions.append(_one_of("language", codes, negate=negate))
            rows = re.search(
                r"\b(?:tweets|posts|articles|items|rows|threads|reviews|comments|pages)\b", text
            )
            while (  # `... per language to a.csv, and the french tweets to b.parquet`
                rows is not None
                and self.current is not None
                and self.current.method == "data.rows.aggregate"
                and self.current.parent is not None
            ):
                self.current = self.current.parent
        known = self.current.columns if self.current else []
        for condition in slots.condition(clause, self.request, known, negate=negate):
            if (
                self.current is not None
                and self.current.method in SOURCE_NOUNS
                and re.fullmatch(r"(?:created_at|published) >=? '\d{4}-\d{2}-\d{2}'", condition)
            ):
                continue  # `articles published after 2026-11-20`: the search's own `since`
            missing = re.fullmatch(r"(\w+) IS (?:NOT )?NULL", condition)
            # `shops without any visit` (data/visits.csv read), `products that have no sale`
            # (two datasets read): rows no other dataset matches, a join's
            if missing and (
                len(self.unconsumed) >= 2
                or any(s.name.startswith(missing.group(1)) for s in self.steps)
            ):
                continue
            conditions.append(condition)
        return conditions

    def _source_takes_lang(self) -> bool:
        """Whether the current rows come straight from a source with a free ``lang`` param."""
        current = self.current
        assert current is not None  # a filter is drafted over rows
        if current.params.get("lang"):
            return False
        spec = self.catalog.get(current.method)
        return spec.kind is MethodKind.SOURCE and "lang" in spec.params_model.model_fields

    def _on_filter(self, intent: Intent) -> None:
        clause = intent.clause
        assert self.current is not None  # said before any rows, it waited for them
        outputs = self.catalog.get(self.current.method).output_model.model_fields
        if "data" not in outputs:
            self._filter_before(clause)
            return
        if slots.DRIFT_SHARE.search(clause.text) and self._has("ml.data.drift"):
            return  # `drifted only if more than 30% of them drift`: the check's setting
        if _PROMOTION_GATE.search(clause.text):
            return  # `only if its roc_auc is 0.01 better than the champion's`: a gate
        conditions = self._conditions(clause)
        if not conditions:
            return
        current = self.current
        if current.method == "data.rows.filter" and re.fullmatch(
            r"(?:i\.?e\.?\s+|that is\s+|so\s+)?[a-z_]\w*\s*(?:==?|!=|<>|<=|>=|<|>)\s*\S+",
            clause.text,
        ):
            # `the refunded orders placed in 2026, i.e. order_date >= '2026-01-01'`: the
            # condition just drafted, said precisely
            current.params["where"] = " AND ".join([current.params["where"], *conditions])
            return
        labels = re.findall(r"'(\w+)'", " ".join(conditions))
        base = "_".join(labels[:2]) if labels and "!=" not in " ".join(conditions) else "kept"
        self.add(
            "data.rows.filter", {"where": " AND ".join(conditions)}, self._quote(clause), base=base
        )

    def _filter_before(self, clause: Clause) -> None:
        """A comparison said after a step without rows (a training) filters that step's rows.

        `train ... on members.csv - only those who joined before 2028 (joined_on <
        '2028-01-01')`; `train ..., without student_id as a feature` compares nothing.
        """
        current = self.current
        parent = current.parent if current is not None else None
        if (
            current is None
            or parent is None
            or not _COMPARED.search(clause.text)
            or not (conditions := self._conditions(clause))
        ):
            return
        self.current = parent
        kept = self.add(
            "data.rows.filter", {"where": " AND ".join(conditions)}, self._quote(clause)
        )
        self.steps.remove(kept)
        self.steps.insert(self.steps.index(current), kept)
        current.params["data"] = f"{{{{ {kept.name}.data }}}}"
        current.parent = kept
        self.current = current

    def _aggregations(self, clause: Clause) -> dict[str, str]:
        aggregations: dict[str, str] = {}
        text = clause.text

        # `the total revenue (sum of amount)`: a name, then what it is
        def named(match: re.Match[str]) -> str:
            name, fn, column = match.groups()
            if name in _NOT_NAMES:
                return match.group(0)
            aggregations[name] = f"{_SQL_FN.get(fn, fn)}({column})"
            return " "

        text = re.sub(
            r"\b(?:(?:the\s+)?(?:total|average|mean)\s+)?([a-z_][a-z0-9_]*)\s+"
            r"(?:as\s+(?:the\s+)?|being\s+(?:the\s+)?|=\s*)?"
            r"(sum|total|average|avg|mean|min|max|minimum|maximum)\s+of\s+(?:the\s+)?"
            r"([a-z_][a-z0-9_]*)",
            named,
            text,
        )

        # `p95_response (the 95th percentile of response_seconds)`, `median wait_min`
        def quantile(match: re.Match[str]) -> str:
            name, share, column = match.groups()
            fn = f"median({column})"
            if share is not None:
                fn = f"quantile_cont({column}, {int(share) / 100:g})"
            aggregations[name or f"{'p' + share if share else 'median'}_{column}"] = fn
            return " "

        text = re.sub(
            r"\b(?:([a-z_][a-z0-9_]*_[a-z0-9_]*)\s+(?:as\s+|=\s*)?)?(?:the\s+)?"
            r"(?:(\d{1,2})(?:th|st|nd|rd)\s+percentile|median)\s+(?:of\s+)?(?:the\s+)?"
            r"([a-z_][a-z0-9_]*)",
            quantile,
            text,
        )
        # `avg_response (mean response_seconds)`: a name with an underscore, then its measure
        text = re.sub(
            r"\b([a-z_][a-z0-9_]*_[a-z0-9_]*)\s+(?:as\s+(?:the\s+)?|=\s*)?"
            r"(sum|total|average|avg|mean|min|max|minimum|maximum)\s+(?:of\s+)?(?:the\s+)?"
            r"([a-z_][a-z0-9_]*)",
            named,
            text,
        )
        # `the average and the minimum moisture_pct`: two measures of one column
        text = re.sub(
            r"\b(average|avg|mean|sum|total|min|max|minimum|maximum)\s+and\s+(?:the\s+)?"
            r"(average|avg|mean|sum|total|min|max|minimum|maximum)\s+(?:of\s+)?(?:the\s+)?"
            r"([a-z_][a-z0-9_]*)",
            r"\1 \3 and \2 \3",
            text,
        )
        # `sum units and net_revenue per category`: one measure of two columns
        text = re.sub(
            r"\b(sum|total|average|avg|mean|min|max)\s+(?:of\s+)?(?:the\s+)?([a-z_][a-z0-9_]*)\s+and\s+"
            r"(?:the\s+)?([a-z_][a-z0-9_]*_[a-z0-9_]+|[a-z_][a-z0-9_]*(?=\s+(?:per|by|for each)\b))",
            r"\1 \2 and \1 \3",
            text,
        )
        for fn, column in re.findall(
            r"(?<!by )(?<!sort )\b(average|avg|mean|sum|total|min|max|minimum|maximum)\s+"
            r"(?:of\s+)?(?:the\s+)?([a-z_][a-z0-9_]*)",
            text,
        ):
            sql = _SQL_FN.get(fn, fn)
            if column == "sentiment":
                self._on_sentiment(Intent("sentiment", 0, clause, params=_NEEDED_BY_AGGREGATE))
            aggregations[column if sql == "sum" else f"{sql}_{column}"] = f"{sql}({column})"
        distinct = re.search(
            r"\b(?:number of|count(?:s|ing)?(?:\s+of)?|how many)\s+(?:the\s+)?"
            r"(?:distinct|unique|different)\s+([a-z_]+)",
            text,
        )
        if distinct:
            noun = distinct.group(1)
            aggregations = {noun: f"count(DISTINCT {self._key_of(noun)})", **aggregations}
            return aggregations
        count = re.search(
            r"\b(?:count|counts|number of|how many)\s+(?:how many\s+)?(?:the\s+|of\s+)?([a-z_]+)?",
            text,
        )
        if count or not aggregations:
            noun = (count.group(1) if count else None) or "rows"
            if noun in ("tweets", "posts", "threads", "per", "by", "it", "them", "rows", "its"):
                noun = "posts" if noun in ("tweets", "posts", "threads") else "count"
            aggregations = {noun: "count(*)", **aggregations}
        return aggregations

    def _key_of(self, noun: str) -> str:
        """The column that tells ``customers`` apart: ``customer_id`` (or a known column)."""
        one = noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun
        columns = self.current.columns if self.current else []
        for candidate in (f"{one}_id", one, noun, f"{one}_name"):
            if candidate in columns:
                return candidate
        return f"{one}_id"

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
        done = self.current
        if not fixed and _more_measures(done, self.steps[-1], aggregations):
            # `per district: calls (number of calls), avg_response (mean response_seconds)`:
            # the measures said after a comma are the same rollup's
            done.params["aggregations"].update(aggregations)
            done.columns = [*done.columns, *aggregations]
            return
        if (
            done.method == "data.rows.aggregate"
            and self.steps[-1] is done
            and _counts_only(done.params["aggregations"])
            and _counts_only(aggregations)
        ):
            # `how many articles did each outlet publish? article count per source`: the
            # same count said again, in the dataset's own words the second time
            self.steps.pop()
            self.current = done.parent
            params["aggregations"] = {next(iter(done.params["aggregations"])): "count(*)"}
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


def _one_of(column: str, values: list[str], *, negate: bool) -> str:
    """``column = 'v'`` for one value, ``column IN ('v', 'w')`` for several (or not)."""
    if len(values) == 1:
        return f"{column} {'!=' if negate else '='} '{values[0]}'"
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} {'NOT IN' if negate else 'IN'} ({listed})"
