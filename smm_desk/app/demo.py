"""``smm-desk demo``: the app on a live demo workspace.

The demo lives in its own database, ``<data dir>/demo/smm-desk.db`` (``--db``
overrides it), so trying the app never mixes invented customers into a real
workspace. Its Telegram, VK and Mastodon accounts are served in-process by the
simulator (``smm_desk.sim``): the real connectors and the real sync engine talk
to it through :class:`~smm_desk.sim.transport.SimTransport`, so what a newcomer
sees — cases arriving, timers ticking, replies delivered — is the app's real
path with only the wire swapped. The demo tokens are fake and never go near the
keyring.

Each start re-seeds: the demo accounts (and with them every case, message and
reply) are removed and made again, then a queue of realistic multilingual
cases is injected into the simulator with network times spread over the last
half hour and fetched through the connectors, so the SLA column shows clocks
that are fine, in warning and breached. A database with any non-demo account
is refused rather than wiped. While the window is open, the ``Traffic``
generator injects one message every 4–8 seconds.

``--screenshot FILE`` saves a 1280×800 picture of the window after ``--after``
seconds of traffic and exits: the README's and the tests' way to see the app.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, QTimer

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import Priority
from smm_desk.sim import catalog
from smm_desk.sim.traffic import Target, Traffic
from smm_desk.sim.transport import SimTransport
from smm_desk.sim.world import SimWorld
from smm_desk.store.api import Store
from smm_desk.store.database import default_data_dir, resolve_url
from smm_desk.sync.engine import SyncEngine, default_factory
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP

WORKSPACE = QT_TRANSLATE_NOOP("Desk", "Demo workspace")
SCREENSHOT_SIZE = (1280, 800)
#: Never resolved: the simulator answers in-process, whatever the host.
SIMULATOR_URL = "http://simulator.smm-desk.invalid"
ACTOR = "demo"
AGENT = "anna"
#: Seconds between two simulated messages (drawn anew each time).
TRAFFIC_EVERY = (4.0, 8.0)

#: The short account keys the seeded cases below use -> network. Which simulator
#: serves each network, and its handle and fake token, is the simulator's
#: catalog (smm_desk/sim/catalog.py); a network without a simulator yet is left out.
ACCOUNTS: dict[str, str] = {
    "tg": "telegram", "vk": "vk", "md": "mastodon", "fb": "facebook", "ig": "instagram",
    "x": "x", "yt": "youtube", "bs": "bluesky", "rd": "reddit", "em": "email",
}


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
       (25, "ordered a gift for Friday, will express delivery make it to Busan?")),
    _c("vk", "Наталья Ильина",
       (18, "Подскажите, можно ли изменить адрес доставки, если заказ уже отправлен?")),
    _c("md", "Chris Walker",
       (16, "2FA codes stopped working after I switched phones. I'm locked out.")),
    _c("tg", "Phạm Thu Hà",
       (14, "Shop ơi, mình muốn trả hàng và hoàn tiền, áo bị lỗi đường may ở tay.")),
    _c("md", "Hoàng Mai",
       (12, "ứng dụng báo lỗi 502 khi thanh toán bằng MoMo, mình thử 3 lần rồi."),
       department="Tech"),
    _c("vk", "Сергей Морозов",
       (11, "Вы вообще читаете комментарии?! Третий день не могу дозвониться в поддержку. Позор."),
       department="PR/Crisis", priority=Priority.HIGH),
    # warning (8–10 min)
    _c("tg", "James O'Neill",
       (9.6, "Where is my parcel?? Tracking hasn't moved in 5 days. Order #10388.")),
    _c("md", "Emily Park",
       (9.1, "my refund was approved on the 3rd but nothing has shown up on my card yet."),
       department="Billing", assignee="lee"),
    _c("tg", "Ольга Смирнова",
       (8.7, "Заказ пришёл без второй коробки. Что делать?")),
    _c("vk", "Екатерина Белова",
       (8.2, "Промокод SPRING не применяется к корзине, пишет «недействителен».")),
    # ok
    _c("md", "Nguyễn Văn An",
       (6.8, "cho mình hỏi shop có giao hàng ra Đà Nẵng không? Phí ship bao nhiêu?")),
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
       (3.0, "any plans to ship to Austria? Checkout says my region isn't supported.")),
    _c("tg", "Sarah Collins",
       (2.1, "Hi! I was charged twice for order #10422. Could you refund one of the payments?")),
    _c("md", "Priya Raman",
       (1.6, "the password reset email never arrives. I've checked spam too.")),
    _c("vk", "Алексей Петров",
       (1.0, "А доставка в Казань сколько идёт? И можно ли оплатить при получении?")),
    _c("tg", "Linh Nguyen",
       (0.4, "Chào shop, đơn hàng #48213 của mình bao giờ thì giao ạ?")),
    # the other networks: a few each, across the clock states
    _c("fb", "Laura Bianchi",
       (13, "I ordered the linen set two weeks ago and still no shipping email. Order 10311."),
       department="Support"),
    _c("fb", "Ahmed Khan", (2.6, "Do you have a store in Manchester where I can try the shoes?")),
    _c("ig", "mia.styles", (9.3, "love this jacket!! is it back in stock in S? 😍")),
    _c("ig", "vera_k", (3.8, "Здравствуйте, почему не пришёл код скидки за подписку?")),
    _c("x", "Jordan Lee",
       (21, "@acme_shop three weeks and my refund is still 'processing'. Seriously?"),
       priority=Priority.HIGH),
    _c("x", "Sam Rivera", (1.3, "@acme_shop is the app down? can't log in since this morning")),
    _c("yt", "Nguyễn Thảo", (15, "Video hay quá! Cho mình hỏi link mua cái bình này ở đâu?")),
    _c("yt", "Ben Carter", (4.4, "The unboxing shows a charger but mine came without one?")),
    _c("bs", "Olivia Grant",
       (8.9, "@acme.bsky.social my order shows delivered but nothing arrived. Help?")),
    _c("bs", "Kai Müller", (0.8, "@acme.bsky.social do you ship to Germany yet?")),
    _c("rd", "throwaway_buyer",
       (17, "Has anyone else been double charged by Acme this week? Support never replies."),
       department="Billing"),
    _c("rd", "pc_builder_42", (5.7, "Is the 2-year warranty valid if I bought from a reseller?")),
    _c("em", "Grace Thompson",
       (12.5, "Hello, the invoice for order 10290 shows the wrong company name. Could you "
              "send a corrected one? Thanks, Grace"), department="Billing"),
    _c("em", "Пётр Кузнецов", (2.9, "Добрый день! Хотим оптовый заказ на 200 штук, с кем связаться?"),
       department="Sales"),
    # no clock running: answered, and paused while waiting for the customer
    _c("tg", "Ирина Соколова",
       (19, "Здравствуйте, пришлите, пожалуйста, чек по заказу №5521 на почту."),
       reply="Добрый день, Ирина! Чек отправили на вашу почту, проверьте папку «Входящие».",
       assignee="anna"),
    _c("md", "Nina Hoffmann",
       (7.5, "I can't log in, it says my email isn't registered?"),
       department="Support", waiting_customer=True),
)


# -- the simulated world ------------------------------------------------------------------


@dataclass
class DemoWorld:
    world: SimWorld
    #: network -> its simulator handler (each with one demo account)
    handlers: dict[str, Any]

    def token(self, network: str) -> str:
        return catalog.SPECS[network].token

    def targets(self) -> list[Target]:
        return [Target(network, self.token(network)) for network in self.handlers]

    def close(self) -> None:
        for handler in self.handlers.values():
            close = getattr(handler, "close", None)  # simulators with servers (email)
            if close is not None:
                close()


def build_world(networks: tuple[str, ...] | None = None) -> DemoWorld:
    # Short long polls: closing the app waits for at most one of them.
    world = SimWorld(max_poll_wait=2.0)
    chosen = catalog.available() if networks is None else networks
    return DemoWorld(world, {network: catalog.build(world, network) for network in chosen})


def demo_tokens(store: Store) -> dict[int, str]:
    """account id -> fake token, for the engine's token source (never the keyring)."""
    by_name = {(s.network, s.handle): s.token for s in catalog.SPECS.values()}
    return {a.id: by_name[(a.network, a.name)] for a in store.accounts()
            if (a.network, a.name) in by_name}


