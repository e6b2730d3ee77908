"""The rule set a new workspace starts with, in English, Russian and Vietnamese.

A starting point the team edits, not a finished classifier. Order matters:

1. **Fraud accusations and legal threats** -> PR/Crisis, high, tag ``crisis``;
2. **Angry tone** (the tone lexicon, :mod:`smm_desk.domain.tone`) -> PR/Crisis,
   high, tag ``crisis``. Both come first, so a furious refund demand reaches
   PR/Crisis rather than Billing, and both *continue*: the topic rule after
   them still adds its tag ("crisis" + "billing"), so PR sees what the fight is
   about, while the department stays PR/Crisis (the first department wins);
3. **Payments and refunds** -> Billing, tag ``billing``;
4. **Errors, login and app problems** -> Tech, tag ``tech``;
5. **Prices, availability and delivery** -> Sales, tag ``sales``;
6. **Everything else** -> Support (no conditions: the catch-all).

Billing comes before Tech and Sales: "I paid but the app shows an error" is
first a money question. Topic rules stop matching, so a message lands in one
department. Keyword choice follows the matching rules of
:mod:`smm_desk.domain.language`: Russian uses ``*`` stems for its endings,
chosen so that they do not swallow common unrelated words ("зависает" rather
than "завис*", which would catch "зависит" = depends), and Vietnamese is
written with diacritics (they still match text typed without them) and in
phrases where a bare word is ambiguous ("bị lỗi" rather than "lỗi", which typed
without marks is also "lời" in "trả lời" = reply).
"""

from __future__ import annotations

from smm_desk.domain.records import Priority
from smm_desk.domain.rules import Actions, Conditions, Rule

__all__ = ["STARTER_DEPARTMENTS", "starter_rules"]

SUPPORT, BILLING, TECH, SALES, CRISIS = "Support", "Billing", "Tech", "Sales", "PR/Crisis"
#: The departments a new workspace starts with, in the order they are listed.
STARTER_DEPARTMENTS: tuple[str, ...] = (SUPPORT, BILLING, TECH, SALES, CRISIS)

_FRAUD_AND_LEGAL = (
    # English
    "scam", "scams", "scammed", "scammer*", "fraud*", "rip off", "ripped off", "thief",
    "thieves", "stole my", "stealing", "lawyer*", "attorney*", "lawsuit*", "sue you",
    "sue your", "suing", "legal action", "see you in court", "take you to court",
    "small claims", "consumer protection", "report you", "police",
    # Russian
    "мошенник*", "мошенничеств*", "обман*", "лохотрон*", "развели", "разводилово", "воры",
    "ворье", "украли", "кидалы", "кидалово", "суд", "суда", "судом", "судебн*",
    "засужу", "иск", "юрист*", "адвокат*", "прокуратур*", "роспотребнадзор*", "полици*",
    "пожалуюсь в цб", "жалобу в цб", "центробанк*",
    # Vietnamese
    "lừa đảo", "bị lừa", "lừa tiền", "lừa khách", "ăn cướp", "ăn cắp", "khởi kiện",
    "đi kiện", "sẽ kiện", "kiện ra tòa", "kiện shop", "kiện công ty", "tố cáo", "công an",
    "luật sư", "ra tòa", "hội bảo vệ người tiêu dùng",
)  # fmt: skip

_BILLING = (
    # English
    "refund*", "charged", "charges", "overcharg*", "double charge*", "payment*",
    "pay", "paid", "paying", "paypal", "card", "cards", "invoice*", "receipt*", "money back",
    "chargeback*", "billing", "bill", "billed", "subscription*", "debited", "transaction*",
    "transfer", "withdraw*", "cashback", "installment*",
    # Russian
    "возврат*", "вернуть деньги", "верн* деньг*", "деньг*", "денег", "оплат*", "платеж*",
    "платн*", "списал*", "списан*", "списыва*", "карта", "карты", "карту", "картой", "карте",
    "чек", "чека", "комисси*", "подписк*", "кэшбэк*", "кешбэк*",
    "транзакци*", "перевод денег", "рассрочк*", "вычет*",
    # Vietnamese
    "hoàn tiền", "trả tiền", "thanh toán", "chuyển khoản", "trừ tiền", "bị trừ tiền",
    "hóa đơn", "thẻ tín dụng", "thẻ ngân hàng", "quẹt thẻ", "ví điện tử", "momo", "zalopay",
    "hoàn lại tiền", "trả góp",
    "rút tiền", "nạp tiền", "số dư",
)  # fmt: skip

