"""Machine learning over datasets: training a model, comparing two datasets for drift."""

from __future__ import annotations

import re
from typing import Any, Final

from odp.agent.offline import slots
from odp.agent.offline.clauses import Clause, split_names
from odp.agent.offline.drafts import DraftingBase, StepDraft
from odp.agent.offline.intents import Intent

__all__ = ["LearningRules"]

# the dataset said to be the reference: `reference = ⟨1⟩`, `⟨1⟩ as the baseline`, `q3 is
# the reference`, `the training data ⟨1⟩` (a literal's number or a dataset's name)
_REFERENCE: Final = re.compile(
    r"\b(?:reference|baseline|training (?:data|set|rows)|trained on)\s*(?:=|:|,|is|being|file)?\s*"
    # `reference = the training features, ⟨0⟩`
    r"(?:(?:the\s+)?(?:[\w'-]+\s+){0,3}?(?:data|set|rows|features|inputs|file)\s*,?\s*)?⟨(\d+)⟩|"
    r"(?:⟨(\d+)⟩|\b([a-z_]\w*))\s*(?:is the |as (?:the )?|= ?)?(?:reference|baseline)\b"
)

# `no Holm correction`, `no multiple-testing correction`, `correction: none`
_NO_CORRECTION: Final = re.compile(
    r"\b(?:no|without(?:\s+(?:a|any))?|skip(?:\s+the)?|turn\s+off(?:\s+the)?)\s+"
    r"(?:holm\s+|multiple[\s-]+testing\s+|multiple[\s-]+comparisons?\s+|p[\s-]?value\s+)?correction\b|"
    r"\bcorrection\s*(?:=|:|to|is)?\s*none\b|\buncorrected\b"
)

# a registered model named: `churn@champion`, `models:/churn/3`
_MODEL_REF: Final = re.compile(r"\bmodels:/[\w./-]+|\b[a-z_][\w-]*@[a-z_][\w-]*\b")
# `with the prediction column named loaves`, `the prediction in a column called scab_risk`
_PREDICTION_COLUMN: Final = re.compile(
    r"\bprediction\w*\s+(?:\w+\s+){0,3}?(?:column\s+)?(?:named|called|as)\s+`?([a-z_]\w*)"
)
_EXPERIMENT: Final = re.compile(
    r"\bexperiment\s+(?:named\s+|called\s+)?(?:\"([^\"]+)\"|'([^']+)'|([\w-]+))"
)
# `promote it to champion`, `point the staging alias at it`, `make it champion`
_ALIAS: Final = re.compile(
    r"\b(?:promot\w*|mov\w*)\s+(?:[\w-]+\s+){0,3}?(?:to|as)\s+(?:the\s+)?([a-z_][\w-]*)|"
    r"\b(?:point|move|set)\s+(?:the\s+)?([a-z_][\w-]*)\s+alias\b|"
    r"\bmake\s+it\s+(?:the\s+)?(champion|production|staging)\b"
)
# `only if its r2 beats the champion's by 0.02`, `if its roc_auc is at least 0.01 better`
_GATE: Final = re.compile(
    r"\bif\s+(?:its\s+|the\s+new\s+version'?s?\s+)?([a-z][a-z0-9_]*)\s+"
    r"(?:beats\s+[^.]*?\bby\s+(?:at\s+least\s+)?(\d*\.\d+)|is\s+at\s+least\s+(\d*\.\d+)\s+(?:better|higher))"
)


