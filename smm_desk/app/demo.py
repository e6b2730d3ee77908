"""``smm-desk demo``: the app on a demo workspace, and the GUI's composition root.

The demo lives in its own database, ``<data dir>/demo/smm-desk.db`` (``--db``
overrides it), so trying the app never mixes invented customers into a real
workspace. The first run seeds it with three accounts and a queue of realistic
multilingual cases whose network times are spread over the last half hour, so
the SLA column shows clocks that are fine, in warning and breached. Seeding
happens once: a workspace that has accounts is left as it is.

The demo accounts point at a placeholder simulator URL and have no tokens (the
keyring is never touched); until the simulator exists nothing polls them.

``--screenshot FILE`` shows the window at 1280×800, saves a picture of it after
``--after`` seconds and exits: the README's and the tests' way to see the app.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType

from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication

from smm_desk.domain.enums import CaseStatus, Direction
from smm_desk.domain.records import IncomingMessage, MessageKind, Priority
from smm_desk.services.queue import QueueService
from smm_desk.store.api import Store
from smm_desk.store.database import default_data_dir, resolve_url
from smm_desk.ui.main_window import MainWindow

WORKSPACE = "Demo workspace"
SCREENSHOT_SIZE = (1280, 800)
SIMULATOR_URL = "http://127.0.0.1:0/simulator"  # placeholder until the simulator exists
ACTOR = "demo"

#: account key -> (network, handle)
ACCOUNTS: dict[str, tuple[str, str]] = {
    "tg": ("telegram", "@acme_shop_bot"),
    "vk": ("vk", "club_acme"),
    "md": ("mastodon", "@acme@mastodon.example"),
}

_KIND = {"tg": MessageKind.DM, "vk": MessageKind.COMMENT, "md": MessageKind.MENTION}


@dataclass(frozen=True)
class DemoCase:
    """One seeded case: customer messages ``(minutes ago, text)``, oldest first,
    then what a manager already did with it."""

    account: str
    customer: str
    messages: tuple[tuple[float, str], ...]
    department: str | None = None
    assignee: str | None = None
    priority: Priority | None = None
    reply: str | None = None  # delivered, so the case owes nothing
    waiting_customer: bool = False


def _c(account: str, customer: str, *messages: tuple[float, str],
       department: str | None = None, assignee: str | None = None,
       priority: Priority | None = None, reply: str | None = None,
       waiting_customer: bool = False) -> DemoCase:
    return DemoCase(account, customer, messages, department, assignee, priority, reply,
                    waiting_customer)


# Default first-response target: 10 min, warning at 8. Minutes ago below decide the clock.
DEMO_CASES: tuple[DemoCase, ...] = (
    # breached
    _c("tg", "Mark Delaney",
       (24, "Your courier left my parcel in the rain and it's soaked. Nobody answers the phone."),
       (6, "This is the THIRD time I'm writing. Full refund today or I file a chargeback."),
       department="Support", assignee="anna", priority=Priority.URGENT),
    _c("vk", "Виктор Зайцев",
       (27, "Списали деньги, а заказ висит в статусе «не оплачен». Верните деньги!"),
       department="Billing"),
    _c("md", "Daniel Kim",
       (25, "@acme ordered a gift for Friday, will express delivery make it to Busan?")),
    _c("vk", "Наталья Ильина",
       (18, "Подскажите, можно ли изменить адрес доставки, если заказ уже отправлен?")),
    _c("md", "Chris Walker",
       (16, "@acme 2FA codes stopped working after I switched phones. I'm locked out.")),
    _c("tg", "Phạm Thu Hà",
       (14, "Shop ơi, mình muốn trả hàng và hoàn tiền, áo bị lỗi đường may ở tay.")),
    _c("md", "Hoàng Mai",
       (12, "@acme ứng dụng báo lỗi 502 khi thanh toán bằng MoMo, mình thử 3 lần rồi."),
       department="Tech"),
    _c("vk", "Сергей Морозов",
       (11, "Вы вообще читаете комментарии?! Третий день не могу дозвониться в поддержку. Позор."),
       department="PR/Crisis", priority=Priority.HIGH),
    # warning (8–10 min)
    _c("tg", "James O'Neill",
       (9.6, "Where is my parcel?? Tracking hasn't moved in 5 days. Order #10388.")),
    _c("md", "Emily Park",
       (9.1, "@acme my refund was approved on the 3rd but nothing has shown up on my card yet."),
       department="Billing", assignee="lee"),
    _c("tg", "Ольга Смирнова",
       (8.7, "Заказ пришёл без второй коробки. Что делать?")),
    _c("vk", "Екатерина Белова",
       (8.2, "Промокод SPRING не применяется к корзине, пишет «недействителен».")),
    # ok
    _c("md", "Nguyễn Văn An",
       (6.8, "@acme cho mình hỏi shop có giao hàng ra Đà Nẵng không? Phí ship bao nhiêu?")),
    _c("vk", "Игорь Васильев",
       (6.0, "Приложение вылетает при оплате картой «Мир», Android 14. Обновление не помогло."),
       department="Tech", assignee="lee"),
    _c("tg", "Trần Minh Quân",
       (5.4, "Mình đổi mật khẩu rồi mà vẫn không đăng nhập được, app báo 'phiên hết hạn'.")),
    _c("tg", "Tom Becker",
       (4.9, "Does the blue hoodie come in XL? The size chart is a bit confusing."),
       department="Sales"),
    _c("vk", "Марина Козлова",
       (4.2, "Оформила возврат две недели назад, деньги так и не вернулись. Когда ждать?")),
    _c("tg", "Дмитрий Орлов",
       (3.5, "Здравствуйте! Не могу войти в личный кабинет — код из SMS не приходит.")),
    _c("md", "Lukas Weber",
       (3.0, "@acme any plans to ship to Austria? Checkout says my region isn't supported.")),
    _c("tg", "Sarah Collins",
       (2.1, "Hi! I was charged twice for order #10422. Could you refund one of the payments?")),
    _c("md", "Priya Raman",
       (1.6, "@acme the password reset email never arrives. I've checked spam too.")),
    _c("vk", "Алексей Петров",
       (1.0, "А доставка в Казань сколько идёт? И можно ли оплатить при получении?")),
    _c("tg", "Linh Nguyen",
       (0.4, "Chào shop, đơn hàng #48213 của mình bao giờ thì giao ạ?")),
    # no clock running: answered, and paused while waiting for the customer
    _c("tg", "Ирина Соколова",
       (19, "Здравствуйте, пришлите, пожалуйста, чек по заказу №5521 на почту."),
       reply="Добрый день, Ирина! Чек отправили на вашу почту, проверьте папку «Входящие».",
       assignee="anna"),
    _c("md", "Nina Hoffmann",
       (7.5, "@acme I can't log in, it says my email isn't registered?"),
       department="Support", waiting_customer=True),
)


# -- the workspace ---------------------------------------------------------------------


def demo_db_url(db: str | None, data_dir: str | None) -> str:
    """``--db`` if given, else ``smm-desk.db`` in the ``demo`` folder of the data dir."""
    if db:
        return db
    base = Path(data_dir) if data_dir else default_data_dir()
    return resolve_url(None, base / "demo")


def _messages(key: str, number: int, case: DemoCase, now: datetime) -> list[IncomingMessage]:
    network = ACCOUNTS[key][0]
    customer_id = f"{network}-user-{number}"
    thread = f"dm:{customer_id}" if key == "tg" else f"comment:post-{100 + number % 3}:{customer_id}"
    return [
        IncomingMessage(
            external_id=f"demo-{key}-{number}-{i}", thread_key=thread,
            direction=Direction.INBOUND, kind=_KIND[key], text=text,
            created_at=now - timedelta(minutes=minutes),
            author_id=customer_id, author_name=case.customer,
        )
        for i, (minutes, text) in enumerate(case.messages)
    ]


def seed(store: Store) -> bool:
    """Fill an empty workspace with the demo accounts and cases; ``False`` (and
    no change) if it already has accounts."""
    if store.accounts():
        return False
    account_ids = {
        key: store.add_account(network, handle, base_url=SIMULATOR_URL).id
        for key, (network, handle) in ACCOUNTS.items()
    }
    now = store.clock()
    for number, case in enumerate(DEMO_CASES, start=1):
        result = store.ingest(account_ids[case.account], "demo",
                              _messages(case.account, number, case, now), cursor=None)
        case_id = result.touched_case_ids[0]
        if case.department:
            store.route(case_id, case.department, ACTOR)
        if case.assignee:
            store.assign(case_id, case.assignee, ACTOR)
        if case.priority:
            store.set_priority(case_id, case.priority, ACTOR)
        if case.reply:
            reply = store.queue_reply(case_id, case.reply, case.assignee or ACTOR)
            store.claim_reply(reply.id)
            store.reply_sent(reply.id, external_id=f"demo-out-{number}")
        if case.waiting_customer:
            store.set_status(case_id, CaseStatus.WAITING_CUSTOMER, ACTOR)
    return True


# -- running the window ----------------------------------------------------------------


@contextmanager
def _quit_on_sigint(app: QCoreApplication) -> Iterator[None]:
    """Ctrl+C in the terminal closes the app (handled at the next tick: Python
    only runs signal handlers between bytecodes, and Qt's loop is C++)."""
    def handler(_signum: int, _frame: FrameType | None) -> None:
        app.quit()

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_window(store: Store, screenshot: str | None = None, after: float = 1.0) -> int:
    """Build the service and the window over ``store`` and run the Qt loop."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["smm-desk"])
    service = QueueService(store)
    window = MainWindow(service, WORKSPACE)
    window.resize(*SCREENSHOT_SIZE)
    exit_code = 0

    def capture(path: str) -> None:
        nonlocal exit_code
        if not window.grab().save(path):
            print(f"smm-desk: error: cannot save a screenshot to {path}", file=sys.stderr)
            exit_code = 1
        window.close()
        app.quit()

    if screenshot:
        QTimer.singleShot(max(0, round(after * 1000)), window, lambda: capture(screenshot))
    window.show()
    try:
        with _quit_on_sigint(app):
            code = app.exec()
    finally:
        window.close()
        window.deleteLater()
        service.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return exit_code or code


def run(args: argparse.Namespace) -> int:
    """The ``demo`` command: open (and seed once) the demo workspace, show it."""
    if args.after < 0:
        raise ValueError("--after must be zero or more seconds")
    store = Store.open(demo_db_url(args.db, args.data_dir))
    try:
        seed(store)
        return run_window(store, args.screenshot, args.after)
    finally:
        store.close()
