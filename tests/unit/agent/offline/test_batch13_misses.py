"""Shapes batch 13 missed on its first run, said again in other words (dev d215-d222)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_the_most_of_a_named_column(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "data/games/reviews_2027.jsonl - run sentiment on the body field, keep the negative "
        "ones, and give me the 10 with the most helpful_count as out/worst_reviews.jsonl"
    )
    assert step(draft, "data.rows.sort") == {
        "data": "{{ negative.data }}",
        "by": "helpful_count",
        "descending": True,
        "limit": 10,
    }
    assert validate(draft, catalog).ok


def test_a_training_said_twice_with_settings(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "train a churn model on SELECT * FROM churn_features (sqlite:///data/crm.db). It's a "
        "logistic regression classifier predicting churned, C=0.5 and max_iter 500; customer_id and "
        "region shouldnt be used as features. register it as churn_rf"
    )
    assert methods(draft) == ["sql.query.read", "ml.model.train"]
    assert "params" not in step(draft, "sql.query.read")  # `C=0.5` is the training's
    train = step(draft, "ml.model.train")
    assert train["exclude"] == ["customer_id", "region"]
    assert train["hyperparams"] == {"C": 0.5, "max_iter": 500}
    assert validate(draft, catalog).ok


def test_the_columns_written(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "Fetch https://www.shop.example/de/home and https://www.shop.example/fr/home, detect "
        "the language of the page text, and write url, title and language to out/home_langs.csv"
    )
    assert methods(draft) == [
        "web.page.fetch",
        "nlp.text.language",
        "data.rows.select",
        "file.csv.write",
    ]
    assert step(draft, "data.rows.select")["columns"] == ["url", "title", "language"]
    assert validate(draft, catalog).ok


def test_counts_capped_and_drawn(planner: OfflinePlanner) -> None:
    capped = planner.plan("Need tweets on the tour de france from 1 July 2027 on, cap it at 1,200")
    assert step(capped, "social.twitter.search")["max_results"] == 1200
    drawn = planner.plan(
        'take 4000 tweets about "heatwave", draw 250 of them at random (seed 3) and save them '
        "as out/heat_sample.jsonl"
    )
    assert step(drawn, "social.twitter.search")["max_results"] == 4000
    assert step(drawn, "data.rows.sample") == {"data": "{{ tweets.data }}", "n": 250, "seed": 3}


def test_the_rows_of_one_language(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "our feed https://news.example.be/rss mixes dutch and french. detect the language of "
        "each item's title and post the dutch items to https://hooks.example.be/nl-desk"
    )
    assert step(draft, "data.rows.filter")["where"] == "language = 'nl'"
    fanned = planner.plan(
        "1500 tweets about the giro d'italia, detect their language. then: number of tweets "
        "per language to out/giro_langs.csv, and the italian tweets on their own to "
        "out/giro_it.parquet"
    )
    # the italian tweets, not the counts per language; `their own` is searched for by none
    assert step(fanned, "data.rows.filter")["data"] == "{{ languages.data }}"
    assert methods(fanned).count("social.twitter.search") == 1
    assert validate(draft, catalog).ok
    assert validate(fanned, catalog).ok


def test_the_latest_row_per_a_key_said_in_words(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "data/crm/contacts_export.csv has the same contact_id several times. Keep only the "
        "latest row per contact and write it to out/contacts_latest.csv"
    )
    assert step(draft, "data.rows.dedupe") == {
        "data": "{{ contacts_export.data }}",
        "on": "contact_id",
        "keep": "last",
    }
    assert validate(draft, catalog).ok
