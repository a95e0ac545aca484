"""The offline planner end to end: requests in, drafts that validate out."""

from __future__ import annotations

import pytest

from odp.agent.drafting import Drafter
from odp.agent.offline import OfflinePlanner
from odp.catalog import Catalog
from odp.spec import render_text
from tests.unit.agent.offline.conftest import methods, plan_with_defaults, step, steps, validate

ISSUE_EXAMPLE = (
    "find posts about AI on twitter, keep the negative English ones and save them to a CSV"
)
TYPICAL = [
    "search twitter for posts about climate change",
    "Could you grab the latest 200 reddit threads about rust from r/rust?",
    "read data/orders.csv and keep only the delivered orders, save them to out/delivered.csv",
    "convert data/events.parquet to jsonl at out/events.jsonl",
    "tweets about bitcoin with more than 1000 likes",
    "top 20 reddit threads about gaming by likes",
    "count posts per language for tweets about the euro, save it to out/euro.csv",
    "embed tweets about ukraine, cluster them into 8 clusters, save to out/clusters.csv",
    "news about AI, fetch the article pages, save as out/ai_pages.jsonl",
    "read the rss feed https://example.com/feed.xml and score the sentiment of the titles",
    "pull data from https://api.example.com/items and write it to the items table in "
    "sqlite:///out/items.db",
    "read 'SELECT * FROM posts' from sqlite:///data/app.db, run sentiment and write to out/p.csv",
    "join data/orders.csv and data/products.csv on product_id, save to out/joined.csv",
    "check data/incoming.parquet for drift against data/reference.parquet",
    "tweets about the playstation with sentiment; save all to out/ps.csv and send the negative "
    "ones to https://hooks.example.com/ps",
    "combine reddit and twitter posts about zelda and save them to out/zelda.parquet",
    "take 10% of data/clicks.parquet at random and write it to out/clicks_sample.parquet",
    "read data/people.csv and keep only the columns name, email and city, write to out/p.csv",
    "dedup tweets about taylor swift by id",
    "load data/customers.csv and train a classifier to predict churn, call the model churn_model",
    "find german tweets about the bundesliga, get their sentiment and store them in out/b.jsonl",
    "sentiment of tweets about chatgpt, mean sentiment per day",
    "Get me tweets about Biden that are negative, I want a parquet file",
    "tweets about AI, deduplicate the rows",
]


