from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import feedparser
import pytest
from fastapi.testclient import TestClient

from odp.clients import CrawlerSearchResponse
from odp.stubs import create_app
from odp.stubs.crawler import PAGE_SIZE
from odp.stubs.faults import FaultError, read_faults


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(tweets=400, reddit=200, news=60)) as c:
        yield c


def search_all(client: TestClient, path: str, **body: object) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    cursor = None
    while True:
        answer = client.post(path, json={**body, "cursor": cursor}).json()
        CrawlerSearchResponse.model_validate(answer)  # the client's contract
        results.extend(answer["results"])
        cursor = answer["next_cursor"]
        if cursor is None:
            return results


def test_twitter_search_pages_without_gaps(client: TestClient) -> None:
    first = client.post("/social/twitter/search", json={"query": "AI", "max_results": 1000}).json()
    assert len(first["results"]) == PAGE_SIZE or first["next_cursor"] is None
    everything = search_all(client, "/social/twitter/search", query="AI", max_results=7)
    assert len(everything) > 7
    assert len({r["id"] for r in everything}) == len(everything)
    times = [r["created_at"] for r in everything]
    assert times == sorted(times, reverse=True)
    keys = set(everything[0])
    assert keys == {"id", "text", "author", "created_at", "url", "lang", "likes", "reposts"}


def test_filters(client: TestClient) -> None:
    german = search_all(
        client, "/social/twitter/search", query="climate", max_results=100, lang="de"
    )
    assert german and all(r["lang"] == "de" for r in german)
    since = "2025-05-20T00:00:00Z"
    recent = search_all(
        client, "/social/twitter/search", query="food", max_results=100, since=since
    )
    assert recent and all(r["created_at"] >= since for r in recent)
    naive = search_all(
        client, "/social/twitter/search", query="food", max_results=100, since="2025-05-20T00:00:00"
    )
    assert naive == recent
    threads = search_all(
        client, "/social/reddit/search", query="football", max_results=100, subreddit="r/soccer"
    )
    assert threads and all(r["subreddit"] == "soccer" and r["title"] for r in threads)
    none = client.post(
        "/social/twitter/search", json={"query": "zzzz nothing", "max_results": 5}
    ).json()
    assert none == {"results": [], "next_cursor": None}


def test_news_links_to_article_pages(client: TestClient) -> None:
    answer = client.post("/news/search", json={"query": "elections", "max_results": 2}).json()
    article = answer["results"][0]
    assert article["url"] == f"http://testserver/articles/{article['id']}.html"
    assert article["title"] and article["source"] and article["summary"]
    page = client.get(f"/articles/{article['id']}.html")
    assert page.status_code == 200 and "<article>" in page.text and "cookie" in page.text
    assert client.get("/articles/news-99999.html").status_code == 404


def test_bad_requests(client: TestClient) -> None:
    assert client.post("/social/twitter/search", json={"query": ""}).status_code == 422
    assert (
        client.post("/social/twitter/search", json={"query": "a", "max_results": 0}).status_code
        == 422
    )
    bad = client.post("/social/twitter/search", json={"query": "a", "cursor": "!!"})
    assert bad.status_code == 400 and "invalid cursor" in bad.text


def test_fault_injection(client: TestClient) -> None:
    answer = client.get("/healthz", params={"stub_status": 429, "stub_retry_after": "3"})
    assert answer.status_code == 429 and answer.headers["retry-after"] == "3"
    assert client.get("/healthz", headers={"X-Stub-Status": "503"}).status_code == 503
    statuses = [
        client.get("/healthz", params={"stub_fail_first": 2, "stub_fail_key": "t1"}).status_code
        for _ in range(4)
    ]
    assert statuses == [503, 503, 200, 200]
    assert client.get("/_stub/faults/t1").json() == {"key": "t1", "calls": 4}
    assert client.get("/_stub/faults/other").json()["calls"] == 0
    rate = {"stub_error_rate": 0.5, "stub_seed": "s", "stub_error_status": 500}
    first = [client.get("/healthz", params=rate).status_code for _ in range(40)]
    assert set(first) == {200, 500}
    assert client.get("/healthz", params={"stub_latency_ms": 1}).status_code == 200
    assert client.get("/healthz", params={"stub_latency_ms": "x"}).status_code == 400


def test_error_rate_is_deterministic() -> None:
    def run() -> list[int]:
        with TestClient(create_app(tweets=5, reddit=5, news=5)) as c:
            return [
                c.get("/healthz", params={"stub_error_rate": 0.3, "stub_seed": "7"}).status_code
                for _ in range(30)
            ]

    assert run() == run()


