"""Two datasets related by a key said in words, with no word asking to join them."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from tests.unit.agent.offline.conftest import methods, step, validate


def test_rows_without_a_match_named_by_a_selected_column(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "Which SKUs in data/catalog/codes.csv don't have a price yet? prices live in "
        "sqlite:///data/pricing.db (SELECT code, price FROM prices). Write them to out/u.csv"
    )
    assert step(draft, "data.rows.join") == {
        "left": "{{ codes.data }}",
        "right": "{{ prices.data }}",
        "on": "code",
        "how": "anti",
    }
    assert step(draft, "file.csv.write")["data"] == "{{ joined.data }}"
    assert validate(draft, catalog).ok


def test_rows_listed_in_a_column_of_the_other_file(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan(
        "r/legaladvice posts about leases whose author is on our watch list "
        "(data/watch.csv, handle column) -> send them to https://hooks.example.com/w"
    )
    assert step(draft, "data.rows.join") == {
        "left": "{{ threads.data }}",
        "right": "{{ watch.data }}",
        "left_on": "author",
        "right_on": "handle",
        "how": "semi",
    }
    assert validate(draft, catalog).ok


def test_a_shared_key_and_rows_kept_even_without_a_match(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "data/a.csv and data/b.parquet share user_id; keep users even if they have no b rows. "
        "save to out/ab.csv"
    )
    assert step(draft, "data.rows.join") == {
        "left": "{{ a.data }}",
        "right": "{{ b.data }}",
        "on": "user_id",
        "how": "left",
    }
    assert "data.rows.filter" not in methods(draft)


def test_an_explicit_join_matching_on_a_key_said_later(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "join data/orders.jsonl with the rates from https://api.fx.example.com/latest (query "
        "param base=EUR), matching on currency. Keep orders even if their currency has no "
        "rate. parquet -> out/o.parquet"
    )
    assert step(draft, "http.json.get")["params"] == {"base": "EUR"}
    assert step(draft, "data.rows.join")["on"] == "currency"
    assert step(draft, "data.rows.join")["how"] == "left"
    assert "data.rows.filter" not in methods(draft)


def test_two_datasets_with_no_key_said_stay_apart(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv and data/b.csv, save to out/c.csv")
    assert "data.rows.join" not in methods(draft)
    searches = planner.plan("tweets about rust and news about rust, both share the url column")
    assert step(searches, "data.rows.join")["on"] == "url"


def test_a_drift_check_asked_before_its_datasets(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "drift check on the churn model's inputs: the new data is data/new.parquet, the "
        "reference is data/train.parquet. ignore customer_id and churned. results to out/d.csv"
    )
    assert step(draft, "ml.data.drift") == {
        "current": "{{ new.data }}",
        "reference": "{{ train.data }}",
        "exclude": ["customer_id", "churned"],
    }
    assert step(draft, "file.csv.write")["data"] == "{{ drift.data }}"
    assert validate(draft, catalog).ok


def test_a_key_shared_said_before_the_join(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "data/hr/employees.csv and data/hr/salaries.parquet share employee_id. join them and "
        "give me the average base_salary per department -> out/s.csv"
    )
    assert step(draft, "data.rows.join")["on"] == "employee_id"
    assert step(draft, "data.rows.aggregate")["data"] == "{{ joined.data }}"


def test_keys_found_in_a_selected_column_list(planner: OfflinePlanner) -> None:
    explicit = planner.plan(
        "join data/codes.csv with sqlite:///p.db (SELECT price, code FROM prices), save to "
        "out/j.csv"
    )
    assert step(explicit, "data.rows.join")["on"] == "code"
    shared = planner.plan("data/a.csv and data/b.parquet share user_id, save to out/ab.csv")
    assert step(shared, "data.rows.join") == {
        "left": "{{ a.data }}",
        "right": "{{ b.data }}",
        "on": "user_id",
    }
