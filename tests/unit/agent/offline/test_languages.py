"""Languages: the candidates a detector chooses among are not a filter."""

from __future__ import annotations

import pytest

from odp.agent.offline import OfflinePlanner
from odp.agent.offline.slots import language_candidates
from odp.catalog import Catalog
from odp.spec import render_text
from tests.unit.agent.offline.conftest import methods, step, validate


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("detect the language (it's only ever en, fr or de)", ["en", "fr", "de"]),
        ("the language, one of english and german", ["en", "de"]),
        ("they can only be es/pt", ["es", "pt"]),
        ("the candidates are french, or italian", ["fr", "it"]),
        ("keep only english or german", []),
        ("always english", []),
    ],
)
def test_language_candidates(text: str, codes: list[str]) -> None:
    assert language_candidates(text) == codes


def test_candidates_go_to_the_detector_not_the_filter(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "read data/t.csv, detect the language (always en or nl), keep the dutch ones, "
        "save to out/nl.csv"
    )
    assert step(draft, "nlp.text.language")["languages"] == ["en", "nl"]
    assert step(draft, "data.rows.filter")["where"] == "language = 'nl'"
    result = validate(draft, catalog)
    assert result.ok, render_text(result.diagnostics)
    stated = planner.plan(
        "read data/t.csv. The texts are always english or french. Keep the french ones"
    )
    assert methods(stated) == ["file.csv.read", "nlp.text.language", "data.rows.filter"]
    assert step(stated, "nlp.text.language")["languages"] == ["en", "fr"]


def test_a_list_to_keep_is_still_a_filter(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/t.csv, keep only english or german rows")
    assert "languages" not in step(draft, "nlp.text.language")
    assert step(draft, "data.rows.filter")["where"] == "language IN ('en', 'de')"