@pytest.mark.parametrize(
    ("headers", "query", "message"),
    [
        ({}, {"stub_latency_ms": "-1"}, "between 0 and"),
        ({}, {"stub_error_rate": "2"}, "between 0 and 1"),
        ({"x-stub-status": "42"}, {}, "not an HTTP status"),
        ({}, {"stub_fail_first": "x"}, "not a valid int"),
    ],
)
def test_read_faults_refuses_bad_values(
    headers: dict[str, str], query: dict[str, str], message: str
) -> None:
    with pytest.raises(FaultError, match=message):
        read_faults(headers, query)


def test_read_faults_query_wins_over_headers() -> None:
    assert read_faults({}, {}) is None
    faults = read_faults({"x-stub-status": "500", "x-stub-fail-key": "h"}, {"stub_status": "502"})
    assert faults is not None and faults.status == 502 and faults.fail_key == "h"


def test_files(client: TestClient) -> None:
    csv = client.get("/files/posts.csv")
    assert csv.text.startswith("id,text,author,created_at,lang,likes,reposts\n")
    assert len(client.get("/files/posts.json").json()) == 200
    assert len(client.get("/files/posts.jsonl").text.splitlines()) == 200
    assert client.get("/files/posts.xml").status_code == 404


def test_paged_apis(client: TestClient) -> None:
    page = client.get("/api/items", params={"page": 5, "per_page": 20}).json()
    assert len(page["items"]) == 15 and page["total"] == 95
    assert client.get("/api/items", params={"page": 6, "per_page": 20}).json()["items"] == []
    cursor = client.get("/api/cursor", params={"limit": 90}).json()
    assert cursor["meta"]["next_cursor"] == "c90"
    last = client.get("/api/cursor", params={"cursor": "c90"}).json()
    assert len(last["data"]["records"]) == 5 and last["meta"]["next_cursor"] is None
    assert client.get("/api/cursor", params={"cursor": "zz"}).status_code == 400
    linked = client.get("/api/linked", params={"page": 1, "per_page": 50})
    assert 'rel="next"' in linked.headers["link"]
    assert (
        'rel="next"'
        not in client.get("/api/linked", params={"page": 2, "per_page": 50}).headers["link"]
    )


def test_feeds_parse(client: TestClient) -> None:
    rss = feedparser.parse(client.get("/feeds/ai.rss").content)
    assert not rss.bozo and rss.entries
    assert all(e.link.startswith("http://testserver/articles/") for e in rss.entries)
    assert rss.entries[0].published_parsed is not None
    atom = feedparser.parse(client.get("/feeds/all.atom").content)
    assert not atom.bozo and len(atom.entries) == 20
    assert client.get("/feeds/nope.rss").status_code == 404


def test_misc_routes(client: TestClient) -> None:
    redirect = client.get(
        "/redirect", params={"to": "http://127.0.0.1:1/x"}, follow_redirects=False
    )
    assert redirect.status_code == 302 and redirect.headers["location"] == "http://127.0.0.1:1/x"
    assert client.get("/status/418").status_code == 418
    assert client.get("/status/99").status_code == 400
    echo = client.get("/echo", params={"a": "1"}, headers={"X-Test": "yes"}).json()
    assert echo["query"] == {"a": "1"} and echo["headers"]["x-test"] == "yes"
    assert "<article>" not in client.get("/pages/empty.html").text


def test_webhook_receiver_dedupes(client: TestClient) -> None:
    client.delete("/webhooks/t")
    body = {"batch": 0, "rows": [{"a": 1}, {"a": 2}]}
    assert (
        client.post("/webhooks/t", json=body, headers={"Idempotency-Key": "k0"}).status_code == 202
    )
    again = client.post("/webhooks/t", json=body, headers={"Idempotency-Key": "k0"})
    assert again.json()["status"] == "duplicate"
    client.post("/webhooks/t", json=[1, 2, 3])
    client.post("/webhooks/t", json={"no": "rows"})
    assert (
        client.post(
            "/webhooks/t", content=b"{", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    seen = client.get("/webhooks/t").json()
    assert [d["key"] for d in seen["deliveries"]] == ["k0", None, None]
    assert seen["duplicates"] == 1 and seen["rows"] == 5
    dt.datetime.fromisoformat(seen["deliveries"][0]["received_at"])
    client.delete("/webhooks/t")
    assert client.get("/webhooks/t").json()["deliveries"] == []
