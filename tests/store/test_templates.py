"""Templates, drafts and the case stamp in the store, on both engines; the
0002 migration's downgrade."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, text

from smm_desk.store.api import Store
from smm_desk.store.database import Database, alembic_config
from smm_desk.store.errors import NotFound
from tests.conftest import FakeClock
from tests.support.factories import inbound

SEEDED = ["Acknowledgement", "Passed to department", "Closing"]


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    yield s
    s.close()


@pytest.fixture
def case_id(store: Store, clock: FakeClock) -> int:
    account = store.add_account("telegram", "@shop_bot").id
    store.ingest(account, "u", [inbound("m1", clock.now - timedelta(minutes=2))], None)
    return store.queue()[0].id


def test_a_new_workspace_has_the_three_default_templates(store: Store) -> None:
    templates = store.templates()
    assert [t.name for t in templates] == SEEDED
    for template in templates:
        assert "{customer}" in template.body and "{agent}" in template.body
        assert template.department is None
    assert "{department}" in templates[1].body
    assert store.template(templates[1].id) == templates[1]
    with pytest.raises(NotFound):
        store.template(99999)


def test_drafts_are_kept_exactly_and_blank_deletes(store: Store, case_id: int) -> None:
    assert store.draft(case_id) == ""
    store.save_draft(case_id, "  Здравствуйте,\n\nмы  ")
    assert store.draft(case_id) == "  Здравствуйте,\n\nмы  "
    store.save_draft(case_id, "Xin chào")  # an update, not a second row
    assert store.draft(case_id) == "Xin chào"
    store.save_draft(case_id, " \n ")
    assert store.draft(case_id) == ""
    with store.db.reading() as s:
        assert s.execute(text("SELECT count(*) FROM drafts")).scalar() == 0
    with pytest.raises(NotFound):
        store.save_draft(99999, "hello")


def test_queueing_from_the_draft_deletes_it_in_the_same_transaction(
    store: Store, case_id: int
) -> None:
    store.save_draft(case_id, "we are on it")
    reply = store.queue_reply_from_draft(case_id, "we are on it", "kim")
    assert reply.state == "queued" and reply.agent == "kim"
    assert store.draft(case_id) == ""
    # A refused reply leaves the draft alone.
    store.save_draft(case_id, "   ")
    store.save_draft(case_id, "second")
    with pytest.raises(ValueError):
        store.queue_reply_from_draft(case_id, "   ", "kim")
    assert store.draft(case_id) == "second"


def test_drafts_go_with_their_case(store: Store, case_id: int) -> None:
    store.save_draft(case_id, "half a reply")
    account = store.cases_by_id([case_id])[0].account_id
    store.remove_account(account)
    with store.db.reading() as s:
        assert s.execute(text("SELECT count(*) FROM drafts")).scalar() == 0


def test_the_stamp_changes_with_everything_the_case_view_shows(
    store: Store, case_id: int, clock: FakeClock
) -> None:
    first = store.case_stamp(case_id)
    assert store.case_stamp(case_id) == first
    store.save_draft(case_id, "drafts are not shown in the thread")
    assert store.case_stamp(case_id) == first

    reply = store.queue_reply(case_id, "hello", "kim")
    queued = store.case_stamp(case_id)
    assert queued != first and queued.replies == ((reply.id, "queued", 0, ""),)
    store.claim_reply(reply.id)  # no event: only the reply's state moves
    sending = store.case_stamp(case_id)
    assert sending.replies == ((reply.id, "sending", 1, ""),)
    assert sending.last_event_id == queued.last_event_id
    store.reply_failed(reply.id, "blocked")
    assert store.case_stamp(case_id).replies == ((reply.id, "failed", 1, "blocked"),)
    before = store.case_stamp(case_id)
    store.retry_reply(reply.id)
    assert store.case_stamp(case_id) != before

    before = store.case_stamp(case_id)
    account = store.cases_by_id([case_id])[0].account_id
    store.ingest(account, "u", [inbound("m2", clock.now)], None)
    after = store.case_stamp(case_id)
    assert after.last_message_id > before.last_message_id
    before = after
    store.route(case_id, "Billing", "kim")
    assert store.case_stamp(case_id).last_event_id > before.last_event_id
    with pytest.raises(NotFound):
        store.case_stamp(99999)


def test_downgrade_removes_drafts_and_untouched_seeds(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/down.db"
    db = Database.open(url)
    try:
        with db.transaction() as s:
            s.execute(text("UPDATE templates SET body = 'edited' WHERE name = 'Closing'"))
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0001")
        assert "drafts" not in inspect(db.engine).get_table_names()
        with db.reading() as s:
            names = list(s.execute(text("SELECT name FROM templates")).scalars())
        assert names == ["Closing"]  # the user's edit survives
        with db.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        with db.reading() as s:
            names = sorted(s.execute(text("SELECT name FROM templates")).scalars())
        assert names == sorted(SEEDED)
    finally:
        db.close()
