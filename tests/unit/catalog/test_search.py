from __future__ import annotations

import pytest
from pydantic import Field

from odp.artifacts import DatasetRef
from odp.catalog import Catalog, MethodContext, MethodOutput, MethodParams, load_catalog, method
from odp.catalog.search import SYNONYMS, SearchIndex, expand, stem, tokenize


def test_tokenize_and_stem() -> None:
    assert tokenize("Filtering the Tweets!") == ["filt", "tweet"]
    assert stem("queries") == "query"
    assert stem("as") == "as"


@pytest.mark.parametrize(
    "forms",
    [
        ["filter", "filters", "filtering", "filtered"],
        ["save", "saves", "saving", "saved"],
        ["write", "writes", "writing"],
        ["query", "queries"],
        ["tweet", "tweets"],
        ["line", "lines"],
        ["join", "joins", "joined", "joining"],
        ["export", "exports", "exporting", "exported"],
    ],
)
def test_the_forms_of_a_word_meet_at_one_stem(forms: list[str]) -> None:
    assert len({stem(f) for f in forms}) == 1, {f: stem(f) for f in forms}


def test_short_words_are_left_alone() -> None:
    assert [stem(w) for w in ["use", "csv", "sql", "row", "data"]] == [
        "use",
        "csv",
        "sql",
        "row",
        "data",
    ]


def test_a_query_searches_its_synonyms_at_a_lower_weight() -> None:
    terms = expand("save tweets")
    assert terms["sav"] == terms["tweet"] == 1.0
    assert terms["writ"] == terms["twitt"] < 1.0
    # a word of the query keeps its full weight even when another word names it
    assert expand("save and write")["writ"] == 1.0
    assert expand("the of and") == {}
    assert all(SYNONYMS.values())


def test_index_ranks_and_updates() -> None:
    index = SearchIndex()
    index.add("a", [("read csv files", 2)])
    index.add("b", [("write csv files", 1)])
    assert [k for k, _ in index.search("read csv")] == ["a", "b"]
    index.add("a", [("something else", 1)])
    assert [k for k, _ in index.search("read")] == []
    assert index.search("") == []
    assert SearchIndex().search("read") == []
    assert [k for k, _ in index.search("csv", keys=["b"])] == ["b"]


def test_equal_scores_are_ordered_by_key() -> None:
    index = SearchIndex()
    for key in ("c", "a", "b"):
        index.add(key, [("same words", 1)])
    assert [k for k, _ in index.search("same")] == ["a", "b", "c"]


# ---------------------------------------------------------------- the built-in catalog


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("save as csv", "file.csv.write"),
        ("export to parquet", "file.parquet.write"),
        ("write json lines", "file.jsonl.write"),
        ("output json", "file.jsonl.write"),
        ("store results in parquet", "file.parquet.write"),
        ("load a csv file", "file.csv.read"),
        ("open parquet", "file.parquet.read"),
        ("import a spreadsheet", "file.csv.read"),
        ("ingest ndjson", "file.jsonl.read"),
        ("keep rows where status is delivered", "data.rows.filter"),
        ("drop rows that are cancelled", "data.rows.filter"),
        ("filtering", "data.rows.filter"),
        ("join two tables", "data.rows.join"),
        ("merge orders with customers", "data.rows.join"),
        ("aggregate totals per category", "data.rows.aggregate"),
        ("average price by region", "data.sql.query"),
        ("group by", "data.rows.aggregate"),
        ("run a sql select query", "data.sql.query"),
        ("remove duplicate rows", "data.rows.dedupe"),
        ("rename columns", "data.rows.select"),
    ],
)
def test_realistic_queries_find_the_right_method_first(
    catalog: Catalog, query: str, best: str
) -> None:
    hits = catalog.search(query)
    assert hits, query
    assert hits[0].spec.id == best, [(h.spec.id, round(h.score, 2)) for h in hits[:3]]


