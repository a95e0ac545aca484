"""Sinks: files, database tables and webhooks that the current rows are written to."""

from __future__ import annotations

import re
from typing import Final

from odp.agent.offline.drafts import DraftingBase
from odp.agent.offline.intents import Intent

__all__ = ["SinkRules"]

# (a comma with a space before it joins clauses, not names; `records are in` is a sentence)
_COLUMNS: Final = (
    r"([a-z_]\w*(?:(?:(?<!\s),\s*|\s*(?:\band\b|&)\s*)[a-z_]\w*\b(?!\s+(?:are|is|was|were)\b))*)"
)
_UPSERT_KEY: Final = re.compile(
    rf"\b(?:keyed|matched|identified)\s+(?:on|by)\s+(?:the\s+)?{_COLUMNS}|"
    # `upserted (key id) into ...`
    rf"\bupsert\w*\s+(?:\w+\s+)?keys?\s+{_COLUMNS}|"
    # `upserting on contact_id`
    rf"\bupsert\w*\s+(?:on|by)\s+(?:the\s+)?{_COLUMNS}|"
    rf"\b(?:on|by|with)\s+(?:the\s+)?keys?\s+(?:column\s+|columns\s+)?{_COLUMNS}|"
    # `the posts table (key id)`, `primary key post_id`, `the key is id`
    rf"\b(?:table|primary)\s+keys?\s+(?:column\s+|columns\s+)?{_COLUMNS}|"
    rf"\bkeys?\s+(?:column\s+|columns\s+)?(?:is|=)\s+{_COLUMNS}|"
    # `with sku as the key`, `using id as its primary key`
    rf"\b(?:with|using|on)\s+{_COLUMNS}\s+as\s+(?:the\s+|its\s+)?(?:primary\s+|unique\s+)?keys?\b"
)
_SAME_DB: Final = re.compile(
    r"\b(?:same|that|this|the source)\s+(?:\w+\s+)?(?:db|database)\b|\bsame\s+(?:one|place)\b"
)
# words after `table` that say something of it, not its name (`the posts table key id at`)
_NOT_TABLES: Final = frozenset(
    ["the", "a", "table", "in", "of", "from", "key", "keys", "keyed", "at", "on", "with"]
)


class SinkRules(DraftingBase):
    """The rules that write the current rows (which stay current)."""

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
            reads = [s for s in self.steps if s.method == "sql.query.read"]
            if any(s.params.get("url") == params.get("url") for s in reads) and not re.search(
                r"\b(?:save|write|store|insert|append|upsert|load|put|dump|export|copy|into)\w*\b",
                clause.text,
            ):
                return  # `sqlite:///x.db, the orders table, ...`: the table read, not written
            if "url" not in params and reads and _SAME_DB.search(self.request.text):
                params["url"] = reads[-1].params["url"]  # `... table of the same database`
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
                r"\bcontents?\s+of\s+(?:the\s+)?([a-z_][\w.]*)",
                r"\binto\s+([a-z_][\w.]*)\b",
            ):
                table = re.search(pattern, text)
                if table and table.group(1) not in _NOT_TABLES:
                    value = table.group(1)
                    break
            params["table"] = value or self._ask(
                name,
                "table",
                "Which table should the rows be written to?",
                self.pipeline_name().replace("-", "_"),
            )
            modes = re.compile(
                r"\b(replac\w*|overwrit\w*|upsert\w*|append\w*|insert\w*|"
                r"add\w* (?:\w+ ){0,2}(?:to|into) (?:the |a )?(?:\w+ )?table)\b"
            )
            # the write's own words first (`rows are appended by the app, ... upsert them`)
            mode = modes.search(text) or modes.search(self.request.text)
            if mode:
                word = mode.group(1)
                params["mode"] = (
                    "upsert"
                    if word.startswith("upsert")
                    else "replace"
                    if word.startswith(("replac", "overwrit"))
                    else "append"
                )
            key = _UPSERT_KEY.search(self.request.text)
            if params.get("mode") == "upsert" and key is not None:
                # `upsert them ... keyed on id`, `upsert on the keys a and b`
                columns = next(g for g in key.groups() if g)
                params["key"] = re.split(r"\s*(?:,|\band\b|&)\s*", columns)
        self.add(method, params, self._quote(clause), base=name)

    @staticmethod
    def _sink_base(method: str) -> str:
        return {"http.webhook.post": "alert", "sql.table.write": "to_table"}.get(method, "save")
