"""Local stand-ins of outside services, for development and tests.

The crawler API over a deterministic sample corpus, static files, a paginated JSON
API, RSS and Atom feeds, article pages, redirects and a webhook receiver, all with
fault injection. Imports nothing of ODP.
"""

from odp.stubs.app import create_app
from odp.stubs.corpus import Corpus, Post, build_corpus
from odp.stubs.faults import FaultInjector, Faults
from odp.stubs.server import RunningServer, bind, running_server, url_of

__all__ = [
    "Corpus",
    "FaultInjector",
    "Faults",
    "Post",
    "RunningServer",
    "bind",
    "build_corpus",
    "create_app",
    "running_server",
    "url_of",
]
