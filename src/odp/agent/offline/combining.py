"""Combining datasets: joins (with their keys and kinds), unions and SQL over several inputs.

Each takes the last two datasets no step has consumed yet (or the ones a quoted query
names).
"""

from __future__ import annotations

import re
from typing import Any, Final

from odp.agent.offline.clauses import NAME_LIST, Clause, split_names
from odp.agent.offline.drafts import DraftingBase, StepDraft
from odp.agent.offline.intents import Intent, clause_intents
from odp.agent.offline.slots import DOTTED_KEYS, SEMI

__all__ = ["CombiningRules"]

_KEY_SYNONYMS: Final = {"url": ("link", "final_url"), "link": ("url",), "id": ("post_id",)}
_ANTI: Final = re.compile(
    r"\b(?:(?:that|which|who)\s+(?:have|has|had)\s+no|with\s+no|without\s+(?:a|an|any)|"
    # `users that have not logged in at all`, `accounts that haven't ordered`
    r"(?:have|has|had|did|do|does)(?:\s+not|n't|n\u2019t)\s+(?:yet\s+|ever\s+)?\w+(?:\s+(?:in|up))?|"
    r"never\s+\w+(?:\s+(?:a|an|any|in|up|up in))?|"
    r"not\s+(?:in|seen|found|present|listed|appearing)(?:\s+in)?|missing from|absent from|"
    r"no (?:matching|corresponding))\b(?:\s+(?:the\s+)?([a-z_]+))?"
)
_KEY_IS: Final = re.compile(
    r"\b(?:join |matching )?key(?: column)?\s*(?:\bis\b|=|:|,|\bbeing\b)\s*([a-z_][a-z0-9_]*)|"
    r"\bkeyed\s+(?:on|by)\s+([a-z_][a-z0-9_]*)"
)
_DOTTED: Final = re.compile(r"\b" + DOTTED_KEYS + r"\b")
# `both files have user_id`: one key for both sides
_KEY_SHARED: Final = re.compile(
    r"\b(?:both\s+(?:\w+\s+)?(?:have|has|share|contain|carry|include)|share|have in common)\s+"
    r"(?:a\s+|an\s+|the\s+)?(?:column\s+|field\s+)?([a-z_][a-z0-9_]*)|"
    # `(it has posting_id as well)`
    r"\b(?:it|they|this one|that one)\s+(?:has|have|carries|contains)\s+(?:the\s+)?"
    r"([a-z_][a-z0-9_]*)\s+(?:as well|too)\b"
)
# `match dest_iata to iata_code`: the left key, then the right one
_KEY_MATCH_TO: Final = re.compile(
    r"\bmatch\w*\s+(?:the\s+)?([a-z]+_[a-z0-9_]*)\s+(?:to|with|against)\s+(?:the\s+)?"
    r"([a-z_][a-z0-9_]*)\b"
)
# `matching on currency`, `on the sku column`
_KEY_MATCHING: Final = re.compile(
    r"\bmatch\w*\s+(?:them\s+)?(?:on|by)\s+(?:the\s+)?([a-z_][a-z0-9_]*)|"
    r"\bon\s+the\s+([a-z_][a-z0-9_]*)\s+(?:column|field|key)\b"
)
# `whose author is on our banned list (⟨1⟩, username column)`: each side's key
_KEY_LISTED: Final = re.compile(
    r"\bwhose\s+([a-z_][a-z0-9_]*)\s+(?:is|are|appears?|shows? up)\s+(?:on|in)\s+"
    r"(?:our|the|a|their)\s+[\w\s]*?(?:list|table|file|sheet)\b.*?⟨\d+⟩\s*,?\s*"
    r"(?:the\s+)?([a-z_][a-z0-9_]*)\s+(?:column|field)\b"
)
# `members.id matches member_id`: the left key (a dotted name), then the right one
_KEY_DOT_MATCHES: Final = re.compile(
    r"\b[a-z_]\w*\.([a-z_]\w*)\s+(?:matches|equals|=|is|corresponds to|maps to)\s+(?:the\s+)?"
    r"(?:[a-z_]\w*\.)?([a-z_][a-z0-9_]*)\b"
)
# `keep orders even if their currency has no rate`: every row of the left side
_KEEP_ALL: Final = re.compile(
    r"\bkeep\w*\s+(?:all\s+|every\s+|the\s+)?\w+\s+even\s+(?:if|when|without)\b|"
    r"\bkeep all\b|\ball of the\b"
)
# words that ask for a combining step of their own: those rules draft it
_COMBINES: Final = re.compile(
    r"\b(?:join\w*|merg\w*|combin\w*|union|together|stack\w*|drift\w*|compar\w*|versus|vs|"
    r"reference|baseline)\b"
)
# `(same columns)`, `stacked`: the two datasets are rows of one table, not joined
_SAME_SHAPE: Final = re.compile(
    r"\bsame\s+(?:columns|schema|fields|layout|format|structure)\b|\bstack\w*\b|\bunion\b|"
    r"\bon top of each other\b|\bone under the other\b"
)
# `an order's cust_ref points to the customer's id`: the left key, then the right one
_KEY_POINTS: Final = re.compile(
    r"(?:\b([a-z]+)(?:'s|\u2019s)\s+)?\b([a-z_][a-z0-9_]*)\s+(?:points?|refers?|links?)\s+to\s+"
    r"(?:the\s+|a\s+|an\s+)?(?:[a-z]+(?:'s|\u2019s)\s+)?([a-z_][a-z0-9_]*)"
)
# `whose id shows up in the campaign_id column of ...`: the rows with a match there
_KEY_SHOWS_UP: Final = re.compile(
    r"\bwhose\s+([a-z_][a-z0-9_]*)\s+(?:shows?\s+up|turns?\s+up|appears?|is\s+listed|"
    r"is\s+found|exists?|occurs?)\s+in\s+(?:the\s+)?([a-z_][a-z0-9_]*)\s+(?:column|field)\b"
)
_KEY_PAIR: Final = re.compile(
    r"\b(?:has|have|uses?)\s+(?:the\s+|a\s+)?(?:column\s+)?([a-z_][a-z0-9_]*)\b.*?"
    r"\b(?:calls?|names?)\s+it\s+([a-z_][a-z0-9_]*)\b"
)


