"""What the web stand-in renders: HTML article pages with boilerplate, RSS and Atom feeds.

Article pages wrap the text in what real news sites put around it (a cookie banner,
navigation, a "most read" list, a footer), so that main-text extraction has
something to remove.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from odp.stubs.corpus import Post

__all__ = ["article_html", "atom_feed", "empty_html", "rss_feed"]


def _paragraphs(post: Post) -> list[str]:
    return [p for p in post.text.split("\n\n") if p]


def article_html(post: Post, related: Sequence[Post]) -> str:
    """A news article page: the article and the boilerplate around it."""
    title = html.escape(post.title or "")
    publisher = html.escape(post.publisher or "")
    author = html.escape(post.author)
    paragraphs = "\n".join(f"      <p>{html.escape(p)}</p>" for p in _paragraphs(post))
    most_read = "\n".join(
        f'        <li><a href="/articles/{r.id}.html">{html.escape(r.title or r.id)}</a></li>'
        for r in related
    )
    return f"""<!doctype html>
<html lang="{post.lang}">
<head>
  <meta charset="utf-8">
  <title>{title} | {publisher}</title>
  <meta name="author" content="{author}">
  <meta name="description" content="{html.escape(_paragraphs(post)[0])}">
  <meta property="og:title" content="{title}">
  <meta property="article:published_time" content="{post.created_at.isoformat()}">
</head>
<body>
  <div class="cookie-banner">We use cookies to improve your experience and to show
    personalised ads. <button>Accept all</button> <a href="/privacy">Privacy policy</a></div>
  <header>
    <nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a>
      <a href="/sport">Sport</a> <a href="/tech">Tech</a> <a href="/subscribe">Subscribe</a></nav>
  </header>
  <main>
    <article>
      <h1>{title}</h1>
      <p class="byline">By {author}, {publisher} -
        <time datetime="{post.created_at.isoformat()}">{post.created_at:%d %B %Y}</time></p>
{paragraphs}
    </article>
    <aside>
      <h2>Most read</h2>
      <ul>
{most_read}
      </ul>
    </aside>
  </main>
  <footer>
    <p>&copy; 2025 {publisher}. All rights reserved.</p>
    <p><a href="/newsletter">Newsletter</a> <a href="/contact">Contact</a>
      <a href="/careers">Careers</a> <a href="/advertise">Advertise</a></p>
  </footer>
</body>
</html>
"""


def empty_html() -> str:
    """A page rendered by JavaScript in the browser: no main text to extract."""
    return """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>App</title>
<script src="/static/app.js" defer></script></head>
<body><div id="root"></div><script>window.__STATE__ = {};</script></body></html>
"""


def _rfc822(when: dt.datetime) -> str:
    return email.utils.format_datetime(when.astimezone(dt.UTC), usegmt=True)


def rss_feed(topic: str, posts: Sequence[Post], base_url: str) -> str:
    """An RSS 2.0 feed of news articles."""
    items = "\n".join(
        f"""    <item>
      <title>{escape(p.title or "")}</title>
      <link>{escape(f"{base_url}/articles/{p.id}.html")}</link>
      <guid isPermaLink="false">{escape(p.id)}</guid>
      <pubDate>{_rfc822(p.created_at)}</pubDate>
      <dc:creator>{escape(p.author)}</dc:creator>
      <category>{escape(p.topic)}</category>
      <description>{escape(_paragraphs(p)[0])}</description>
    </item>"""
        for p in posts
    )
    updated = (
        _rfc822(posts[0].created_at) if posts else _rfc822(dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Sample news: {escape(topic)}</title>
    <link>{escape(base_url)}/</link>
    <description>Articles about {escape(topic)} from the ODP stand-in</description>
    <lastBuildDate>{updated}</lastBuildDate>
{items}
  </channel>
</rss>
"""


def atom_feed(topic: str, posts: Sequence[Post], base_url: str) -> str:
    """An Atom feed of news articles."""
    entries = "\n".join(
        f"""  <entry>
    <title>{escape(p.title or "")}</title>
    <id>urn:odp-stub:{escape(p.id)}</id>
    <link href={quoteattr(f"{base_url}/articles/{p.id}.html")}/>
    <published>{p.created_at.isoformat()}</published>
    <updated>{p.created_at.isoformat()}</updated>
    <author><name>{escape(p.author)}</name></author>
    <category term={quoteattr(p.topic)}/>
    <summary>{escape(_paragraphs(p)[0])}</summary>
  </entry>"""
        for p in posts
    )
    updated = posts[0].created_at.isoformat() if posts else "2025-06-01T00:00:00+00:00"
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Sample news: {escape(topic)}</title>
  <id>urn:odp-stub:feed:{escape(topic)}</id>
  <updated>{updated}</updated>
  <link href={quoteattr(base_url + "/")}/>
{entries}
</feed>
"""