def _ancestors(step: StepDraft) -> list[StepDraft]:
    found = []
    parent = step.parent
    while parent is not None:
        found.append(parent)
        parent = parent.parent
    return found


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
_COLUMNS: Final = r"([a-z_][a-z0-9_]*(?:(?:\s*[,\u201a]\s*|\s+and\s+)[a-z_][a-z0-9_]*)*)"
_LEFT_OUT: Final = re.compile(
    rf"\bleav\w*\s+(?:the\s+)?(?:columns?\s+)?{_COLUMNS}\s+out\b|"
    rf"\bexclud\w*\s+(?:the\s+)?(?:columns?\s+)?{_COLUMNS}\s+from\s+(?:the\s+)?features\b|"
    # `listing_id is just an id, don't use it as a feature`, `don't use email as a feature`
    r"\b([a-z_][a-z0-9_]*)\s+(?:is|are)\s+(?:just|only)\s+(?:an?\s+)?\w+\W+(?:so\s+)?"
    rf"(?:do not|don't|don\u2019t|never)\s+use\s+(?:it|them)\b|"
    rf"\b(?:do not|don't|don\u2019t|never)\s+use\s+(?:the\s+)?(?:columns?\s+)?{_COLUMNS}\s+"
    rf"(?:as\s+(?:a\s+)?features?|for\s+training)|"
    # `account_id shouldn't be a feature`
    rf"\b{_COLUMNS}\s+(?:should not|shouldn'?t|shouldn\u2019t|must not|mustn'?t|is not|isn'?t)"
    r"\s+be\s+(?:used\s+as\s+)?(?:an?\s+)?features?\b|"
    # `without student_id as a feature`
    rf"\bwithout\s+(?:the\s+)?{_COLUMNS}\s+as\s+(?:an?\s+)?features?\b|"
    # `store_id and week are not features`
    r"\b([a-z_][a-z0-9_]*(?:(?:(?<!\s),\s*|\s*\u201a\s*|\s+and\s+)[a-z_][a-z0-9_]*)*)"
    r"\s+(?:are not|aren't|aren\u2019t|is not|isn't|isn\u2019t)\s+(?:an?\s+)?features?\b"
)
# `using only age, tenure and plan as features`, `features: a, b, c`
_FEATURES: Final = re.compile(
    rf"\b(?:features?\s*(?::|=|are|being)\s*|(?:using|use|with)\s+(?:only\s+)?(?:the\s+)?"
    rf"(?:columns?\s+)?(?=[a-z_]+(?:\s*[,\u201a]\s*|\s+and\s+)[a-z_]+.*?\bas\s+(?:the\s+)?features?))"
    rf"{_COLUMNS}"
)
# `hold out 25% for testing`, `a 20% test split`, `test size 0.3`, `keep 30% aside`
_TEST_SIZE: Final = re.compile(
    r"\b(?:hold(?:ing)?\s+out|keep(?:ing)?|set(?:ting)?\s+aside|reserv\w*|leav\w*\s+out)\s+"
    r"(\d+(?:\.\d+)?)\s*%|"
    r"\b(\d+(?:\.\d+)?)\s*%\s+(?:of\s+the\s+rows\s+)?(?:test|held[\s-]out|holdout|for\s+test\w*|"
    r"as\s+(?:the\s+)?test|aside)|"
    r"\btest[\s_](?:size|split|fraction)\s*(?:of|=|:|is)?\s*(0?\.\d+|\d+\s*%)"
)
# `alpha = 0.5`, `max_depth 6`, `n_estimators=300`, `learning rate 0.05`, `300 trees`
_HYPERPARAM: Final = re.compile(
    r"\b(alpha|max_depth|max depth|n_estimators|learning_rate|learning rate|min_samples_leaf|"
    r"max_iter|l1_ratio|max_features|subsample)\s*(?:=|:|of|is|to)?\s*(-?\d+(?:\.\d+)?)\b|"
    # `C=0.5`, `c of 2`; not a name such as `c1`
    r"\b(c)\s*(?:=|:|\s(?:of|is|to)\s)\s*(-?\d+(?:\.\d+)?)\b|"
    r"\b(\d+)\s+(trees|estimators)\b|\bdepth\s+(?:of\s+)?(\d+)\b",
    re.IGNORECASE,
)
_SEED: Final = re.compile(r"\b(?:seed|random[\s_]state)\s*(?:=|:|of|is)?\s*(\d+)\b")

# `target column: churned`, `label column is fraud`, `that predicts churned`
_TARGET: Final = re.compile(
    r"\b(?:predict|predicts|predicting|target(?: column)?|label(?: column)?)"
    r"\s*(?:[:=,]|\bis\b)?\s+(?:the\s+|whether\s+)?`?([a-z_][a-z0-9_]*)|"
    # `a ridge regression for price_eur`
    r"\b(?:regression|regressor|classifier|model)\s+(?:[\w.]+\s+){0,3}?(?:for|of)\s+(?:the\s+)?"
    r"`?([a-z_][a-z0-9_]*)"
)
_TARGET_SAID: Final = re.compile(
    r"\b(?:target|label)(?: column)?\s*(?:[:=]|\bis\b)\s*(?:the\s+)?`?([a-z_][a-z0-9_]*)"
)
_MODEL_NAME: Final = re.compile(
    r"\b(?:register(?:ed)? (?:it )?as|(?:call(?:ed)?|name) (?:it|the model)|named|model name)"
    r"\s*[:=,]?\s+([a-z_][a-z0-9_-]*)"
)

