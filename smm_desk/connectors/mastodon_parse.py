"""Mastodon API payloads → domain records: mention notifications, the brand's
own statuses, and the reply chains that thread them.

Pure functions over decoded JSON, used by :mod:`smm_desk.connectors.mastodon`
(see its docstring for the wire facts, thread keys and ``extra``).
``parse_notifications`` and ``parse_statuses`` take any JSON value and never
raise: what they cannot read is quarantined with a reason. Status HTML
becomes plain text; a content warning and media descriptions are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from smm_desk.connectors.base import Quarantined
from smm_desk.connectors.mastodon_html import status_text
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text

ID_RE = re.compile(r"[0-9A-Za-z_-]{1,64}")
ACCT_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}(?:@[A-Za-z0-9_.-]{1,253})?")
_VISIBILITIES = ("public", "unlisted", "private", "direct")


class Malformed(ValueError):
    """An item that cannot become a message; the text is the quarantine reason."""


def id_key(value: str) -> tuple[int, int | str]:
    """Sort key for ids: numeric ids compare as integers ("100" > "99")."""
    if value.isascii() and value.isdigit():
        return (0, int(value))
    return (1, value)


def as_id(value: Any, what: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and ID_RE.fullmatch(value):
        return value
    raise Malformed(f"{what} is missing or not a valid id")


def _opt_id(value: Any, what: str) -> str | None:
    return None if value is None else as_id(value, what)


def parse_time(value: Any) -> datetime:
    """Mastodon's ISO 8601 timestamps ("…T10:00:01.940Z") as aware UTC."""
    if not isinstance(value, str):
        raise Malformed("created_at is missing")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Malformed("created_at is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@dataclass(frozen=True)
class Status:
    """The fields of a Mastodon Status this connector uses, validated."""

    id: str
    created_at: datetime
    account_id: str
    acct: str  # "" when the handle is unusable
    author_name: str
    visibility: str
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    text: str
    url: str | None
    mentions: tuple[tuple[str, str], ...]  # (account id, acct)


def _text_of(raw: Mapping[str, Any]) -> str:
    text = status_text(raw.get("content"))
    spoiler = raw.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler.strip():
        text = f"CW: {clean_text(spoiler)}\n{text}"
    media = raw.get("media_attachments")
    if isinstance(media, list):
        for item in media[:20]:
            if isinstance(item, dict):
                kind = item.get("type") if isinstance(item.get("type"), str) else "attachment"
                desc = item.get("description")
                label = f"[{kind}: {desc}]" if isinstance(desc, str) and desc else f"[{kind}]"
                text = f"{text}\n{label}"
    return clean_text(text)


def parse_status(raw: Any) -> Status:
    """A Status JSON object, or :class:`Malformed` saying what is wrong."""
    if not isinstance(raw, dict):
        raise Malformed("status is not a JSON object")
    account = raw.get("account")
    if not isinstance(account, dict):
        raise Malformed("status has no account")
    acct = account.get("acct")
    acct = acct if isinstance(acct, str) and ACCT_RE.fullmatch(acct) else ""
    name = account.get("display_name")
    if not (isinstance(name, str) and clean_text(name)):
        name = acct or account.get("username")
    visibility = raw.get("visibility")
    if visibility not in _VISIBILITIES:
        raise Malformed("status visibility is missing or unknown")
    mentions: list[tuple[str, str]] = []
    listed = raw.get("mentions")
    if isinstance(listed, list):
        for item in listed:
            if isinstance(item, dict):
                try:
                    mention_id = as_id(item.get("id"), "mention id")
                except Malformed:
                    continue
                handle = item.get("acct")
                mentions.append((mention_id, handle if isinstance(handle, str)
                                 and ACCT_RE.fullmatch(handle) else ""))
    url = raw.get("url") or raw.get("uri")
    return Status(
        id=as_id(raw.get("id"), "status id"),
        created_at=parse_time(raw.get("created_at")),
        account_id=as_id(account.get("id"), "account id"),
        acct=acct,
        author_name=clean_text(name, 200),
        visibility=str(visibility),
        in_reply_to_id=_opt_id(raw.get("in_reply_to_id"), "in_reply_to_id"),
        in_reply_to_account_id=_opt_id(raw.get("in_reply_to_account_id"),
                                       "in_reply_to_account_id"),
        text=_text_of(raw),
        url=clean_text(url) if isinstance(url, str) and len(url) <= 2000
        and url.startswith(("https://", "http://")) else None,
        mentions=tuple(mentions),
    )


def _quarantine(item: Any, reason: str) -> Quarantined:
    try:
        raw = json.dumps(item, ensure_ascii=True)
    except (TypeError, ValueError):
        raw = repr(item)
    return Quarantined(raw=raw, reason=reason)


def item_id_of(item: Any) -> str | None:
    try:
        return as_id(item.get("id") if isinstance(item, dict) else None, "id")
    except Malformed:
        return None


def newest(ids: Iterable[str], current: str | None) -> str | None:
    best = current
    for value in ids:
        if best is None or id_key(value) > id_key(best):
            best = value
    return best


def root_of(status: Status, roots: Mapping[str, str]) -> str:
    """The reply chain's root: itself when top-level, else what the cache knows
    of its parent (or its own lookup), else the parent."""
    if status.in_reply_to_id is None:
        return status.id
    return roots.get(status.id) or roots.get(status.in_reply_to_id) or status.in_reply_to_id


def inbound_message(status: Status, notification_id: str, brand_id: str,
                    roots: Mapping[str, str]) -> IncomingMessage:
    extra = {"status_id": status.id, "account_id": status.account_id,
             "visibility": status.visibility, "notification_id": notification_id}
    if status.acct:
        extra["acct"] = status.acct
    if status.visibility == "direct":
        thread, kind, post = f"dm:{status.account_id}", MessageKind.DM, None
    else:
        post = root_of(status, roots)
        extra["root_id"] = post
        thread = f"mention:{post}:{status.account_id}"
        kind = (MessageKind.COMMENT if brand_id and status.in_reply_to_account_id == brand_id
                else MessageKind.MENTION)
    return IncomingMessage(
        external_id=status.id, thread_key=thread, direction=Direction.INBOUND, kind=kind,
        text=status.text, created_at=status.created_at, author_id=status.account_id,
        author_name=status.author_name or status.acct or status.account_id,
        parent_external_id=status.in_reply_to_id, post_external_id=post,
        permalink=status.url, extra=extra)


def customer_of(status: Status, brand_id: str) -> tuple[str, str] | None:
    """(account id, acct) of the customer a brand status answers, if any."""
    acct_by_id = dict(status.mentions)
    target = status.in_reply_to_account_id
    if target and target != brand_id:
        return target, acct_by_id.get(target, "")
    for mention_id, acct in status.mentions:
        if mention_id != brand_id:
            return mention_id, acct
    return None


def outbound_message(status: Status, brand_id: str,
                     roots: Mapping[str, str]) -> IncomingMessage | None:
    """The brand's status as an OUTBOUND message, or None if it answers nobody."""
    if status.in_reply_to_id is None:
        return None
    customer = customer_of(status, brand_id)
    if customer is None:
        return None
    customer_id, acct = customer
    extra = {"status_id": status.id, "account_id": customer_id,
             "visibility": status.visibility}
    if acct:
        extra["acct"] = acct
    if status.visibility == "direct":
        thread, kind, post = f"dm:{customer_id}", MessageKind.DM, None
    else:
        post = root_of(status, roots)
        extra["root_id"] = post
        thread, kind = f"mention:{post}:{customer_id}", MessageKind.REPLY
    return IncomingMessage(
        external_id=status.id, thread_key=thread, direction=Direction.OUTBOUND, kind=kind,
        text=status.text, created_at=status.created_at, author_id=status.account_id,
        author_name=status.author_name or status.acct, parent_external_id=status.in_reply_to_id,
        post_external_id=post, permalink=status.url, extra=extra)


@dataclass(frozen=True)
class Page:
    """A page of parsed items, before messages are built."""

    entries: list[tuple[str, Status]]  # (item id, status), oldest first
    quarantined: list[Quarantined]
    newest_id: str | None
    size: int


def parse_notifications(items: Any) -> Page:
    """Mention notifications → statuses. Never raises for any JSON value."""
    if not isinstance(items, list):
        return Page([], [_quarantine(items, "notifications answer is not a JSON list")], None, 1)
    entries: list[tuple[str, Status]] = []
    bad: list[Quarantined] = []
    ids: list[str] = []
    for item in items:
        item_id = item_id_of(item)
        if item_id is not None:
            ids.append(item_id)
        try:
            if item_id is None or not isinstance(item, dict):
                raise Malformed("notification id is missing or not a valid id")
            if item.get("type") != "mention":
                continue  # an old server that ignores types[]: not ours to handle
            entries.append((item_id, parse_status(item.get("status"))))
        except Malformed as exc:
            bad.append(_quarantine(item, f"mention notification skipped: {exc}"))
    entries.sort(key=lambda e: id_key(e[0]))
    return Page(entries, bad, newest(ids, None), len(items))


def parse_statuses(items: Any) -> Page:
    """The brand's own statuses. Never raises for any JSON value."""
    if not isinstance(items, list):
        return Page([], [_quarantine(items, "statuses answer is not a JSON list")], None, 1)
    entries: list[tuple[str, Status]] = []
    bad: list[Quarantined] = []
    ids: list[str] = []
    for item in items:
        item_id = item_id_of(item)
        if item_id is not None:
            ids.append(item_id)
        try:
            if isinstance(item, dict) and item.get("reblog"):
                continue  # a boost is not an answer
            status = parse_status(item)
        except Malformed as exc:
            bad.append(_quarantine(item, f"own status skipped: {exc}"))
            continue
        entries.append((status.id, status))
    entries.sort(key=lambda e: id_key(e[0]))
    return Page(entries, bad, newest(ids, None), len(items))


def build_messages(page: Page, stream: str, brand_id: str,
                   roots: Mapping[str, str]) -> tuple[list[IncomingMessage], list[Quarantined]]:
    """Messages from a parsed page; anything that still fails is quarantined."""
    messages: list[IncomingMessage] = []
    bad = list(page.quarantined)
    for item_id, status in page.entries:
        try:
            if stream == "mentions":
                messages.append(inbound_message(status, item_id, brand_id, roots))
            else:
                message = outbound_message(status, brand_id, roots)
                if message is not None:
                    messages.append(message)
        except ValueError as exc:  # IncomingMessage's own checks
            bad.append(Quarantined(raw=json.dumps({"id": item_id}), reason=str(exc)))
    return messages, bad