async def test_the_issue_example(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = await planner.draft(ISSUE_EXAMPLE, [], answers={})
    assert [q.slot for q in draft.questions] == ["sink.path"]  # "a CSV": where?
    answers = {"sink.path": "out/negative_ai.csv"}
    draft = await planner.draft(ISSUE_EXAMPLE, [], answers=answers)
    assert draft.questions == ()
    assert methods(draft) == [
        "social.twitter.search",
        "nlp.text.sentiment",
        "nlp.text.language",
        "data.rows.filter",
        "file.csv.write",
    ]
    assert step(draft, "social.twitter.search") == {"query": "AI"}
    assert step(draft, "data.rows.filter")["where"] == (
        "sentiment_label = 'negative' AND language = 'en'"
    )
    assert step(draft, "file.csv.write")["path"] == "out/negative_ai.csv"
    result = validate(draft, catalog)
    assert result.ok, render_text(result.diagnostics)
    assert [n.step for n in draft.notes] == [s["name"] for s in steps(draft)]
    assert "Search recent posts" in draft.notes[0].note
    assert "find posts about AI on twitter" in draft.notes[0].note
    assert draft.raw.startswith("name: ai-tweets")
    assert draft.notes[1].note.endswith("the filter needs its column")


@pytest.mark.parametrize("request_", TYPICAL)
def test_typical_requests_validate(
    planner: OfflinePlanner, catalog: Catalog, request_: str
) -> None:
    draft = plan_with_defaults(planner, request_)
    assert draft.questions == ()
    result = validate(draft, catalog)
    assert result.ok, render_text(result.diagnostics) + "\n" + draft.raw
    assert all(m in catalog for m in methods(draft))


def test_the_planner_is_a_drafter(planner: OfflinePlanner) -> None:
    drafter: Drafter = planner
    assert drafter.name == "offline"


def test_drafts_are_deterministic(planner: OfflinePlanner) -> None:
    assert planner.plan(ISSUE_EXAMPLE).raw == planner.plan(ISSUE_EXAMPLE).raw


def test_a_fan_out_writes_the_scored_rows_and_alerts_on_the_filtered(
    planner: OfflinePlanner,
) -> None:
    draft = planner.plan(TYPICAL[14])
    assert step(draft, "file.csv.write")["data"] == "{{ scored.data }}"
    assert step(draft, "http.webhook.post") == {
        "data": "{{ negative.data }}",
        "url": "https://hooks.example.com/ps",
    }


def test_union_uses_the_columns_both_sources_share(planner: OfflinePlanner) -> None:
    draft = planner.plan(TYPICAL[15])
    query = step(draft, "data.sql.query")
    assert query["inputs"] == {"threads": "{{ threads.data }}", "tweets": "{{ tweets.data }}"}
    assert query["query"].startswith("SELECT id, text, author, created_at, url, lang, likes")
    assert "UNION ALL" in query["query"]


def test_join_keys_named_differently_on_each_side(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "news articles about climate and the rss feed https://example.org/c.rss, "
        "left join them on the url"
    )
    join = step(draft, "data.rows.join")
    assert join["left_on"] == "url"
    assert join["right_on"] == "link"
    assert join["how"] == "left"


@pytest.mark.parametrize(
    ("request_", "how"),
    [
        ("read data/a.csv and data/b.csv, join on id to find rows not in b", "anti"),
        ("merge data/a.csv with data/b.csv by user_id (keep all users)", "left"),
        ("full outer join data/a.csv and data/b.csv on id", "full"),
        ("inner join data/a.csv and data/b.csv on key", None),
    ],
)
def test_join_kinds(planner: OfflinePlanner, request_: str, how: str | None) -> None:
    join = step(planner.plan(request_), "data.rows.join")
    assert join.get("how") == how


def test_join_needs_two_datasets(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv and join it on id")
    assert methods(draft) == ["file.csv.read"]
    assert methods(planner.plan("read data/a.csv and check it for drift")) == ["file.csv.read"]


def test_drift_columns(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "compare data/march.csv to data/february.csv and report drift in the price and "
        "quantity columns"
    )
    assert step(draft, "ml.data.drift") == {
        "current": "{{ march.data }}",
        "reference": "{{ february.data }}",
        "columns": ["price", "quantity"],
    }


def test_time_groups_become_sql(planner: OfflinePlanner) -> None:
    draft = planner.plan("tweets about AI: average sentiment per week")
    query = step(draft, "data.sql.query")["query"]
    assert "date_trunc('week', created_at) AS week" in query
    assert "avg(sentiment) AS avg_sentiment" in query


def test_aggregations(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/sales.csv, total revenue and max price by region")
    assert step(draft, "data.rows.aggregate") == {
        "data": "{{ sales.data }}",
        "aggregations": {"revenue": "sum(revenue)", "max_price": "max(price)"},
        "group_by": ["region"],
    }
    overall = step(planner.plan("read data/sales.csv and count the orders"), "data.rows.aggregate")
    assert overall["aggregations"] == {"orders": "count(*)"}
    assert "group_by" not in overall
    labels = step(
        planner.plan("read data/t.csv, sentiment, count per label"), "data.rows.aggregate"
    )
    assert labels["group_by"] == ["sentiment_label"]
    per_region = planner.plan("read data/t.csv and show it per region")
    assert methods(per_region) == ["file.csv.read", "data.rows.aggregate"]


def test_sources_from_urls(planner: OfflinePlanner) -> None:
    pages = planner.plan("scrape https://a.example.com/x and https://a.example.com/y")
    assert step(pages, "web.page.fetch") == {
        "urls": ["https://a.example.com/x", "https://a.example.com/y"]
    }
    api = planner.plan("get https://a.example.com/api/v1/items, records are under data.items")
    assert step(api, "http.json.get") == {
        "url": "https://a.example.com/api/v1/items",
        "records_path": "data.items",
    }
    feeds = planner.plan(
        "read the feeds https://a.example.com/a.rss and https://b.example.com/feed"
    )
    assert step(feeds, "news.rss.read")["url"] == [
        "https://a.example.com/a.rss",
        "https://b.example.com/feed",
    ]


def test_questions_for_what_the_request_leaves_open(
    planner: OfflinePlanner, catalog: Catalog
) -> None:
    draft = planner.plan("read an rss feed and save it as parquet")
    asked = {q.slot: q for q in draft.questions}
    assert set(asked) == {"feed.url", "sink.path"}
    assert asked["feed.url"].default is None
    assert asked["sink.path"].default == "out/plan.parquet"
    assert asked["sink.path"].step == "save"
    assert asked["sink.path"].param == "path"
    answered = planner.plan(
        "read an rss feed and save it as parquet",
        {"feed.url": "https://a.example.com/a.rss", "sink.path": "out/feed.parquet"},
    )
    assert answered.questions == ()
    assert validate(answered, catalog).ok


def test_a_search_without_a_topic_asks_for_one(planner: OfflinePlanner) -> None:
    draft = planner.plan("fetch posts from r/python")
    assert [(q.slot, q.default) for q in draft.questions] == [("query", None)]
    answered = planner.plan("fetch posts from r/python", {"query": "asyncio"})
    assert step(answered, "social.reddit.search") == {"query": "asyncio", "subreddit": "python"}


def test_no_source_asks_which_file(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan("score the sentiment and keep the negative ones")
    assert [q.slot for q in draft.questions] == ["source.path"]
    assert draft.pipeline == {"name": "plan"}
    answered = planner.plan(
        "score the sentiment and keep the negative ones", {"source.path": "data/posts.jsonl"}
    )
    assert methods(answered) == [
        "file.jsonl.read",
        "nlp.text.sentiment",
        "data.rows.filter",
    ]
    assert validate(answered, catalog).ok


def test_more_questions(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/x.csv, train a model, cluster it, take a sample, sort it")
    slots = {q.slot: q.default for q in draft.questions}
    assert slots == {
        "train.target": None,
        "train.model_name": None,
        "clustered.k": 5,
        "sample.n": 1000,
    }
    table = planner.plan("read data/x.csv and write it to a table")
    assert {q.slot: q.default for q in table.questions} == {
        "to_table.url": "sqlite:///out/odp.db",
        "to_table.table": "x_plan",
    }
    sql = planner.plan("read from sqlite:///data/app.db")
    assert [q.slot for q in sql.questions] == ["rows.query"]
    top = planner.plan("read data/x.csv and keep the top 5")
    assert [q.slot for q in top.questions] == ["top.by"]
    named = planner.plan("read data/x.csv and train a model to predict churned")
    assert {q.slot: q.default for q in named.questions} == {"train.model_name": "churned_model"}


def test_sinks(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read data/a.csv, upsert it into the table posts in sqlite:///out/a.db and post it to "
        "https://hooks.example.com/x, and save it to out/a.csv and out/a.csv"
    )
    assert step(draft, "sql.table.write")["mode"] == "upsert"
    assert step(draft, "sql.table.write")["table"] == "posts"
    assert methods(draft).count("file.csv.write") == 1  # the same file is written once
    assert "http.webhook.post" in methods(draft)
    saved = planner.plan("tweets about AI, save them")
    assert step(saved, "file.csv.write")["path"] == "out/ai-tweets.csv"


def test_enrichers_and_their_columns(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read the rss feed https://a.example.com/a.rss, detect the language, extract the links "
        "and emails, embed it, cluster it into five topics"
    )
    assert step(draft, "nlp.text.language")["column"] == "title"
    assert step(draft, "nlp.text.extract")["kinds"] == ["urls", "emails"]
    assert step(draft, "ml.text.embed")["column"] == "title"
    assert step(draft, "ml.text.cluster") == {
        "data": "{{ embedded.data }}",
        "column": "embedding",
        "k": 5,
    }
    text = planner.plan("read data/a.csv, extract entities from the body column, cluster them")
    assert step(text, "nlp.text.extract") == {"data": "{{ a.data }}", "column": "body"}
    assert step(text, "ml.text.cluster")["column"] == "body"


def test_steps_that_need_rows_wait_for_a_source(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "detect the language, extract hashtags, embed, cluster, dedupe, sample 10 rows, keep "
        "the columns a and b, sort by a, count per a, join on a, run 'SELECT 1 FROM t', train a "
        "model, fetch the pages, save it",
        {"source.path": "data/x.csv"},
    )
    assert methods(draft)[0] == "file.csv.read"
    assert "data.sql.query" in methods(draft)


def test_sql_over_named_datasets(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        'load data/customers.csv and data/orders.csv, join them with sql "SELECT c.name FROM '
        'customers c JOIN orders o ON o.customer_id = c.id" and save to out/spent.csv'
    )
    assert step(draft, "data.sql.query")["inputs"] == {
        "customers": "{{ customers.data }}",
        "orders": "{{ orders.data }}",
    }
    assert validate(draft, catalog).ok
    unnamed = planner.plan('read data/x.csv, run the sql "SELECT a FROM t JOIN u ON t.a = u.a"')
    assert step(unnamed, "data.sql.query")["inputs"] == {"t": "{{ x.data }}", "u": "{{ x.data }}"}


def test_filters(planner: OfflinePlanner) -> None:
    both = planner.plan("tweets about AI, keep the positive and neutral ones in english or german")
    assert step(both, "data.rows.filter")["where"] == (
        "sentiment_label IN ('positive', 'neutral') AND language IN ('en', 'de')"
    )
    dropped = planner.plan("tweets about AI, drop the negative ones and the english ones")
    assert step(dropped, "data.rows.filter")["where"] == (
        "sentiment_label != 'negative' AND language != 'en'"
    )
    several = planner.plan(
        "tweets about AI, remove the positive and neutral ones in french or german"
    )
    assert step(several, "data.rows.filter")["where"] == (
        "sentiment_label NOT IN ('positive', 'neutral') AND language NOT IN ('fr', 'de')"
    )
    source_lang = planner.plan("English tweets about AI, negative ones only")
    assert step(source_lang, "social.twitter.search")["lang"] == "en"
    assert step(source_lang, "data.rows.filter")["where"] == "sentiment_label = 'negative'"
    nothing = planner.plan("tweets about AI, keep the good ones")
    assert methods(nothing) == ["social.twitter.search"]


def test_sorting(planner: OfflinePlanner) -> None:
    newest = planner.plan("the 10 newest tweets about AI")
    assert methods(newest) == ["social.twitter.search"]
    assert step(newest, "social.twitter.search")["max_results"] == 10
    latest = planner.plan("tweets about AI, top 5 newest")
    assert step(latest, "social.twitter.search")["max_results"] == 5
    amended = planner.plan("read data/s.csv and sort it by amount, biggest first")
    assert step(amended, "data.rows.sort") == {
        "data": "{{ s.data }}",
        "by": "amount",
        "descending": True,
    }
    liked = planner.plan("the top 3 tweets about AI")
    assert step(liked, "data.rows.sort")["by"] == "likes"
    assert methods(planner.plan("read data/s.csv, biggest first")) == ["file.csv.read"]


def test_pages_need_a_url_column(planner: OfflinePlanner) -> None:
    assert methods(planner.plan("read data/a.csv and fetch the pages")) == ["file.csv.read"]
    twice = planner.plan("scrape https://a.example.com/x, fetch the full text of the pages")
    assert methods(twice) == ["web.page.fetch"]


def test_a_second_mention_of_a_source_is_not_a_second_search(planner: OfflinePlanner) -> None:
    draft = planner.plan("tweets about AI, keep the tweets with more than 5 likes")
    assert methods(draft) == ["social.twitter.search", "data.rows.filter"]
    both = planner.plan("search twitter and reddit for 'electric cars'")
    assert [s["params"]["query"] for s in steps(both)] == ["electric cars", "electric cars"]
    shared = planner.plan("tweets about AI, and reddit too")
    assert [s["params"]["query"] for s in steps(shared)] == ["AI", "AI"]


def test_unknown_clauses_fall_back_on_catalog_search(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/a.csv; make it shine")
    assert methods(draft) == ["file.csv.read"]
    found = planner.plan("read data/a.csv; detect what tongue it is in; kmeans")
    assert methods(found) == ["file.csv.read", "nlp.text.language"]  # k-means needs a k
    assert "catalog's search ranked it first" in found.notes[-1].note
    assert methods(planner.plan("hello there")) == []


def test_odd_corners(planner: OfflinePlanner, catalog: Catalog) -> None:
    german = planner.plan("German tweets about AI, detect the language")
    assert methods(german) == ["social.twitter.search"]
    tags = planner.plan("tweets about AI, extract hashtags and again hashtags")
    assert step(tags, "nlp.text.extract")["kinds"] == ["hashtags"]
    per = planner.plan("read data/x.csv and show it per")
    assert methods(per) == ["file.csv.read"]
    keyed = planner.plan(
        "news articles about climate and the rss feed https://example.org/c.rss, join them on score"
    )
    assert step(keyed, "data.rows.join")["on"] == "score"
    constant = planner.plan('read data/x.csv, run the sql "SELECT 1"')
    assert step(constant, "data.sql.query")["inputs"] == {"x": "{{ x.data }}"}
    exported = planner.plan(
        "export data/orders.csv into the table orders of postgresql://localhost/w"
    )
    assert methods(exported) == ["file.csv.read", "sql.table.write"]
    assert validate(exported, catalog).ok
    shine = planner.plan("read data/a.csv; please apply kmeans to all the rows")
    assert methods(shine) == ["file.csv.read"]


def test_numeric_conditions_and_column_words(planner: OfflinePlanner) -> None:
    below = planner.plan("tweets about AI with a sentiment below -0.5")
    assert methods(below) == ["social.twitter.search", "nlp.text.sentiment", "data.rows.filter"]
    assert step(below, "data.rows.filter")["where"] == "sentiment < -0.5"
    dated = planner.plan("tweets about AI, keep those with likes over 100, sort by date")
    assert step(dated, "data.rows.filter")["where"] == "likes > 100"
    assert step(dated, "data.rows.sort")["by"] == "created_at"
    kept = planner.plan("tweets about AI, sort by mood")
    assert step(kept, "data.rows.sort")["by"] == "mood"
    feed = planner.plan("read the rss feed https://a.example.com/a.rss, sort by date")
    assert step(feed, "data.rows.sort")["by"] == "published"
    spoken = planner.plan("tweets about AI where language is English")
    assert methods(spoken) == ["social.twitter.search"]  # the search's own language filter
    assert step(spoken, "social.twitter.search")["lang"] == "en"
    detected = planner.plan("read data/t.csv where language is English")
    assert step(detected, "data.rows.filter")["where"] == "language = 'en'"


def test_one_clause_writing_several_files_branches(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "read data/c.jsonl, detect the language, and write the French ones to out/fr.jsonl "
        "and the Spanish ones to out/es.jsonl"
    )
    filters = [s for s in steps(draft) if s["method"] == "data.rows.filter"]
    assert [f["params"] for f in filters] == [
        {"data": "{{ languages.data }}", "where": "language = 'fr'"},
        {"data": "{{ languages.data }}", "where": "language = 'es'"},
    ]
    twice = planner.plan("save tweets about the oscars as out/o.csv and out/o.parquet")
    assert methods(twice) == ["social.twitter.search", "file.csv.write", "file.parquet.write"]
    assert step(twice, "file.parquet.write")["data"] == "{{ tweets.data }}"


def test_both_sources_get_the_enricher(planner: OfflinePlanner, catalog: Catalog) -> None:
    draft = planner.plan(
        "news articles about mars and tweets about mars, score the sentiment of both, then "
        "combine them into one dataset and save to out/mars.csv"
    )
    assert methods(draft).count("nlp.text.sentiment") == 2
    union = step(draft, "data.sql.query")
    assert union["inputs"] == {"scored": "{{ scored.data }}", "scored_2": "{{ scored_2.data }}"}
    assert "sentiment_label FROM scored UNION ALL" in union["query"]
    assert validate(draft, catalog).ok


def test_words_that_look_like_other_steps(planner: OfflinePlanner) -> None:
    total = planner.plan("read data/i.csv, keep invoices where total > 1000, sort by total")
    assert methods(total) == ["file.csv.read", "data.rows.filter", "data.rows.sort"]
    store = planner.plan("read data/v.csv and count the visits per store")
    assert methods(store) == ["file.csv.read", "data.rows.aggregate"]
    one_table = planner.plan("tweets and reddit posts about AI, merged into one table")
    assert "sql.table.write" not in methods(one_table)
    arrow = planner.plan("tweets about AI -> sentiment -> out/ai.parquet -> data/also.csv")
    assert methods(arrow)[-1] == "file.parquet.write"
    assert "file.csv.read" in methods(arrow)  # a bare path outside an output folder is read
    first = planner.plan("read data/p.parquet and sort by price, keep the first 10")
    assert step(first, "data.rows.sort") == {"data": "{{ p.data }}", "by": "price", "limit": 10}


def test_search_params(planner: OfflinePlanner) -> None:
    draft = planner.plan("200 reddit threads about rust in r/rust since 2025-01-01")
    assert step(draft, "social.reddit.search") == {
        "query": "rust",
        "subreddit": "rust",
        "max_results": 200,
        "since": "2025-01-01",
    }


async def test_notes_quote_the_request_with_its_literals(planner: OfflinePlanner) -> None:
    draft = await planner.draft(
        "read examples/data/orders.csv, keep the rows where status = 'delivered' "
        "and save them to out/delivered.csv",
        [],
        answers={},
    )
    notes = {note.step: note.note for note in draft.notes}
    assert all("⟨" not in note for note in notes.values()), notes
    assert any('"read examples/data/orders.csv"' in note for note in notes.values()), notes
    assert any("status = 'delivered'" in note for note in notes.values()), notes
    assert any("out/delivered.csv" in note for note in notes.values()), notes


def test_drift_columns_in_words(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "compare data/w2.csv with data/w1.csv and check drift over clicks and spend"
    )
    assert step(draft, "ml.data.drift")["columns"] == ["clicks", "spend"]
    unnamed = planner.plan("compare data/w2.csv with data/w1.csv for drift on both")
    assert "columns" not in step(unnamed, "ml.data.drift")