def _named_by_the_other(left: StepDraft, right: StepDraft) -> str | None:
    """A column one side selects that names the other side (``sku`` of ``skus_2027``)."""
    for one, other in ((left, right), (right, left)):
        query = one.params.get("query")
        if not isinstance(query, str):
            continue
        selected = re.match(r"\s*select\s+(.+?)\s+from\b", query, re.IGNORECASE | re.DOTALL)
        for column in re.split(r"\s*,\s*", selected.group(1)) if selected else []:
            word = column.strip().lower()
            if re.fullmatch(r"[a-z_][a-z0-9_]*", word) and other.name.startswith(word):
                return word
    return None


def _names(table: str, step: str) -> bool:
    """Whether a table named in words (``agents``) is a step's dataset (``agents``)."""
    return table.rstrip("s") in step


class CombiningRules(DraftingBase):
    """The rules that make one dataset of two."""

    def _on_join(self, intent: Intent) -> None:
        clause = intent.clause
        if len(self.unconsumed) < 2:
            # `which products sold anything? sales are in ...`: once both are read
            self.waiting.append(intent)
            return
        left, right = self.unconsumed[-2], self.unconsumed[-1]
        if _SAME_SHAPE.search(self.request.text) and not _DOTTED.search(self.request.text):
            self._union(clause, left, right)
            return
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
        near = intent.params.get("near", clause.index + 1)
        following = [
            *self.request.clauses[clause.index + 1 : clause.index + 3],
            *self.request.clauses[near : near + 1],
        ]
        nearby = " , ".join([clause.text, *(c.text for c in [*following, *previous])])
        named = _KEY_IS.search(nearby) or _KEY_SHARED.search(nearby) or _KEY_MATCHING.search(nearby)
        pair = _KEY_PAIR.search(nearby)
        dotted = _DOTTED.search(nearby)
        points = _KEY_POINTS.search(nearby)
        shows_up = _KEY_SHOWS_UP.search(nearby)
        if key is None and shows_up is not None:
            params.update(left_on=shows_up.group(1), right_on=shows_up.group(2))
            column = shows_up.group(1)
        elif key is None and points is not None:
            owner, first_key, second_key = points.groups()
            if owner and _names(owner, right.name) and not _names(owner, left.name):
                left, right = right, left  # the side whose key points is the one kept
                params.update(
                    left=f"{{{{ {left.name}.data }}}}", right=f"{{{{ {right.name}.data }}}}"
                )
            params.update(left_on=first_key, right_on=second_key)
            column = first_key
        elif key is None and dotted is not None:
            first, first_key, second, second_key = dotted.groups()
            if _names(second, left.name) and not _names(first, left.name):
                first_key, second_key = second_key, first_key
            if first_key == second_key:
                column = first_key
            else:
                params.update(left_on=first_key, right_on=second_key)
                column = first_key
        elif key is None and (to := _KEY_MATCH_TO.search(nearby)) is not None:
            params.update(left_on=to.group(1), right_on=to.group(2))  # `match a_id to id`
            column = to.group(1)
        elif key is None and named is not None:
            column = next(g for g in named.groups() if g)
        elif key is None and pair is not None:
            params.update(left_on=pair.group(1), right_on=pair.group(2))
            column = pair.group(1)
        elif key is None and (dot := _KEY_DOT_MATCHES.search(nearby)) is not None:
            params.update(left_on=dot.group(1), right_on=dot.group(2))  # members.id = member_id
            column = dot.group(1)
        elif key is None and (named_by := _named_by_the_other(left, right)) is not None:
            column = named_by  # `which SKUs ... don't have a price? (SELECT sku, price ...)`
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
        elif re.search(SEMI, clause.text) or shows_up is not None:
            params["how"] = "semi"
        elif _KEEP_ALL.search(nearby):
            params["how"] = "left"
        self.add("data.rows.join", params, self._quote(clause), data=False, inputs=[left, right])

    def _asked_to_combine(self) -> bool:
        """Whether the request asks in words for a join, a union or a drift check."""
        if _COMBINES.search(self.request.text):
            return True
        asked = {i.kind for c in self.request.clauses for i in clause_intents(c, self.request)}
        return bool(asked & {"join", "union", "drift"})

    def _relate(self, clause: Clause, *, asked: bool) -> None:
        """Two datasets read and nothing said to combine them: a join on the key said.

        *Which SKUs in a.csv don't have a price yet? prices live in b.db*, *... with the
        rates from URL, matching on currency*: the request relates them by a key in words;
        without a key, nothing is drafted (the person is better asked than guessed for).
        ``asked``: whether the request asks for a combining step (its rules draft it).
        """
        if len(self.unconsumed) < 2 or self.waiting or asked:
            return
        left, right = self.unconsumed[-2], self.unconsumed[-1]
        text = self.request.text
        params: dict[str, Any] = {
            "left": f"{{{{ {left.name}.data }}}}",
            "right": f"{{{{ {right.name}.data }}}}",
        }
        listed = _KEY_LISTED.search(text)
        shows_up = _KEY_SHOWS_UP.search(text)
        pair = listed or shows_up or _KEY_POINTS.search(text) or _KEY_DOT_MATCHES.search(text)
        shared = _KEY_SHARED.search(text) or _KEY_MATCHING.search(text) or _KEY_IS.search(text)
        if pair is not None:
            first, second = pair.groups()[-2:]
            params.update(left_on=first, right_on=second)
        elif shared is not None:
            params["on"] = next(g for g in shared.groups() if g)
        elif (column := _named_by_the_other(left, right)) is not None:
            params["on"] = column
        else:
            return
        if _ANTI.search(text):
            params["how"] = "anti"
        elif listed or shows_up or re.search(SEMI, text):
            params["how"] = "semi"
        elif _KEEP_ALL.search(text):
            params["how"] = "left"
        why = f"{self._quote(clause)}: the request relates the two datasets by this key"
        self.add("data.rows.join", params, why, data=False, inputs=[left, right])

    def _union(self, clause: Clause, left: StepDraft, right: StepDraft) -> None:
        shared = [c for c in left.columns if c in right.columns] or ["*"]
        listed = re.search(
            rf"\b(?:just|only)\s+(?:the\s+)?({NAME_LIST})",
            clause.text,
        )
        named = split_names(listed.group(1)) if listed else []
        if named and (shared == ["*"] or set(named) <= set(shared)):
            shared = named  # `stacked into one table with just id, title and url`
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
        reads = [s for s in self.steps if s.method == "sql.query.read"]
        if any(s.params.get("query") == query for s in reads):
            return  # `sqlite:///shop.db — SELECT ...`: the database runs it, said apart
        tables = re.findall(r"\b(?:from|join)\s+([A-Za-z_][A-Za-z0-9_]*)", query, re.IGNORECASE)
        if reads and not any(s.name in tables for s in self.steps):
            # `... from the warehouse (URL): reference = SELECT ..., current = SELECT ...`:
            # tables of the database already read, not datasets of this pipeline
            self.add(
                "sql.query.read",
                {"url": reads[-1].params["url"], "query": query},
                self._quote(clause),
                base=tables[0] if tables else None,
                data=False,
            )
            return
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