_TECH = (
    # English
    "error*", "bug", "bugs", "buggy", "crash*", "login", "log in", "logged out", "sign in",
    "signin", "password*", "app", "apps", "website", "site", "not working", "doesn't work",
    "does not work", "won't load", "not loading", "freez*", "frozen", "verification code",
    "otp", "2fa", "app update", "after the update", "install*", "glitch*", "broken",
    "is down", "locked out", "can't access", "cannot access",
    # Russian
    "ошибк*", "баг", "баги", "багов", "глюк*", "глючит", "не работает", "не работают",
    "вылета*", "зависает", "зависло", "завис", "войти", "зайти", "вход", "входа", "логин*",
    "авторизаци*", "парол*", "приложени*", "сайт*", "код подтверждени*", "смс", "sms",
    "обновлени*", "не грузит*", "не загружа*", "не открыва*", "личный кабинет",
    "личном кабинете", "заблокирова*",
    # Vietnamese
    "bị lỗi", "báo lỗi", "gặp lỗi", "lỗi app", "lỗi ứng dụng", "lỗi đăng nhập", "lỗi hệ thống",
    "app lỗi", "web lỗi", "đăng nhập", "mật khẩu", "ứng dụng", "không vào được",
    "không mở được", "không tải được", "văng app", "bị văng", "cập nhật", "mã otp",
    "trang web", "website", "tài khoản bị khóa",
)  # fmt: skip

_SALES = (
    # English
    "price*", "pricing", "how much", "cost", "costs", "in stock", "out of stock", "available",
    "availability", "delivery", "deliver*", "shipping", "ship", "ships", "my order",
    "order status", "track*", "discount*", "promo*", "coupon*", "sale", "buy", "purchase",
    "size", "sizes", "catalog*",
    # Russian
    "цен*", "сколько стоит", "стоимост*", "почем", "в наличии", "наличи*",
    "достав*", "курьер*", "самовывоз*", "заказ*", "скидк*", "промокод*", "акци*", "купить",
    "куплю", "размер*", "ассортимент*", "трек*", "отправк*", "посылк*",
    # Vietnamese
    "giá", "bao nhiêu", "còn hàng", "hết hàng", "có hàng", "ship", "giao hàng", "phí ship",
    "vận chuyển", "đặt hàng", "đơn hàng", "mua hàng", "muốn mua", "giảm giá", "khuyến mãi",
    "freeship", "size", "bao lâu", "kiện hàng", "mã giảm giá", "sale",
)  # fmt: skip


def _topic(rule_id: str, name: str, keywords: tuple[str, ...], department: str) -> Rule:
    return Rule(
        id=rule_id,
        name=name,
        conditions=Conditions(keywords=keywords),
        actions=Actions(department=department, tags=(rule_id,)),
    )


def starter_rules() -> list[Rule]:
    """A fresh copy of the starter rule set, in evaluation order."""
    crisis = Actions(department=CRISIS, priority=Priority.HIGH, tags=("crisis",))
    return [
        Rule(
            id="crisis-fraud-legal",
            name="Fraud accusations and legal threats",
            conditions=Conditions(keywords=_FRAUD_AND_LEGAL),
            actions=crisis,
            continue_matching=True,
        ),
        Rule(
            id="crisis-angry",
            name="Angry tone",
            conditions=Conditions(negative_tone=True),
            actions=crisis,
            continue_matching=True,
        ),
        _topic("billing", "Payments and refunds", _BILLING, BILLING),
        _topic("tech", "Errors, login and app problems", _TECH, TECH),
        _topic("sales", "Prices, availability and delivery", _SALES, SALES),
        Rule(id="support", name="Everything else", actions=Actions(department=SUPPORT)),
    ]
