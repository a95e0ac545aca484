"""Machine learning over datasets: training a model, comparing two datasets for drift."""

from __future__ import annotations

import re
from typing import Any, Final

from odp.agent.offline import slots
from odp.agent.offline.drafts import DraftingBase
from odp.agent.offline.intents import Intent

__all__ = ["LearningRules"]

# the dataset said to be the reference: `reference = ⟨1⟩`, `⟨1⟩ as the baseline`, `q3 is
# the reference` (a literal's number or a dataset's name)
_REFERENCE: Final = re.compile(
    r"\b(?:reference|baseline)\s*(?:=|:|,|is|being|file)?\s*⟨(\d+)⟩|"
    r"(?:⟨(\d+)⟩|\b([a-z_]\w*))\s*(?:is the |as (?:the )?|= ?)?(?:reference|baseline)\b"
)


class LearningRules(DraftingBase):
    """The rules for a model's training and a drift check."""

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
            # `has our data drifted? reference = a.parquet, current = b.parquet`: asked
            # before its datasets, drafted once they are read
            self.waiting.append(intent)
            return
        current, reference = self.unconsumed[-2], self.unconsumed[-1]
        said = _REFERENCE.search(self.request.text)
        if said is not None:
            number = said.group(1) or said.group(2)
            path = self.request.literals[int(number)].value if number else None
            if current.params.get("path") == path or current.name == said.group(3):
                current, reference = reference, current
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
