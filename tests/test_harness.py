"""The test harness itself: the PostgreSQL server that ./scripts/test starts
(scripts/pg_throwaway.sh) is reachable through SMM_DESK_TEST_PG_URL."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("SMM_DESK_TEST_PG_URL", "")


@pytest.mark.postgres
@pytest.mark.skipif(
    not PG_URL,
    reason="SMM_DESK_TEST_PG_URL is not set: ./scripts/test starts a throwaway PostgreSQL "
    "and sets it (unless SMM_DESK_TEST_NO_PG=1)",
)
def test_pg_url_reaches_a_live_server() -> None:
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar_one() == 1
            # Customer text is Cyrillic, emoji...: the test database must be UTF-8.
            assert conn.execute(text("show server_encoding")).scalar_one() == "UTF8"
    finally:
        engine.dispose()
