"""VK Bots Long Poll payloads → domain records: messages, the community's own
answers and wall comments.

Pure functions over decoded JSON, used by :mod:`smm_desk.connectors.vk` (see
its docstring for the wire facts, external ids, thread keys and ``extra``).
:meth:`Parser.parse` takes any JSON value and never raises: what it cannot
read is quarantined with a reason. Mention markup ``[id1|Name]`` becomes
``Name``; attachment types are listed at the end of the text.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeGuard

from smm_desk.connectors.base import Quarantined
from smm_desk.connectors.http import utc_from_timestamp
from smm_desk.domain.records import Direction, IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text

log = logging.getLogger("smm_desk.connectors.vk")

#: Remembered comment authors (to thread the brand's answers) and user names.
MEMORY_LIMIT = 20_000

_MENTION = re.compile(r"\[(?:id|club|public|event)\d+\|([^\]\[]*)\]")


class Malformed(Exception):
    """An item that cannot become a record; the message is the quarantine reason."""


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _opt_int(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is not None and not is_int(value):
        raise Malformed(f"field {key!r} is not an integer")
    return value


def _int(obj: Mapping[str, Any], key: str) -> int:
    value = _opt_int(obj, key)
    if value is None:
        raise Malformed(f"field {key!r} is missing")
    return value


def _text(obj: Mapping[str, Any]) -> tuple[str, str]:
    """(readable text, comma-separated attachment types)."""
    raw = obj.get("text", "")
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise Malformed("field 'text' is not a string")
    attachments = obj.get("attachments")
    kinds: list[str] = []
    if isinstance(attachments, list):
        for item in attachments:
            if isinstance(item, dict) and isinstance(item.get("type"), str):
                kinds.append(clean_text(item["type"], 40))
    text = clean_text(_MENTION.sub(r"\1", raw))
    if kinds:
        text = clean_text(f"{text}\n[attachments: {', '.join(kinds)}]")
    return text, ",".join(kinds)


def _when(obj: Mapping[str, Any]) -> datetime:
    value = obj.get("date")
    if value is None:
        raise Malformed("field 'date' is missing")
    try:
        return utc_from_timestamp(value)
    except (ValueError, OverflowError, OSError):
        raise Malformed("field 'date' is not a valid unix time") from None


def message_external_id(peer_id: int, message_id: int | None, cmid: int | None) -> str:
    if message_id:
        return f"msg:{peer_id}:{message_id}"
    if cmid:
        return f"msg:{peer_id}:c{cmid}"
    raise Malformed("message has neither 'id' nor 'conversation_message_id'")


def comment_external_id(owner_id: int, post_id: int, comment_id: int) -> str:
    return f"wall:{owner_id}_{post_id}:{comment_id}"


@dataclass
class Parser:
    """Turns long-poll updates into records. Pure apart from a small memory of
    comment authors, which threads the brand's answers to the right customer."""

    group_id: int
    community_name: str = ""

    def __post_init__(self) -> None:
        self.comment_authors: dict[str, int] = {}

    def parse(self, updates: Iterable[Any]) -> tuple[list[IncomingMessage], list[Quarantined]]:
        messages: list[IncomingMessage] = []
        quarantined: list[Quarantined] = []
        for item in updates:
            try:
                message = self.parse_one(item)
            except Malformed as exc:
                quarantined.append(Quarantined(raw=dump(item), reason=str(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - one odd item must not stop a batch
                log.exception("VK parser failed on an update")
                quarantined.append(Quarantined(
                    raw=dump(item), reason=f"unexpected parser error ({type(exc).__name__})"))
                continue
            if message is not None:
                messages.append(message)
        return messages, quarantined

    def parse_one(self, item: Any) -> IncomingMessage | None:
        if not isinstance(item, dict):
            raise Malformed("update is not a JSON object")
        kind = item.get("type")
        if not isinstance(kind, str):
            raise Malformed("update has no 'type'")
        if kind not in ("message_new", "message_reply", "wall_reply_new"):
            return None
        obj = item.get("object")
        if not isinstance(obj, dict):
            raise Malformed(f"{kind} update has no 'object'")
        if kind == "wall_reply_new":
            return self._comment(obj)
        message = obj.get("message", obj) if kind == "message_new" else obj
        if not isinstance(message, dict):
            raise Malformed(f"{kind} update has no 'message' object")
        return self._message(message, outbound=kind == "message_reply")

    def _message(self, msg: Mapping[str, Any], *, outbound: bool) -> IncomingMessage:
        peer_id = _int(msg, "peer_id")
        from_id = _int(msg, "from_id")
        message_id = _opt_int(msg, "id")
        cmid = _opt_int(msg, "conversation_message_id")
        external_id = message_external_id(peer_id, message_id, cmid)
        created_at = _when(msg)
        text, attachments = _text(msg)
        out = msg.get("out")
        outbound = outbound or out == 1 or from_id == -self.group_id
        extra = {"peer_id": str(peer_id), "from_id": str(from_id),
                 "message_id": str(message_id or 0), "conversation_message_id": str(cmid or 0)}
        if attachments:
            extra["attachments"] = attachments
        admin = msg.get("admin_author_id")
        if is_int(admin):
            extra["admin_author_id"] = str(admin)
        parent = None
        answered = msg.get("reply_message")
        if isinstance(answered, dict):
            pid = answered.get("id")
            pcm = answered.get("conversation_message_id")
            if is_int(pid) and pid > 0:
                parent = f"msg:{peer_id}:{pid}"
            elif is_int(pcm) and pcm > 0:
                parent = f"msg:{peer_id}:c{pcm}"
        return IncomingMessage(
            external_id=external_id,
            thread_key=f"dm:{peer_id}",
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            kind=MessageKind.DM,
            text=text,
            created_at=created_at,
            author_id=str(from_id),
            author_name=self.community_name if outbound else "",
            parent_external_id=parent,
            permalink=f"https://vk.com/gim{self.group_id}?sel={peer_id}",
            extra=extra,
        )

    def _comment(self, obj: Mapping[str, Any]) -> IncomingMessage:
        comment_id = _int(obj, "id")
        from_id = _int(obj, "from_id")
        owner_id = _int(obj, "owner_id")
        post_id = _int(obj, "post_id")
        reply_to_comment = _opt_int(obj, "reply_to_comment")
        reply_to_user = _opt_int(obj, "reply_to_user")
        created_at = _when(obj)
        text, attachments = _text(obj)
        post = f"{owner_id}_{post_id}"
        external_id = comment_external_id(owner_id, post_id, comment_id)
        outbound = from_id == -self.group_id
        if outbound:
            customer = reply_to_user
            if customer is None and reply_to_comment is not None:
                customer = self.comment_authors.get(
                    comment_external_id(owner_id, post_id, reply_to_comment))
            if customer is None:
                customer = from_id  # a comment of the brand's own, answering no one
        else:
            customer = from_id
            self._remember(external_id, from_id)
        extra = {"owner_id": str(owner_id), "post_id": str(post_id),
                 "comment_id": str(comment_id), "from_id": str(from_id)}
        if reply_to_comment:
            extra["reply_to_comment"] = str(reply_to_comment)
        if attachments:
            extra["attachments"] = attachments
        permalink = f"https://vk.com/wall{post}?reply={comment_id}"
        stack = obj.get("parents_stack")
        if isinstance(stack, list) and stack and isinstance(stack[0], int):
            permalink += f"&thread={stack[0]}"
        return IncomingMessage(
            external_id=external_id,
            thread_key=f"comment:{post}:{customer}",
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            kind=MessageKind.REPLY if reply_to_comment else MessageKind.COMMENT,
            text=text,
            created_at=created_at,
            author_id=str(from_id),
            author_name=self.community_name if outbound else "",
            parent_external_id=(comment_external_id(owner_id, post_id, reply_to_comment)
                                if reply_to_comment else None),
            post_external_id=f"wall{post}",
            permalink=permalink,
            extra=extra,
        )

    def _remember(self, external_id: str, author: int) -> None:
        if len(self.comment_authors) >= MEMORY_LIMIT:
            self.comment_authors.clear()
        self.comment_authors[external_id] = author


def dump(item: Any) -> str:
    try:
        return json.dumps(item)
    except (TypeError, ValueError):
        return repr(item)