# the columns a drift check leaves out: `ignore customer_id and the churned label`
_NAMED_COLUMN: Final = r"(?:the\s+)?[a-z_][a-z0-9_]*(?:\s+(?:label|column|field|feature))?"
_IGNORED: Final = re.compile(
    rf"\b(?:ignor\w*|skip\w*|leav\w* out|exclud\w*)\s+"
    rf"({_NAMED_COLUMN}(?:(?:\s*[,\u201a]\s*|\s+and\s+){_NAMED_COLUMN})*)"
    # `leave sku, price and scored_at out of the comparison`
    rf"|\bleav\w*\s+({_NAMED_COLUMN}(?:(?:\s*[,\u201a]\s*|\s+and\s+){_NAMED_COLUMN})*)\s+out\b"
)


def _split_and_settings(text: str) -> dict[str, Any]:
    """The test split, hyperparameters and seed a request gives a training."""
    settings: dict[str, Any] = {}
    size = _TEST_SIZE.search(text)
    if size is not None:
        raw = next(g for g in size.groups() if g).replace(" ", "")
        share = float(raw.rstrip("%"))
        settings["test_size"] = round(share / 100 if raw.endswith("%") or share >= 1 else share, 4)
    hyper: dict[str, Any] = {}
    for match in _HYPERPARAM.finditer(text):
        name, said, c_name, c_said, trees, _noun, depth = match.groups()
        name, said = (c_name, c_said) if c_name else (name, said)
        if trees is not None:
            hyper["n_estimators"] = int(trees)
        elif depth is not None:
            hyper["max_depth"] = int(depth)
        else:
            key = "C" if name.lower() == "c" else name.lower().replace(" ", "_")
            hyper[key] = float(said) if "." in said else int(said)
    if hyper:
        settings["hyperparams"] = hyper
    seed = _SEED.search(text)
    if seed is not None:
        settings["seed"] = int(seed.group(1))
    return settings


