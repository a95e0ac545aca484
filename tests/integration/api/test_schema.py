"""Schemathesis against the service's OpenAPI document: no 5xx, no answer off the schema.

Both valid requests and requests that break the schema (negative mode) are generated.

The service runs for real: uvicorn on loopback, its own lifespan (database migrated,
Temporal connected), an admin key sent with every generated request.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from odp.api import Database, create_app, service_settings
from odp.api.accounts import create_key
from odp.config import Settings
from odp.engine import ServerInfo
from odp.stubs.server import bind, url_of

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def live_api(
    temporal_server: ServerInfo, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The service on a loopback port, and an admin key for it."""
    state: Path = tmp_path_factory.mktemp("schemathesis") / ".odp"
    config = service_settings(
        Settings(
            state_dir=state,
            temporal_address=temporal_server.address,
            redis_url=redis_url,
            task_queue=f"schema-{uuid.uuid4().hex[:8]}",
            max_body_bytes=64 * 1024,
        )
    )
    database = Database.from_settings(config)
    database.migrate()
    with database.session() as session:
        key = create_key(session, workspace="fuzz", role="admin").key
    database.dispose()
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), log_level="warning", access_log=False, lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)
    try:
        yield url_of(sock), key
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def test_the_api_keeps_to_its_schema(live_api: tuple[str, str]) -> None:
    url, key = live_api
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    failures: list[str] = []
    operations = 0
    cases = [
        (result.ok(), mode)
        for result in schema.get_all_operations()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    for operation, mode in cases:
        operations += mode is GenerationMode.POSITIVE

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {key}"},
                checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
                timeout=30,
            )

        try:
            check()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to break
        except Exception as e:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label} ({mode.value}): {e}"[:3000])
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