# -- the workspace ---------------------------------------------------------------------


def demo_db_url(db: str | None, data_dir: str | None) -> str:
    """``--db`` if given, else ``smm-desk.db`` in the ``demo`` folder of the data dir."""
    if db:
        return db
    base = Path(data_dir) if data_dir else default_data_dir()
    return resolve_url(None, base / "demo")


def reset(store: Store) -> None:
    """Remove the demo accounts and everything that hangs off them. A workspace
    with any other account is not a demo: refuse (ValueError) and touch nothing."""
    accounts = store.accounts()
    foreign = [a for a in accounts if a.options.get("demo") != "1"]
    if foreign:
        raise ValueError("this database has real accounts; the demo needs its own "
                         "(leave out --db to use the demo folder)")
    for account in accounts:
        store.remove_account(account.id)


def _sync_pass(store: Store, sim: DemoWorld) -> None:
    """One fetch-and-deliver pass through the real connectors, on a private loop."""
    tokens = demo_tokens(store)

    async def once() -> None:
        engine = SyncEngine(store, factory=default_factory(transport=SimTransport(sim.world)),
                            tokens=tokens.get)
        try:
            await engine.sync_once()
        finally:
            await engine.aclose()

    asyncio.run(once())


def _inject(sim: DemoWorld, number: int, case: DemoCase, now: datetime) -> None:
    network = ACCOUNTS[case.account]
    handler = sim.handlers[network]
    token = sim.token(network)
    author = str(700_000 + number)
    for minutes, text in case.messages:
        at = now - timedelta(minutes=minutes)
        if network == "mastodon":
            handler.inject_mention(token, author, case.customer, text, at)
        elif catalog.SPECS[network].seed == "dm":
            handler.inject_dm(token, author, case.customer, text, at)
        else:
            handler.inject_comment(token, str(100 + number % 3), author, case.customer, text, at)


