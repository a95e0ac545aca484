from __future__ import annotations

from collections import Counter

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from odp.stubs import build_corpus
from odp.stubs.corpus import query_words
from odp.stubs.phrases import LANGUAGES, TOPICS


@pytest.fixture(scope="module")
def corpus():  # type: ignore[no-untyped-def]
    return build_corpus(42)


def test_same_seed_same_corpus(corpus) -> None:  # type: ignore[no-untyped-def]
    again = build_corpus(42)
    assert again.tweets == corpus.tweets
    assert again.news == corpus.news
    other = build_corpus(7, tweets=50, reddit=10, news=5)
    assert [p.text for p in other.tweets[:20]] != [p.text for p in corpus.tweets[:20]]
    assert (len(other.tweets), len(other.reddit), len(other.news)) == (50, 10, 5)


def test_a_few_thousand_varied_posts(corpus) -> None:  # type: ignore[no-untyped-def]
    assert len(corpus.tweets) == 3000 and len(corpus.reddit) == 1200 and len(corpus.news) == 600
    assert set(Counter(p.lang for p in corpus.tweets)) == set(LANGUAGES)
    assert set(Counter(p.topic for p in corpus.tweets)) == set(TOPICS)
    sentiments = Counter(p.sentiment for p in corpus.tweets)
    assert all(share > 600 for share in sentiments.values())
    assert len({p.id for p in corpus.tweets}) == 3000
    assert len({p.author for p in corpus.tweets}) > 500
    texts = [p.text for p in corpus.tweets]
    assert sum("#" in t for t in texts) > 1000
    assert sum("@" in t for t in texts) > 300
    assert sum("https://" in t for t in texts) > 200
    times = [p.created_at for p in corpus.tweets]
    assert times == sorted(times, reverse=True)
    assert all(p.created_at.tzinfo is not None for p in corpus.tweets)


def test_english_sentiment_is_what_vader_reads(corpus) -> None:  # type: ignore[no-untyped-def]
    analyzer = SentimentIntensityAnalyzer()
    english = [p for p in corpus.tweets if p.lang == "en"]
    agree = 0
    for post in english:
        score = analyzer.polarity_scores(post.text)["compound"]
        label = "negative" if score <= -0.05 else "positive" if score >= 0.05 else "neutral"
        agree += label == post.sentiment
    assert agree / len(english) > 0.95


def test_search_matching(corpus) -> None:  # type: ignore[no-untyped-def]
    assert query_words("#AI @bob, Climate!") == ["ai", "bob", "climate"]
    post = next(p for p in corpus.tweets if p.topic == "climate" and p.lang == "de")
    assert post.matches(["klima"])  # the topic's words
    assert post.matches(["climate"])
    assert not post.matches(["climate", "bitcoin"])
    news = corpus.news[0]
    assert corpus.by_id(news.id) is news
    assert corpus.by_id("nope") is None
