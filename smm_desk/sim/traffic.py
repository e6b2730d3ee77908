"""Realistic customer traffic for the simulator: English, Russian and
Vietnamese questions, complaints, thanks and spam, as comments and DMs.

``Traffic.step()`` injects one item into a random simulated account through
the network handler's public injection API, so it reaches SMM Desk through the
real connector and wire format. The demo calls it on a timer at a lively rate;
tests seed ``random.Random`` for repeatable streams.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smm_desk.sim.world import SimWorld

CUSTOMERS: dict[str, Sequence[str]] = {
    "en": ("Anna Miller", "James O'Neil", "Priya Shah", "Tom Becker", "Lucy Chen", "Marco Rossi"),
    "ru": ("Анна Смирнова", "Иван Петров", "Ольга Кузнецова", "Дмитрий Орлов", "Мария Соколова"),
    "vi": ("Nguyễn Thị Lan", "Trần Văn Minh", "Lê Thu Hà", "Phạm Quốc Bảo", "Đỗ Mai Anh"),
}

TEXTS: dict[str, dict[str, Sequence[str]]] = {
    "en": {
        "question": (
            "Hi! Do you deliver to Leeds, and how long does it take?",
            "Is the blue jacket back in stock in size M?",
            "What are your opening hours on Sunday?",
            "Can I change the delivery address for order 48213?",
        ),
        "complaint": (
            "I was charged twice for my order. Please refund the second payment.",
            "The app keeps logging me out and I can't reset my password.",
            "My parcel is a week late and nobody answers the phone. Not happy.",
            "This is the third time my card is declined in your app. Fix it or I'm leaving.",
        ),
        "thanks": ("Thanks for the quick help yesterday!", "Great service, order arrived early."),
        "spam": ("Earn $500/day from home!!! DM me", "Follow for follow? Check my profile"),
    },
    "ru": {
        "question": (
            "Здравствуйте! Есть доставка в Казань?",
            "Когда будет новая поставка кроссовок 42 размера?",
            "Подскажите, как изменить адрес доставки в заказе?",
        ),
        "complaint": (
            "С карты списали деньги дважды, верните, пожалуйста, лишний платёж.",
            "Не могу войти в приложение, пишет «ошибка сервера».",
            "Заказ задерживается уже на неделю, никто не отвечает. Это безобразие!",
        ),
        "thanks": ("Спасибо за быструю помощь!", "Всё пришло вовремя, спасибо."),
        "spam": ("Заработок от 5000 в день без вложений, пишите в ЛС",),
    },
    "vi": {
        "question": (
            "Shop ơi, có giao hàng ra Đà Nẵng không ạ?",
            "Áo khoác xanh size M còn hàng không shop?",
            "Cho mình hỏi giờ mở cửa chủ nhật với ạ.",
        ),
        "complaint": (
            "Mình bị trừ tiền hai lần, shop hoàn tiền giúp mình với.",
            "Ứng dụng báo lỗi đăng nhập suốt, mình không vào được tài khoản.",
            "Đơn hàng trễ cả tuần rồi mà không ai trả lời, quá thất vọng!",
        ),
        "thanks": ("Cảm ơn shop đã hỗ trợ nhanh!", "Hàng đẹp lắm, cảm ơn shop."),
        "spam": ("Kiếm tiền online 1 triệu/ngày, inbox ngay!",),
    },
}

#: How often each kind of message turns up (complaints and questions dominate).
MIX_KINDS = ("question", "complaint", "thanks", "spam")
MIX_WEIGHTS = (0.4, 0.35, 0.15, 0.1)


@dataclass
class Target:
    network: str
    token: str


@dataclass
class Traffic:
    world: SimWorld
    targets: list[Target]
    rng: random.Random = field(default_factory=random.Random)
    dm_share: float = 0.5
    #: Posts per target that comments attach to, so threads build up.
    posts: dict[str, list[str]] = field(default_factory=dict)

    def step(self, at: datetime | None = None) -> dict[str, Any]:
        """Inject one message; returns what was injected (for logs and tests)."""
        target = self.rng.choice(self.targets)
        handler = self.world.handler(target.network)
        language, kind, name, text, author_id = self._choice()
        if self.rng.random() < self.dm_share:
            external = handler.inject_dm(target.token, author_id, name, text, at)
            where = "dm"
        else:
            # A few brand posts per account collect the comments, so threads build up.
            posts = self.posts.setdefault(target.token, [])
            if not posts or (len(posts) < 4 and self.rng.random() < 0.1):
                posts.append(str(900 + len(posts)))
            post_id = self.rng.choice(posts)
            external = handler.inject_comment(target.token, post_id, author_id, name, text, at)
            where = "comment"
        return {"network": target.network, "where": where, "language": language, "kind": kind,
                "author": name, "text": text, "id": external}

    def _choice(self) -> tuple[str, str, str, str, str]:
        language = self.rng.choice(("en", "en", "ru", "vi"))
        kind = self.rng.choices(MIX_KINDS, MIX_WEIGHTS)[0]
        name = self.rng.choice(CUSTOMERS[language])
        author_id = str(sum(ord(c) for c in name) * 7919 % 9_000_000 + 100_000)
        return language, kind, name, self.rng.choice(TEXTS[language][kind]), author_id
