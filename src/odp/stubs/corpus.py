"""A deterministic sample corpus: posts, Reddit threads and news articles from a seed.

The same seed always gives the same corpus, so tests and demos can count on it. Posts
cover several topics and languages, with negative, neutral and positive text, authors,
timestamps, likes and reposts, and hashtags, mentions and links inside the text.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from odp.stubs.phrases import (
    HASHTAGS,
    LANGUAGES,
    NAMES,
    PUBLISHERS,
    SENTIMENTS,
    SUBJECTS,
    SUBREDDITS,
    TEMPLATES,
    TITLE_LABELS,
    TOPIC_WORDS,
    TOPICS,
)

__all__ = ["Corpus", "Post", "build_corpus"]

# the newest post is at this instant; older ones spread over the 60 days before it
EPOCH = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
SPAN = dt.timedelta(days=60)

_LANGUAGE_WEIGHTS = (50, 10, 10, 10, 10, 10)
_SENTIMENT_WEIGHTS = (35, 30, 35)
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Post:
    """One item of the corpus (a post, a Reddit thread or a news article)."""

    id: str
    kind: str
    text: str
    author: str
    created_at: dt.datetime
    lang: str
    topic: str
    sentiment: str
    likes: int
    reposts: int
    url: str | None = None
    title: str | None = None
    subreddit: str | None = None
    comments: int | None = None
    publisher: str | None = None
    tokens: frozenset[str] = field(default=frozenset(), repr=False)

    def matches(self, words: Iterable[str]) -> bool:
        """Whether every query word is in the text (as a word or word prefix) or names the topic."""
        topic_words = TOPIC_WORDS[self.topic]
        for word in words:
            if word in self.tokens or word in topic_words or word == self.topic:
                continue
            if len(word) >= 4 and any(t.startswith(word) for t in self.tokens):
                continue
            return False
        return True


@dataclass(frozen=True, slots=True)
class Corpus:
    """The corpus, newest first within each kind."""

    seed: int
    tweets: tuple[Post, ...]
    reddit: tuple[Post, ...]
    news: tuple[Post, ...]

    def by_id(self, post_id: str) -> Post | None:
        """An item by id, of any kind."""
        for items in (self.news, self.tweets, self.reddit):
            for post in items:
                if post.id == post_id:
                    return post
        return None


def query_words(query: str) -> list[str]:
    """The lowercase words of a query (``#`` and ``@`` are ignored)."""
    return [w.lower() for w in _TOKEN.findall(query)]


def _tokens(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _TOKEN.findall(text))


class _Maker:
    """Draws the corpus's pieces from one random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick_lang(self) -> str:
        return self.rng.choices(LANGUAGES, _LANGUAGE_WEIGHTS)[0]

    def pick_sentiment(self) -> str:
        return self.rng.choices(SENTIMENTS, _SENTIMENT_WEIGHTS)[0]

    def author(self, lang: str) -> str:
        first, last = NAMES[lang]
        return f"{self.rng.choice(first)}_{self.rng.choice(last)}{self.rng.randint(1, 99)}"

    def when(self) -> dt.datetime:
        seconds = self.rng.randint(0, int(SPAN.total_seconds()))
        return EPOCH - dt.timedelta(seconds=seconds)

    def sentence(self, lang: str, topic: str, sentiment: str) -> tuple[str, str]:
        subject = self.rng.choice(SUBJECTS[topic][lang])
        text = self.rng.choice(TEMPLATES[lang][sentiment]).format(s=subject)
        return text[0].upper() + text[1:], subject

    def engagement(self) -> tuple[int, int]:
        likes = int(self.rng.lognormvariate(2.5, 1.4))
        return likes, int(likes * self.rng.uniform(0.0, 0.4))

    def decorate(self, text: str, lang: str, topic: str) -> str:
        """Add hashtags, a mention or a link, as people do."""
        extras: list[str] = []
        if self.rng.random() < 0.7:
            extras.extend(self.rng.sample(HASHTAGS[topic], k=self.rng.randint(1, 2)))
        if self.rng.random() < 0.3:
            extras.append("@" + self.author(lang))
        if self.rng.random() < 0.2:
            extras.append(f"https://example.com/{topic}/{self.rng.randint(100, 999)}")
        return " ".join([text, *extras])


def _tweets(maker: _Maker, count: int) -> list[Post]:
    posts = []
    for i in range(count):
        lang, sentiment, topic = maker.pick_lang(), maker.pick_sentiment(), maker.rng.choice(TOPICS)
        text, _ = maker.sentence(lang, topic, sentiment)
        text = maker.decorate(text, lang, topic)
        author = maker.author(lang)
        likes, reposts = maker.engagement()
        post_id = str(1_790_000_000_000_000_000 + i * 7919)
        posts.append(
            Post(
                id=post_id,
                kind="tweet",
                text=text,
                author=author,
                created_at=maker.when(),
                lang=lang,
                topic=topic,
                sentiment=sentiment,
                likes=likes,
                reposts=reposts,
                url=f"https://x.com/{author}/status/{post_id}",
                tokens=_tokens(text),
            )
        )
    return posts


def _reddit(maker: _Maker, count: int) -> list[Post]:
    posts = []
    for i in range(count):
        lang, sentiment, topic = maker.pick_lang(), maker.pick_sentiment(), maker.rng.choice(TOPICS)
        first, subject = maker.sentence(lang, topic, sentiment)
        second, _ = maker.sentence(lang, topic, sentiment)
        text = maker.decorate(f"{first} {second}", lang, topic)
        title = f"{subject[0].upper()}{subject[1:]}: {TITLE_LABELS[sentiment][lang]}"
        likes, reposts = maker.engagement()
        subreddit = SUBREDDITS[topic][lang]
        post_id = f"t3_{i * 104729 + 1_000_000:x}"
        posts.append(
            Post(
                id=post_id,
                kind="reddit",
                text=text,
                author=maker.author(lang),
                created_at=maker.when(),
                lang=lang,
                topic=topic,
                sentiment=sentiment,
                likes=likes,
                reposts=reposts,
                url=f"https://www.reddit.com/r/{subreddit}/comments/{post_id[3:]}/",
                title=title,
                subreddit=subreddit,
                comments=maker.rng.randint(0, max(1, likes // 2)),
                tokens=_tokens(f"{title} {text}"),
            )
        )
    return posts


def _news(maker: _Maker, count: int) -> list[Post]:
    posts = []
    for i in range(count):
        lang, sentiment, topic = maker.pick_lang(), maker.pick_sentiment(), maker.rng.choice(TOPICS)
        paragraphs = []
        subject = ""
        for _ in range(maker.rng.randint(4, 7)):
            # mostly the article's tone, with neutral context in between
            tone = sentiment if maker.rng.random() < 0.7 else "neutral"
            sentence, chosen = maker.sentence(lang, topic, tone)
            subject = subject or chosen
            paragraphs.append(sentence)
        title = f"{subject[0].upper()}{subject[1:]}: {TITLE_LABELS[sentiment][lang]}"
        text = "\n\n".join(paragraphs)
        likes, reposts = maker.engagement()
        posts.append(
            Post(
                id=f"news-{i:05d}",
                kind="news",
                text=text,
                author=maker.author(lang).replace("_", " ").title().rstrip("0123456789"),
                created_at=maker.when(),
                lang=lang,
                topic=topic,
                sentiment=sentiment,
                likes=likes,
                reposts=reposts,
                title=title,
                publisher=maker.rng.choice(PUBLISHERS[lang]),
                tokens=_tokens(f"{title} {text}"),
            )
        )
    return posts


def _newest_first(posts: list[Post]) -> tuple[Post, ...]:
    return tuple(sorted(posts, key=lambda p: (p.created_at, p.id), reverse=True))


def build_corpus(
    seed: int = 42, *, tweets: int = 3000, reddit: int = 1200, news: int = 600
) -> Corpus:
    """Generate the corpus for a seed.

    Args:
        seed: the random seed; the same seed gives the same corpus.
        tweets: how many short posts.
        reddit: how many Reddit threads.
        news: how many news articles.
    """
    maker = _Maker(seed)
    return Corpus(
        seed=seed,
        tweets=_newest_first(_tweets(maker, tweets)),
        reddit=_newest_first(_reddit(maker, reddit)),
        news=_newest_first(_news(maker, news)),
    )
