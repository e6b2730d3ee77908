"""SettingsService over a real SQLite store, the in-memory keyring and the
in-process simulator: accounts with tokens only in the keyring, the connection
test (ok, bad token, network down), pause/resume, departments, notification
preferences in QSettings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from smm_desk import secrets
from smm_desk.domain.quiet_hours import QuietHours
from smm_desk.domain.records import AccountStatus
from smm_desk.services.settings import (
    ConnectionResult,
    NotificationPrefs,
    SettingsError,
    SettingsService,
    parse_options,
)
from smm_desk.sim.telegram import TelegramSim
from smm_desk.sim.transport import SimTransport
from smm_desk.sim.world import Fault, SimWorld
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.sync.engine import default_factory
from tests.conftest import FakeClock
from tests.support.memory_keyring import MemoryKeyring

TOKEN = "777:SECRET-planted-token-xyz"


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(f"sqlite:///{tmp_path}/desk.db"), clock)
    yield s
    s.close()


@pytest.fixture
def world() -> SimWorld:
    w = SimWorld(max_poll_wait=0.2)
    tg = TelegramSim(w)
    w.add(tg)
    tg.add_account(TOKEN, "shop_bot")
    tg.inject_dm(TOKEN, "42", "Anna", "hello")
    return w


@pytest.fixture
def service(store: Store, tmp_path: Path, world: SimWorld) -> SettingsService:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    return SettingsService(store, settings,
                           factory=default_factory(transport=SimTransport(world)))


def test_connect_keeps_the_token_only_in_the_keyring(
    qtbot: QtBot, service: SettingsService, memory_keyring: MemoryKeyring, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="smm_desk")  # the CLI may have raised it
    with qtbot.waitSignal(service.accounts_changed):
        account = service.connect_account("telegram", "@shop_bot", f"  {TOKEN} ",
                                          base_url="http://sim.invalid")
    assert secrets.get_token(account.id) == TOKEN
    assert [a.name for a in service.accounts()] == ["@shop_bot"]
    for path in tmp_path.iterdir():
        assert TOKEN.encode() not in path.read_bytes(), path
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"network": "myspace"}, "no connector for 'myspace'"),
    ({"name": " "}, "give the account a name"),
    ({"token": ""}, "paste the account's token"),
    ({"base_url": "ftp://x"}, "must start with http"),
])
def test_connect_refuses_with_one_line(service: SettingsService, kwargs: dict[str, str],
                                       message: str) -> None:
    args = {"network": "telegram", "name": "@bot", "token": TOKEN, "base_url": ""} | kwargs
    with pytest.raises(SettingsError, match=message):
        service.connect_account(**args)
    assert service.accounts() == []


def test_connect_twice_is_refused(service: SettingsService) -> None:
    service.connect_account("telegram", "@bot", TOKEN)
    with pytest.raises(SettingsError, match="already connected"):
        service.connect_account("telegram", "@bot", TOKEN)


def test_connection_test_ok_without_a_loop(qtbot: QtBot, service: SettingsService,
                                           store: Store) -> None:
    account = service.connect_account("telegram", "@bot", TOKEN, "http://sim.invalid")
    with qtbot.waitSignal(service.connection_tested) as blocker:
        result = service.test_connection(account.id)
    assert result == blocker.args[0]
    assert result == ConnectionResult(account.id, True,
                                      "Connected: 1 new item waiting on updates")
    assert store.cursor(account.id, "updates") is None  # a test never moves the cursor


def test_connection_test_on_a_running_loop_reports_by_signal(
    qtbot: QtBot, service: SettingsService,
) -> None:
    account = service.connect_account("telegram", "@bot", TOKEN, "http://sim.invalid")
    results: list[ConnectionResult] = []

    async def run() -> None:
        done = asyncio.Event()
        service.connection_tested.connect(lambda r: (results.append(r), done.set()))
        assert service.test_connection(account.id) is None
        await asyncio.wait_for(done.wait(), 10)

    asyncio.run(run())
    assert results[0].ok


def test_a_bad_token_or_a_dead_network_is_one_line_without_the_token(
    service: SettingsService, world: SimWorld, memory_keyring: MemoryKeyring,
) -> None:
    account = service.connect_account("telegram", "@bot", TOKEN + "-revoked", "http://sim.invalid")
    result = service.test_connection(account.id)
    assert result is not None and not result.ok
    assert result.message.startswith("Authentication failed")
    assert "\n" not in result.message and "revoked" not in result.message
    assert "SECRET" not in result.message

    secrets.set_token(account.id, TOKEN)
    world.inject(Fault("telegram", "status", "getUpdates", status=400,
                       body={"ok": False, "error_code": 400,
                             "description": f"Bad Request: token {TOKEN} is odd"}))
    result = service.test_connection(account.id)
    assert result is not None and not result.ok
    assert TOKEN not in result.message and "SECRET" not in result.message

    secrets.delete_token(account.id)
    result = service.test_connection(account.id)
    assert result == ConnectionResult(account.id, False, "No token stored for this account")


def test_pause_resume_and_replace_token(qtbot: QtBot, service: SettingsService,
                                        store: Store) -> None:
    account = service.connect_account("telegram", "@bot", TOKEN)
    service.pause(account.id)
    assert store.account(account.id).status == "paused"
    service.resume(account.id)
    assert store.account(account.id).status == "ok"
    store.set_account_status(account.id, AccountStatus.NEEDS_AUTH, "401")
    service.replace_token(account.id, "new-token-123")
    assert secrets.get_token(account.id) == "new-token-123"
    assert store.account(account.id).status == "ok"


def test_departments_with_first_response(service: SettingsService) -> None:
    before = [d.name for d in service.departments()]
    dept = service.add_department("Returns", 15)
    assert dept.first_response_s == 15 * 60
    assert [d.name for d in service.departments()] == [*before, "Returns"]
    with pytest.raises(SettingsError, match="already a department called returns"):
        service.add_department("returns", None)
    with pytest.raises(SettingsError, match="at least one minute"):
        service.add_department("Legal", 0)


def test_notification_prefs_round_trip_through_qsettings(
    qtbot: QtBot, service: SettingsService, store: Store, tmp_path: Path,
) -> None:
    assert service.notification_prefs() == NotificationPrefs()
    prefs = NotificationPrefs(enabled=False,
                              quiet=QuietHours(True, time(21, 30), time(6, 45)))
    with qtbot.waitSignal(service.notifications_changed) as blocker:
        service.set_notification_prefs(prefs)
    assert blocker.args == [prefs]
    again = SettingsService(store, QSettings(str(tmp_path / "settings.ini"),
                                             QSettings.Format.IniFormat))
    assert again.notification_prefs() == prefs


def test_parse_options() -> None:
    assert parse_options("group_id = 123\n\n# note\nx=") == {"group_id": "123", "x": ""}
    with pytest.raises(SettingsError, match="line 1"):
        parse_options("no equals sign")