def test_catalog_search_filters_limits_and_exact_ids(catalog: Catalog) -> None:
    assert catalog.search("read", kind="sink") == []
    assert {h.spec.id for h in catalog.search("csv", kind="source")} == {"file.csv.read"}
    exact = catalog.search("file.parquet.read")
    assert exact[0].spec.id == "file.parquet.read"
    assert exact[0].score == float("inf")
    assert catalog.search("file.parquet.read", kind="sink")[0].spec.id != "file.parquet.read"
    assert len(catalog.search("csv", limit=2)) == 2
    assert catalog.search("zzzz qqqq") == []


# ---------------------------------------------------------------- a larger catalog


class _Params(MethodParams):
    query: str = Field(default="", description="What to look for.")


class _Out(MethodOutput):
    data: DatasetRef = Field(description="The rows.")
    count: int = Field(description="How many rows.")


def _stand_in(id: str, kind: str, summary: str, doc: str, tags: tuple[str, ...] = ()) -> object:
    async def impl(params: _Params, ctx: MethodContext) -> _Out:
        raise NotImplementedError

    impl.__doc__ = doc
    return method(id, kind=kind, summary=summary, tags=tags)(impl)


@pytest.fixture(scope="module")
def bigger() -> Catalog:
    """The built-ins and stand-ins for methods to come (those that have landed are real)."""
    catalog = load_catalog(plugins=False)
    for spec in [
        _stand_in(
            "social.twitter.search",
            "source",
            "Search recent tweets",
            "Find tweets that match a query through the crawler API.",
            ("tweets", "x", "social"),
        ),
        _stand_in(
            "social.reddit.search",
            "source",
            "Search Reddit posts",
            "Find Reddit posts and comments that match a query.",
            ("reddit", "posts", "social", "forum"),
        ),
        _stand_in(
            "web.page.fetch",
            "source",
            "Fetch web pages and extract their text",
            "Download pages by URL and keep the main text.",
            ("http", "html", "scrape", "url"),
        ),
        _stand_in(
            "ml.model.train",
            "transform",
            "Train a classifier",
            "Train and register a model on labelled rows.",
            ("train", "model", "classifier", "fit"),
        ),
        _stand_in(
            "sql.table.write",
            "sink",
            "Write a dataset to a database table",
            "Insert rows into a PostgreSQL or SQLite table.",
            ("database", "postgres", "table", "insert"),
        ),
    ]:
        if spec.id not in catalog:  # type: ignore[attr-defined]  # the real method has landed
            catalog.register(spec)  # type: ignore[arg-type]
    return catalog


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("tweets about AI", "social.twitter.search"),
        ("find twitter posts", "social.twitter.search"),
        ("reddit comments", "social.reddit.search"),
        ("scrape a web page", "web.page.fetch"),
        ("news feed", "news.rss.read"),
        ("how people feel about a product", "nlp.text.sentiment"),
        ("negative opinions", "nlp.text.sentiment"),
        ("which language is this text in", "nlp.text.language"),
        ("fit a classifier", "ml.model.train"),
        ("insert into postgres", "sql.table.write"),
        ("save as csv", "file.csv.write"),
        ("keep only english rows", "data.rows.filter"),
    ],
)
def test_ranking_holds_in_a_larger_catalog(bigger: Catalog, query: str, best: str) -> None:
    hits = bigger.search(query)
    assert hits[0].spec.id == best, [(h.spec.id, round(h.score, 2)) for h in hits[:3]]


def test_a_plain_language_request_finds_each_kind_of_step(bigger: Catalog) -> None:
    request = "find negative posts about AI and save them"
    sources = [h.spec.id for h in bigger.search(request, kind="source", limit=2)]
    transforms = [h.spec.id for h in bigger.search(request, kind="transform", limit=2)]
    sinks = [h.spec.id for h in bigger.search(request, kind="sink", limit=3)]
    assert "social.reddit.search" in sources or "social.twitter.search" in sources
    # score the posts, then keep the negative ones
    assert sorted(transforms) == ["data.rows.filter", "nlp.text.sentiment"]
    assert sinks
    assert all(s.endswith(".write") for s in sinks)


def test_search_is_deterministic(bigger: Catalog) -> None:
    first = [(h.spec.id, h.score) for h in bigger.search("write data")]
    assert first == [(h.spec.id, h.score) for h in bigger.search("write data")]
