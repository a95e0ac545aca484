"""Machine learning over datasets: training a model, comparing two datasets for drift."""

from __future__ import annotations

import re
from typing import Any, Final

from odp.agent.offline import slots
from odp.agent.offline.clauses import Clause
from odp.agent.offline.drafts import DraftingBase
from odp.agent.offline.intents import Intent

__all__ = ["LearningRules"]

# the dataset said to be the reference: `reference = ⟨1⟩`, `⟨1⟩ as the baseline`, `q3 is
# the reference`, `the training data ⟨1⟩` (a literal's number or a dataset's name)
_REFERENCE: Final = re.compile(
    r"\b(?:reference|baseline|training (?:data|set|rows))\s*(?:=|:|,|is|being|file)?\s*⟨(\d+)⟩|"
    r"(?:⟨(\d+)⟩|\b([a-z_]\w*))\s*(?:is the |as (?:the )?|= ?)?(?:reference|baseline)\b"
)

# the estimator named by its words (`a logistic regression`, `a random forest classifier`)
_ESTIMATORS: Final = (
    ("logistic_regression", r"\blogistic(?:\s+regression)?\b|\blogit\b"),
    ("random_forest", r"\brandom[\s_-]+forest\b"),
    ("gradient_boosting", r"\bgradient[\s_-]+boost\w*|\bboosted trees\b"),
    ("ridge", r"\bridge\b"),
    ("linear_regression", r"\blinear\s+regression\b"),
)
# the columns left out of the features: `leave customer_id out of the features`,
# `exclude id and email from the features`
_COLUMNS: Final = r"([a-z_][a-z0-9_]*(?:(?:\s*,\s*|\s+and\s+)[a-z_][a-z0-9_]*)*)"
_LEFT_OUT: Final = re.compile(
    rf"\bleav\w*\s+(?:the\s+)?(?:columns?\s+)?{_COLUMNS}\s+out\b|"
    rf"\bexclud\w*\s+(?:the\s+)?(?:columns?\s+)?{_COLUMNS}\s+from\s+(?:the\s+)?features\b"
)

# `target column: churned`, `label column is fraud`, `that predicts churned`
_TARGET: Final = re.compile(
    r"\b(?:predict|predicts|predicting|target(?: column)?|label(?: column)?)"
    r"\s*(?:[:=,]|\bis\b)?\s+(?:the\s+|whether\s+)?([a-z_][a-z0-9_]*)"
)
_MODEL_NAME: Final = re.compile(
    r"\b(?:register(?:ed)? (?:it )?as|(?:call(?:ed)?|name) (?:it|the model)|named|model name)"
    r"\s+([a-z_][a-z0-9_-]*)"
)

# the columns a drift check leaves out: `ignore customer_id and the churned label`
_NAMED_COLUMN: Final = r"(?:the\s+)?[a-z_][a-z0-9_]*(?:\s+(?:label|column|field|feature))?"
_IGNORED: Final = re.compile(
    rf"\b(?:ignor\w*|skip\w*|leav\w* out|exclud\w*)\s+"
    rf"({_NAMED_COLUMN}(?:(?:\s*,\s*|\s+and\s+){_NAMED_COLUMN})*)"
)


class LearningRules(DraftingBase):
    """The rules for a model's training and a drift check."""

    def _on_train(self, intent: Intent) -> None:
        clause = intent.clause
        text = self.request.text
        if self.current is None:
            return
        name = self._name("train")
        target = _TARGET.search(text)
        model = _MODEL_NAME.search(text)
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
        estimator = next((n for n, p in _ESTIMATORS if re.search(p, text)), None)
        if estimator is not None:
            params["estimator"] = estimator
        task = re.search(r"\b(?:classifier|classification|regressor)\b", text)
        if task is not None:
            params["task"] = "regression" if task.group(0) == "regressor" else "classification"
        left_out = _LEFT_OUT.search(text)
        if left_out is not None:
            params["exclude"] = re.split(
                r"\s*,\s*|\s+and\s+", left_out.group(1) or left_out.group(2)
            )
        self.add(
            "ml.model.train",
            {k: v for k, v in params.items() if v is not None},
            self._quote(clause),
        )

    def _says_of_training(self, clause: Clause) -> bool:
        """Whether a clause only qualifies a model's training (no step of its own).

        *leave id out of the features, and call it fraud_logit*, after the training.
        """
        trained = any(s.method == "ml.model.train" for s in self.steps)
        return trained and any(p.search(clause.text) for p in (_TARGET, _MODEL_NAME, _LEFT_OUT))

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
        ignored = _IGNORED.search(self.request.text)
        if ignored is not None:
            params["exclude"] = [
                re.sub(r"^the\s+|\s+(?:label|column|field|feature)$", "", name)
                for name in re.split(r"\s*,\s*|\s+and\s+", ignored.group(1))
            ]
        self.add(
            "ml.data.drift", params, self._quote(clause), data=False, inputs=[current, reference]
        )
