"""What Facebook Pages and Instagram share: Meta's Graph API.

Facts and sources: ``/work/shared/networks/facebook.md`` and ``instagram.md``.
This module holds :class:`GraphConnector` (requests, throttling state) and the
Messenger / Instagram messaging machinery (Conversations API + Send API), which
is the same API for both.

Wire rules (errors, usage-header throttling, paging, the high-water cursor)
are in :mod:`smm_desk.connectors.graph`.

Messaging (Conversations API, Send API)
    Read: ``GET /{owner}/conversations?platform=messenger|instagram&fields=
    id,updated_time,message_count,messages{id,created_time,from,to,message}``
    (most recently updated first, each with its newest messages inline — one
    request per 25 conversations, not one per conversation); a conversation
    whose inline page does not reach the high-water time goes on with ``GET
    /{conversation}/messages?after=…`` (newest first). Every page is read down
    to the high-water time (no page cap short of a safety bound; a walk that
    hits it leaves the mark where it was). The edge has no time paging and a
    conversation that gets a message while the list is walked jumps to its top,
    past the walk: so the list is walked again from the top, down to the
    previous walk's newest ``updated_time``, reading the conversations whose
    (``updated_time``, ``message_count``) changed, until a one-page walk finds
    none. Thread ``dm:<conversation id>``; a message from the brand (written in
    Meta's own inbox, or ours) comes back OUTBOUND.
    Send: ``POST /{owner}/messages`` JSON ``{"recipient": {"id": <PSID/IGSID>},
    "messaging_type": "RESPONSE", "message": {"text"}}`` within 24 h of the
    customer's message; between 24 h and 7 days ``"messaging_type":
    "MESSAGE_TAG", "tag": "HUMAN_AGENT"`` (a person's answer; needs the Human
    Agent permission). If a RESPONSE is refused as outside the window (code 10,
    subcode 2018278 / 2534022) the same reply is tried once with the tag — the
    refusal proves nothing was sent.

No idempotency key anywhere (``Idempotency.LOOKUP``): ``find_delivered``
looks for our own message with the same text, sent after the answered one,
among the conversation's newest messages before any retry.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from smm_desk.connectors.base import (
    Connector,
    Delivery,
    FetchResult,
    Idempotency,
    OutgoingReply,
    Quarantined,
    ReplyWindow,
)
from smm_desk.connectors.errors import BadPayload, PermanentError, RateLimited
from smm_desk.connectors.graph import (
    _VERSION,
    GRAPH_VERSION,
    HUMAN_AGENT_WINDOW,
    STANDARD_WINDOW,
    HighWater,
    Malformed,
    as_id,
    clamp,
    comparable,
    dm_message,
    graph_error,
    is_window_error,
    items_of,
    next_after,
    parse_message,
    parse_time,
    path_id,
    pause_for,
    quarantine,
    raise_graph_error,
    second,
    take_new,
    usage,
)
from smm_desk.connectors.http import decode_json
from smm_desk.domain.records import IncomingMessage, MessageKind

log = logging.getLogger("smm_desk.connectors.meta")

#: Safety bounds of one fetch (a walk that reaches them leaves the cursor as it was).
CONVERSATION_PAGES = 400
MESSAGE_PAGES = 200
#: Walks of the conversation list after the first, for conversations that moved.
CATCH_UP_ROUNDS = 4
MESSAGE_FIELDS = "id,created_time,from,to,message"
CONVERSATION_FIELDS = f"id,updated_time,message_count,messages{{{MESSAGE_FIELDS}}}"
LOOKUP_LIMIT = 25


class Walk:
    """Whether a :meth:`GraphConnector.pages` walk stopped at its page cap with more left."""

    __slots__ = ("truncated",)

    def __init__(self) -> None:
        self.truncated = False


# -- the shared connector ---------------------------------------------------------------------


class GraphConnector(Connector):
    """Graph plumbing and Messenger-platform messaging for Facebook and Instagram."""

    idempotency = Idempotency.LOOKUP
    #: ``platform=`` of the Conversations API, and the name shown in notes.
    dm_platform = "messenger"
    window_name = "Messenger"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version = self.account.options.get("api_version", "").strip() or GRAPH_VERSION
        if not _VERSION.fullmatch(version):
            version = GRAPH_VERSION
        self.version = version
        self._blocked_until: datetime | None = None
        self._quarantined: OrderedDict[str, None] = OrderedDict()

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    # -- what a subclass says -----------------------------------------------------

    async def dm_owner(self) -> str:
        """The id whose ``/conversations`` and ``/messages`` edges serve the DMs."""
        raise NotImplementedError

    async def brand_ids(self) -> frozenset[str]:
        raise NotImplementedError

    async def before_request(self) -> None:
        """Hook run before each request (Instagram refreshes its token here)."""

    # -- HTTP ---------------------------------------------------------------------------

    def url(self, *parts: str) -> str:
        return "/" + "/".join([self.version, *(urllib.parse.quote(p, safe="") for p in parts)])

    def _checker(self, write: bool) -> Any:
        def check(response: httpx.Response) -> None:
            now = self.clock()
            percent, eta = usage(response)
            pause = pause_for(percent, eta)
            if pause:
                until = now + timedelta(seconds=pause)
                if self._blocked_until is None or until > self._blocked_until:
                    self._blocked_until = until
                log.info("%s usage at %.0f%%: pausing %.0f s", self.network, percent, pause)
            if response.status_code < 400:
                return
            error = graph_error(response)
            if error is None:
                return  # the shared status mapping decides
            where = f"{response.request.method} {response.request.url.path}"
            try:
                raise_graph_error(where, error, response.status_code, write=write, eta=eta)
            except RateLimited as exc:
                until = now + timedelta(seconds=exc.retry_after)
                if self._blocked_until is None or until > self._blocked_until:
                    self._blocked_until = until
                raise
            except PermanentError as exc:
                exc.graph_code = error.code  # type: ignore[attr-defined]
                exc.graph_subcode = error.subcode  # type: ignore[attr-defined]
                raise
        return check

    async def request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
                      data: Mapping[str, Any] | None = None, json_body: Any = None) -> Any:
        """One Graph call: throttle first, then send, map errors, decode JSON."""
        await self.before_request()
        if self._blocked_until is not None:
            left = (self._blocked_until - self.clock()).total_seconds()
            if left > 0:
                raise RateLimited(f"{method} {url}: usage near Meta's limit, "
                                  f"waiting {left:.0f} s", clamp(left),
                                  network_message="X-App-Usage / X-Business-Use-Case-Usage")
            self._blocked_until = None
        write = method != "GET"
        response = await self.http.request(method, url, retry_safe=not write,
                                           check=self._checker(write), params=params,
                                           data=data, json_body=json_body)
        return decode_json(response, self.redact)

    async def pages(self, url: str, params: Mapping[str, str], max_pages: int,
                    walk: Walk | None = None, after: str | None = None
                    ) -> AsyncIterator[list[Any]]:
        """The ``data`` of each page, following ``after`` while ``next`` exists
        (``walk.truncated`` when ``max_pages`` were read and more remain)."""
        query = dict(params)
        if after:
            query["after"] = after
        for _ in range(max_pages):
            body = await self.request("GET", url, params=query)
            yield items_of(body, f"GET {url}")
            after = next_after(body)
            if after is None:
                return
            query["after"] = after
        if walk is not None:
            walk.truncated = True

    def fresh_quarantine(self, key: str) -> bool:
        """Quarantine an item once per connector life (it stays in the window)."""
        if key in self._quarantined:
            return False
        self._quarantined[key] = None
        while len(self._quarantined) > 10_000:
            self._quarantined.popitem(last=False)
        return True

    # -- DMs ----------------------------------------------------------------------------

    async def fetch_dms(self, cursor: str | None) -> FetchResult:
        hw = HighWater.load(cursor)
        now = self.clock()
        horizon = hw.horizon(now)
        owner = await self.dm_owner()
        brands = await self.brand_ids()
        bad: list[Quarantined] = []
        found: list[tuple[datetime, str, IncomingMessage]] = []
        walk = Walk()
        url = self.url(owner, "conversations")
        params = {"platform": self.dm_platform, "fields": CONVERSATION_FIELDS, "limit": "25"}
        read: dict[str, tuple[int, int]] = {}  # conversation -> (updated, count) when read
        floor = horizon
        settled = False
        for _ in range(1 + CATCH_UP_ROUNDS):
            top: int | None = None
            changed = False
            pages = 0
            async for items in self.pages(url, params, CONVERSATION_PAGES, walk):
                pages += 1
                below = False
                for item in items:
                    try:
                        if not isinstance(item, dict):
                            raise Malformed("conversation is not a JSON object")
                        conversation = as_id(item.get("id"), "conversation id", path=True)
                        updated = second(parse_time(item.get("updated_time"), "updated_time"))
                    except Malformed as exc:
                        if self.fresh_quarantine(f"c:{json.dumps(item, default=str)[:200]}"):
                            bad.append(quarantine(item, f"conversation skipped: {exc}"))
                        continue
                    count = item.get("message_count")
                    state = (updated, count if isinstance(count, int)
                             and not isinstance(count, bool) else -1)
                    top = updated if top is None else max(top, updated)
                    if updated < floor:
                        below = True  # newest first: the rest is older still
                        break
                    if read.get(conversation) == state:
                        continue
                    read[conversation] = state
                    changed = True
                    await self._read_conversation(conversation, item.get("messages"), horizon,
                                                  brands, found, bad, walk)
                if below:
                    break
            if not changed and pages <= 1:
                settled = True
                break
            if top is not None:
                floor = max(floor, top)
        taken = take_new(found, hw, now)
        if settled and not walk.truncated:
            new_hw = hw.advance((at, item_id) for at, item_id, _ in taken).settled(now)
        else:
            log.warning("%s: conversations still moving or past the safety bound; the "
                        "cursor stays for the next poll", self.network)
            new_hw = hw
        return FetchResult(messages=[m for _, _, m in taken], cursor=new_hw.dump(),
                           quarantined=bad)

    async def _read_conversation(self, conversation: str, inline: Any, horizon: int,
                                 brands: frozenset[str],
                                 found: list[tuple[datetime, str, IncomingMessage]],
                                 bad: list[Quarantined], walk: Walk) -> None:
        """The conversation's messages down to ``horizon``: the inline page first."""
        after: str | None = None
        if isinstance(inline, dict) and isinstance(inline.get("data"), list):
            if self._take_messages(conversation, inline["data"], horizon, brands, found, bad):
                return
            after = next_after(inline)
            if after is None:
                return
        fields = {"fields": MESSAGE_FIELDS, "limit": "25"}
        async for items in self.pages(self.url(conversation, "messages"), fields,
                                      MESSAGE_PAGES, walk, after):
            if self._take_messages(conversation, items, horizon, brands, found, bad):
                break

    def _take_messages(self, conversation: str, items: list[Any], horizon: int,
                       brands: frozenset[str],
                       found: list[tuple[datetime, str, IncomingMessage]],
                       bad: list[Quarantined]) -> bool:
        """Collect one page (newest first); True once it reaches below ``horizon``."""
        reached_old = False
        for item in items:
            try:
                msg = parse_message(item)
                record = dm_message(conversation, msg, brands, self.account.name)
            except (Malformed, ValueError) as exc:
                key = f"m:{item.get('id') if isinstance(item, dict) else item!r}"
                if self.fresh_quarantine(key[:300]):
                    bad.append(quarantine(item, f"message skipped: {exc}"))
                continue
            if second(msg.created) < horizon:
                reached_old = True
                continue
            found.append((msg.created, msg.id, record))
        return reached_old

    def _dm_route(self, reply: OutgoingReply) -> tuple[str, str]:
        """(conversation id, recipient id) of a DM reply."""
        target = reply.target
        extra = target.extra
        conversation = extra.get("conversation_id") or target.thread_key.removeprefix("dm:")
        recipient = extra.get("recipient_id") or target.author_id
        return (path_id(conversation, "conversation"),
                path_id(recipient, "customer's messaging id"))

    def _answered_at(self, reply: OutgoingReply) -> datetime | None:
        try:
            return parse_time(reply.target.extra.get("created_time"))
        except Malformed:
            return None

    async def send_dm(self, reply: OutgoingReply, recipient: dict[str, str] | None = None,
                      text: str | None = None) -> Delivery:
        words = (reply.text if text is None else text).strip()
        if not words:
            raise PermanentError("cannot send an empty reply")
        tagged = False
        if recipient is None:
            _, customer = self._dm_route(reply)
            recipient = {"id": customer}
            answered = self._answered_at(reply)
            tagged = answered is not None and self.clock() - answered >= STANDARD_WINDOW
        body: dict[str, Any] = {"recipient": recipient, "message": {"text": words}}
        if "id" in recipient:
            body.update(self._messaging_type(tagged))
        url = self.url(await self.dm_owner(), "messages")
        try:
            answer = await self.request("POST", url, json_body=body)
        except PermanentError as exc:
            if tagged or "id" not in recipient or not is_window_error(exc):
                raise
            log.info("%s: outside the 24-hour window; sending with the HUMAN_AGENT tag",
                     self.network)
            body.update(self._messaging_type(True))
            answer = await self.request("POST", url, json_body=body)
        try:
            message_id = as_id(answer.get("message_id") if isinstance(answer, dict) else None,
                               "message_id")
        except Malformed:
            raise BadPayload(f"POST {url}: the answer has no message_id") from None
        return Delivery(external_id=message_id, delivered_at=self.clock(),
                        raw={"messaging_type": body.get("messaging_type", ""),
                             "tag": body.get("tag", "")})

    @staticmethod
    def _messaging_type(tagged: bool) -> dict[str, str]:
        if tagged:
            return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
        return {"messaging_type": "RESPONSE"}

    async def find_dm(self, reply: OutgoingReply) -> Delivery | None:
        conversation, _ = self._dm_route(reply)
        wanted = comparable(reply.text)
        after = self._answered_at(reply)
        brands = await self.brand_ids()
        body = await self.request("GET", self.url(conversation, "messages"),
                                  params={"fields": "id,created_time,from,message",
                                          "limit": str(LOOKUP_LIMIT)})
        for item in items_of(body, "GET messages"):
            try:
                msg = parse_message(item)
            except Malformed:
                continue
            if msg.from_id in brands and comparable(msg.text) == wanted and (
                    after is None or msg.created >= after):
                return Delivery(external_id=msg.id, delivered_at=msg.created)
        return None

    def reply_window(self, case_kind: str, last_inbound_at: datetime | None,
                     now: datetime) -> ReplyWindow:
        """Comments: always open. DMs: 24 h standard, then the HUMAN_AGENT tag to 7 days."""
        if case_kind != MessageKind.DM.value:
            return ReplyWindow(open=True)
        name = self.window_name
        if last_inbound_at is None:
            return ReplyWindow(open=False, note=f"{name} only lets a business answer a "
                               "message: wait for the customer to write.")
        standard = last_inbound_at + STANDARD_WINDOW
        tagged = last_inbound_at + HUMAN_AGENT_WINDOW
        if now < standard:
            return ReplyWindow(open=True, closes_at=standard,
                               note=f"{name}'s 24-hour window is open until "
                                    f"{_stamp(standard)}; later replies go with the "
                                    "HUMAN_AGENT tag.")
        if now < tagged:
            return ReplyWindow(open=True, closes_at=tagged,
                               note=f"{name}'s 24-hour window closed at {_stamp(standard)}: "
                                    "this reply goes with the HUMAN_AGENT tag (a person's "
                                    f"answer), allowed until {_stamp(tagged)}.")
        return ReplyWindow(open=False, closes_at=tagged,
                           note=f"{name} no longer accepts a reply: the 7-day HUMAN_AGENT "
                                f"allowance ended at {_stamp(tagged)}. Wait for the "
                                "customer to write again.")


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
