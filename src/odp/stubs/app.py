"""The stand-ins' FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from odp.stubs.chat import chat_router
from odp.stubs.corpus import build_corpus
from odp.stubs.crawler import crawler_router
from odp.stubs.faults import FaultInjector
from odp.stubs.web import web_router
from odp.stubs.webhooks import webhooks_router

__all__ = ["create_app"]


def create_app(
    seed: int = 42, *, tweets: int = 3000, reddit: int = 1200, news: int = 600
) -> FastAPI:
    """Build the stand-in service: the crawler API, the web pages and feeds, a webhook receiver.

    Every route accepts fault injection (see :mod:`odp.stubs.faults`).

    Args:
        seed: the sample corpus's seed; the same seed serves the same data.
        tweets: how many short posts the corpus has.
        reddit: how many Reddit threads.
        news: how many news articles (also served as pages and feeds).
    """
    corpus = build_corpus(seed, tweets=tweets, reddit=reddit, news=news)
    app = FastAPI(
        title="ODP stand-ins",
        description="The crawler API, web pages, feeds and a webhook receiver, served from a "
        "deterministic sample corpus for development and tests.",
        version="1",
    )
    app.state.corpus = corpus
    app.include_router(crawler_router(corpus))
    app.include_router(web_router(corpus))
    app.include_router(webhooks_router())
    app.include_router(chat_router())
    app.add_middleware(FaultInjector)
    return app
