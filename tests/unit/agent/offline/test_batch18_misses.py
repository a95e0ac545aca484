"""Shapes batch 18 missed on its first run, said again in other words (dev d246-d249)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_a_quoted_topic_said_apart_from_its_search(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        'In which languages is "airport strikes" being covered? Search the news for it (150 '
        "articles), detect the language of each article and count the articles per language."
    )
    assert step(draft, "news.articles.search") == {
        "query": "airport strikes",
        "max_results": 150,
    }
    covered = planner.plan('Coverage of the "Harbor Bridge closure": 120 news articles')
    assert step(covered, "news.articles.search")["query"] == "Harbor Bridge closure"
    # a value compared with is no topic: the search still asks what to look for
    compared = planner.plan("news articles, keep the ones whose source is 'Reuters'")
    assert [q.param for q in compared.questions] == ["query"]
    assert validate(draft, catalog).ok


def test_an_export_said_to_be_a_file(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "the shop feedback form export is data/shop/feedback_messages.jsonl, the text is in the "
        "message column. pls pull out any email addresses and links people wrote in there and "
        "write the result to out/shop/feedback_contacts.jsonl"
    )
    assert methods(draft) == ["file.jsonl.read", "nlp.text.extract", "file.jsonl.write"]
    assert validate(draft, catalog).ok


def test_a_training_is_not_filtered(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "train a random forest with 300 trees on data/hr/attrition.csv to predict left_company, "
        "without employee_id as a feature. Register it as attrition_rf."
    )
    assert methods(draft) == ["file.csv.read", "ml.model.train"]
    assert step(draft, "ml.model.train")["exclude"] == ["employee_id"]
    assert validate(draft, catalog).ok
