"""Shapes batch 15 missed on its first run, said again in other words (dev d229-d235)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_tweeting_and_a_language_said_as_an_adjective(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        'Could you pull what people are tweeting about the "Paris floods"? French posts only '
        "please, and no more than 300."
    )
    assert step(draft, "social.twitter.search") == {
        "query": "Paris floods",
        "lang": "fr",
        "max_results": 300,
    }
    german = planner.plan('news articles matching "Vogelgrippe", German-language only')
    assert methods(german) == ["news.articles.search"]  # the search's own language
    assert step(german, "news.articles.search")["lang"] == "de"
    assert validate(draft, catalog).ok


def test_a_header_and_records_said_apart(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "Delays for line 7 from https://api.metro.example/v1/delays (send line=7 as a query "
        'param). The delays are in "delays" and the API wants an x-api-key header; the key is '
        "stored in the METRO_KEY secret."
    )
    params = step(draft, "http.json.get")
    assert params["records_path"] == "delays"
    assert params["headers"] == {"x-api-key": "{{ secrets.METRO_KEY }}"}
    assert validate(draft, catalog).ok


def test_one_at_a_time(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "Fetch these two rate pages: https://www.carrier-a.example/rates "
        "https://www.carrier-b.example/rates. One at a time please."
    )
    assert methods(draft) == ["web.page.fetch"]  # `one at a time` is no dedupe
    assert step(draft, "web.page.fetch")["concurrency"] == 1
    assert validate(draft, catalog).ok


def test_sql_with_an_interval(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "run SELECT host, user_name FROM logins WHERE ok = false AND ts >= now() - interval "
        "'1 day' on sqlite:///data/auth.db, count the failures per host (call the count "
        "failures) and post every host with more than 20 failures to "
        "https://hooks.example.com/logins"
    )
    assert step(draft, "sql.query.read")["query"] == (
        "SELECT host, user_name FROM logins WHERE ok = false AND ts >= now() - interval '1 day'"
    )
    assert step(draft, "data.rows.filter")["where"] == "failures > 20"
    assert validate(draft, catalog).ok


def test_the_target_said_outright(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "Train a churn model for the telco group on data/telco/customers.parquet, target is "
        "churned. Gradient boosting classifier with 200 estimators. Register it as telco_churn."
    )
    assert step(draft, "ml.model.train")["target"] == "churned"  # not `telco`
    assert validate(draft, catalog).ok


def test_two_measures_of_a_column_into_the_same_database(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "From sqlite:///data/plant.db run SELECT line_id, temp_c FROM sensor_reads WHERE "
        "read_at >= '2027-10-01'. Per line_id I want the average and the maximum temp_c, and "
        "that should replace whatever is in the line_temps table of the same database."
    )
    assert step(draft, "data.rows.aggregate")["aggregations"] == {
        "avg_temp_c": "avg(temp_c)",
        "max_temp_c": "max(temp_c)",
    }
    write = step(draft, "sql.table.write")
    assert (write["url"], write["table"], write["mode"]) == (
        "sqlite:///data/plant.db",
        "line_temps",
        "replace",
    )
    assert validate(draft, catalog).ok
