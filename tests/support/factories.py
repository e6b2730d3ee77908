"""Small builders for records used across tests."""

from __future__ import annotations

from datetime import datetime

from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind


def inbound(
    ext: str, at: datetime, text: str = "hello", thread: str = "dm:1",
    author: str = "Anna", kind: MessageKind = MessageKind.DM,
) -> IncomingMessage:
    return IncomingMessage(
        external_id=ext, thread_key=thread, direction=Direction.INBOUND, kind=kind,
        text=text, created_at=at, author_id=f"id-{author}", author_name=author,
    )


def outbound(ext: str, at: datetime, text: str = "we are on it", thread: str = "dm:1",
             kind: MessageKind = MessageKind.DM) -> IncomingMessage:
    return IncomingMessage(
        external_id=ext, thread_key=thread, direction=Direction.OUTBOUND, kind=kind,
        text=text, created_at=at, author_id="brand", author_name="Brand",
    )
