"""Fixtures shared by the UI tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smm_desk.store.api import Store
from smm_desk.store.database import Database
from tests.conftest import FakeClock


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    """A SQLite store in a temporary file, with the starter departments and rules.
    A module about triage rather than routing narrows it (``store.save_rules([])``)."""
    s = Store(Database.open(f"sqlite:///{tmp_path}/desk.db"), clock)
    yield s
    s.close()