class LearningRules(DraftingBase):
    """The rules for a model's training and a drift check."""

    def _on_train(self, intent: Intent) -> None:
        clause = intent.clause
        text = self.request.text
        if self.current is None or any(s.method == "ml.model.train" for s in self.steps):
            return  # `train a model on ... It's a logistic regression`: said twice
        if self.current in self.unconsumed and len(self.unconsumed) >= 2:
            # `train ... - random forest - on a.csv ... scored on b.parquet`: said before its
            # rows, it trains on the first dataset read; the others are for the model's use
            self.current = self.unconsumed[0]
        name = self._name("train")
        # `target is no_show` before `a model for the hotel group`
        target = _TARGET_SAID.search(text) or _TARGET.search(text)
        model = _MODEL_NAME.search(text)
        params: dict[str, Any] = {}
        params["target"] = (
            next(g for g in target.groups() if g)
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
            said = next(g for g in left_out.groups() if g)
            params["exclude"] = split_names(said)
        features = _FEATURES.search(text)
        if features is not None:
            params["features"] = split_names(features.group(1))
        params.update(_split_and_settings(text))
        self.add(
            "ml.model.train",
            {k: v for k, v in params.items() if v is not None},
            self._quote(clause),
        )

    def _model(self) -> str | None:
        """The model a step uses: the one trained here, else one named (``churn@champion``)."""
        if any(s.method == "ml.model.train" for s in self.steps):
            trained = next(s for s in self.steps if s.method == "ml.model.train")
            return f"{{{{ {trained.name}.model_uri }}}}"
        named = _MODEL_REF.search(self.request.text)
        return named.group(0) if named else None

    def _rows_for_model(self, intent: Intent) -> StepDraft | None:
        """The rows a model step works on: read after the training, else the current ones.

        None (and the intent waits) while the last step is the training itself.
        """
        current = self.current
        if (
            current is None
            or "data" not in self.catalog.get(current.method).output_model.model_fields
        ):
            # `run that model on this week's rows, b.csv, ...`: drafted once they are read
            (self.waiting if self._training_waits() else self.early).append(intent)
            return None
        return current

    def _training_waits(self) -> bool:
        return any(i.kind == "train" for i in self.waiting)

    def _on_predict(self, intent: Intent) -> None:
        rows = self._rows_for_model(intent)
        if rows is None:
            return
        params: dict[str, Any] = {
            "model": self._model()
            or self._ask("predict", "model", "Which registered model should score the rows?")
        }
        column = _PREDICTION_COLUMN.search(self.request.text)
        if column is not None:
            params["prediction_column"] = column.group(1)
        self.add("ml.model.predict", params, self._quote(intent.clause), data=rows)

    def _on_evaluate(self, intent: Intent) -> None:
        if any(s.method == "ml.model.evaluate" for s in self.steps):
            return
        rows = self._rows_for_model(intent)
        if rows is None:
            return
        params: dict[str, Any] = {
            "model": self._model()
            or self._ask("evaluate", "model", "Which registered model should be evaluated?")
        }
        experiment = _EXPERIMENT.search(self.request.original)
        if experiment is not None:
            params["experiment"] = next(g for g in experiment.groups() if g)
        self.add("ml.model.evaluate", params, self._quote(intent.clause), data=rows)

    def _on_promote(self, intent: Intent) -> None:
        text = self.request.text
        if any(s.method == "ml.model.promote" for s in self.steps):
            return
        if self._training_waits():
            self.waiting.append(intent)  # the training it promotes is drafted at the end
            return
        alias = _ALIAS.search(text)
        params: dict[str, Any] = {
            "model": self._model()
            or self._ask("promote", "model", "Which model version should be promoted?"),
            "alias": next(g for g in alias.groups() if g) if alias else "champion",
        }
        gate = _GATE.search(text)
        if gate is not None:
            metric, by = gate.group(1), gate.group(2) or gate.group(3)
            params["require"] = {"metric": metric, "min_improvement": float(by)}
        trained = [s for s in self.steps if s.method == "ml.model.train"]
        # `both scored on the audited loads in b.parquet`: labelled rows read for the gate
        audit = [s for s in self.unconsumed if not trained or s not in _ancestors(trained[0])]
        if gate is not None and audit:
            params["data"] = f"{{{{ {audit[-1].name}.data }}}}"
        self.add("ml.model.promote", params, self._quote(intent.clause), data=False)

    def _says_of_training(self, clause: Clause) -> bool:
        """Whether a clause only qualifies a model's training (no step of its own).

        *leave id out of the features, and call it fraud_logit*, after the training.
        """
        trained = any(s.method == "ml.model.train" for s in self.steps) or any(
            i.kind == "train"
            for i in self.waiting  # said before its rows, drafted at the end
        )
        return trained and any(
            p.search(clause.text)
            for p in (_TARGET, _MODEL_NAME, _LEFT_OUT, _FEATURES, _TEST_SIZE, _HYPERPARAM, _SEED)
        )

    def _says_of_drift(self, clause: Clause) -> bool:
        """Whether a clause only qualifies a drift check (*leave id out of the comparison*)."""
        return any(s.method == "ml.data.drift" for s in self.steps) and bool(
            _IGNORED.search(clause.text)
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
            here = current.params.get("path") or current.params.get("query")
            if here == path or current.name == said.group(3):
                current, reference = reference, current
        params: dict[str, Any] = {
            "current": f"{{{{ {current.name}.data }}}}",
            "reference": f"{{{{ {reference.name}.data }}}}",
        }
        columns = slots.drift_columns(clause.text) or next(
            (
                found
                for c in self.request.clauses
                if (found := slots.drift_columns(c.text, compared=True))
            ),
            [],
        )
        if columns:
            params["columns"] = columns
        params.update(slots.drift_settings(self.request.text))
        if _NO_CORRECTION.search(self.request.text):
            params["correction"] = "none"
        # clause by clause: the request's text joins clauses with commas
        ignored = next((m for c in self.request.clauses if (m := _IGNORED.search(c.text))), None)
        if ignored is not None:
            params["exclude"] = [
                re.sub(r"^the\s+|\s+(?:label|column|field|feature)$", "", name)
                for name in split_names(ignored.group(1) or ignored.group(2))
            ]
        self.add(
            "ml.data.drift", params, self._quote(clause), data=False, inputs=[current, reference]
        )