def seed(store: Store, sim: DemoWorld) -> None:
    """Make the demo accounts and their queue (see the module doc)."""
    reset(store)
    for network, handler in sim.handlers.items():
        spec = catalog.SPECS[network]
        options = {**catalog.account_options(handler, spec.token), "demo": "1"}
        store.add_account(network, spec.handle, base_url=SIMULATOR_URL, options=options)
    _sync_pass(store, sim)  # VK and Mastodon start "from now": take the cursors first
    now = store.clock()
    cases_here = [c for c in DEMO_CASES if ACCOUNTS[c.account] in sim.handlers]
    for number, case in enumerate(cases_here, start=1):
        _inject(sim, number, case, now)
    _sync_pass(store, sim)
    cases = {(c.network, c.customer): c for c in store.queue()}
    replied = False
    for case in cases_here:
        view = cases.get((ACCOUNTS[case.account], case.customer))
        if view is None:
            continue
        case_id = view.id
        # The starter rules already routed most cases as they arrived; the demo
        # only steps in where its story wants another department.
        if case.department and case.department != view.department:
            store.route(case_id, case.department, ACTOR)
        if case.assignee:
            store.assign(case_id, case.assignee, ACTOR)
        if case.priority:
            store.set_priority(case_id, case.priority, ACTOR)
        if case.reply:
            store.queue_reply(case_id, case.reply, case.assignee or ACTOR)
            replied = True
        if case.waiting_customer:
            store.set_status(case_id, CaseStatus.WAITING_CUSTOMER, ACTOR)
    if replied:
        _sync_pass(store, sim)  # delivered through the connector, like any reply


# -- running the window ----------------------------------------------------------------


class LiveTraffic:
    """Injects one simulated message every 4–8 s while the window is open."""

    def __init__(self, sim: DemoWorld, rng: random.Random | None = None) -> None:
        self.traffic = Traffic(sim.world, sim.targets(), rng=rng or random.Random())
        self.rng = self.traffic.rng
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._step)
        self.injected = 0

    def start(self, first_in: float | None = None) -> None:
        self._arm(first_in)

    def stop(self) -> None:
        self.timer.stop()

    def _arm(self, seconds: float | None = None) -> None:
        if seconds is None:
            seconds = self.rng.uniform(*TRAFFIC_EVERY)
        self.timer.start(round(seconds * 1000))

    def _step(self) -> None:
        self.traffic.step()
        self.injected += 1
        self._arm()


def run(args: argparse.Namespace) -> int:
    """The ``demo`` command: re-seed the demo workspace and open it, live."""
    if args.after < 0:
        raise ValueError("--after must be zero or more seconds")
    from smm_desk.app.gui import application, build_desk, run_desk, run_loop
    from smm_desk.app.i18n import install_translations

    app = application()
    # SMM_DESK_LANG, else the demo's own settings, else the system's language.
    install_translations(app, None if args.screenshot else QSettings("smm-desk", "SMM Desk Demo"))
    store = Store.open(demo_db_url(args.db, args.data_dir))
    try:
        sim = build_world()
        seed(store, sim)
        tokens = demo_tokens(store)
        settings = None if args.screenshot else QSettings("smm-desk", "SMM Desk Demo")
        desk = build_desk(
            store, workspace=QCoreApplication.translate("Desk", WORKSPACE), agent=AGENT,
            settings=settings,
            factory=default_factory(transport=SimTransport(sim.world)), tokens=tokens.get,
            sync_options={"poll_wait": 2.0, "idle_interval": 2.0},
        )
        traffic = LiveTraffic(sim)
        # A screenshot should show traffic arriving: the first message comes quickly.
        traffic.start(first_in=min(1.0, args.after / 3) if args.screenshot else 2.0)
        try:
            return run_loop(app, run_desk(desk, screenshot=args.screenshot, after=args.after),
                            desk.window.close)
        finally:
            traffic.stop()
            desk.dispose()
            sim.close()
    finally:
        store.close()
