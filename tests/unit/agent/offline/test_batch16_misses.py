"""Shapes batch 16 missed on its first run, said again in other words (dev d236-d242)."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_published_from_a_date_onwards(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        'Could you find news coverage of the "bus lane fines", in English, published from the '
        "3rd of March 2028 onwards? Forty articles is plenty."
    )
    assert step(draft, "news.articles.search") == {
        "query": "bus lane fines",
        "lang": "en",
        "since": "2028-03-03",
        "max_results": 40,
    }
    assert validate(draft, catalog).ok


def test_a_cursor_said_as_the_next_one(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "I need the active drivers from https://api.ride.example/v2/drivers with status=active "
        "as a query param. The records are under data, it pages with a cursor (send it back as "
        "`cursor`, the next one is at meta.next_cursor) - stop after 10 pages."
    )
    params = step(draft, "http.json.get")
    assert (params["paging"], params["cursor_path"], params["cursor_param"]) == (
        "cursor",
        "meta.next_cursor",
        "cursor",
    )
    assert validate(draft, catalog).ok


def test_no_step_is_named_after_a_template_namespace(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan("load data/lab/runs/2028-03/run_*.parquet")
    assert draft.pipeline["sources"][0]["name"] == "run_rows"  # `run` is `{{ run.… }}`
    assert validate(draft, catalog).ok


def test_an_export_is_a_noun_too(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "The library catalogue export (data/lib/export_2028-02.csv) repeats some barcodes. Keep "
        "the last row for each barcode and upsert the result into the items table of "
        "sqlite:///data/lib/ils.db, keyed on barcode."
    )
    assert methods(draft) == ["file.csv.read", "data.rows.dedupe", "sql.table.write"]
    assert validate(draft, catalog).ok


def test_one_measure_of_two_columns_ranked_by_a_word(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "Sales: SELECT sku, units, revenue_eur FROM sales WHERE year = 2027 on "
        "sqlite:///data/shop.db. Products: data/shop/products.csv (sku, brand). Join on sku, sum "
        "units and revenue_eur per brand, keep the five brands with the most revenue, and "
        "replace the top_brands table in that same shop database with it."
    )
    assert step(draft, "data.rows.aggregate")["aggregations"] == {
        "units": "sum(units)",
        "revenue_eur": "sum(revenue_eur)",
    }
    assert step(draft, "data.rows.sort")["by"] == "revenue_eur"
    assert step(draft, "sql.table.write")["url"] == "sqlite:///data/shop.db"
    assert validate(draft, catalog).ok


def test_rows_described_and_a_number_with_a_comma(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "data/energy/meter_daily.parquet has one row per meter per day (meter_id, day, kwh). "
        "Give me the days over 1,500 kwh, higest kwh first, as a csv at out/energy/high_days.csv"
    )
    assert methods(draft) == [
        "file.parquet.read",
        "data.rows.filter",
        "data.rows.sort",
        "file.csv.write",
    ]
    assert step(draft, "data.rows.filter")["where"] == "kwh > 1500"
    assert validate(draft, catalog).ok


def test_pages_behind_urls_fetched_a_few_at_a_time(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        'find 50 news articles on the "Hamburg harbour fire", then fetch the full pages behind '
        "their urls (2 at a time max) and dump everything to out/desk/hamburg_pages.jsonl"
    )
    assert methods(draft) == ["news.articles.search", "web.page.fetch", "file.jsonl.write"]
    assert step(draft, "web.page.fetch")["concurrency"] == 2
    assert validate(draft, catalog).ok


def test_the_text_column_in_backquotes(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "Maintenance notes are in data/plant/notes.jsonl, the text is in `note_body`. Embed the "
        "notes and cluster the embeddings into four groups (seed 2)."
    )
    assert step(draft, "ml.text.embed")["column"] == "note_body"
    assert validate(draft, catalog).ok
