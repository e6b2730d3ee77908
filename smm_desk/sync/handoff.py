"""Handoff delivery: a case's summary and thread to its department, by email or webhook.

A handoff is an outbox entry (kind ``handoff``) and lives the same life as a
reply (``smm_desk.sync.delivery``): stored ``queued``; marked ``sending``
(committed) before the attempt; ``sent`` on delivery with the
``handoff_sent`` event; ``failed`` on a permanent refusal; back to ``queued``
with exponential backoff on a transient one.

**At-least-once with a dedupe key.** When an attempt's outcome is unknown (a
crash left it ``sending``, a timeout or a 5xx after the request went out,
the connection dropped after the message data), the handoff is sent *again*,
never marked "uncertain": both channels carry the handoff id as a dedupe key,
and the content is the payload frozen at queue time, byte for byte the same.

* Webhook: ``Idempotency-Key: <handoff id>`` — a receiver that honours it
  (as it should) drops the repeat.
* Email: ``Message-ID: <<handoff id>@handoff.smm-desk.invalid>`` — the same on
  every attempt, so the department's mail client or a dedupe rule on the
  server shows one message. SMTP has no way to ask "did you get it?", and
  a department that misses a handoff costs the customer more than one that
  sees a duplicate.

Errors, mapped once here onto :mod:`smm_desk.connectors.errors`:

=====================================  =============================================
webhook 2xx                            delivered
webhook 408, 429 (Retry-After), 5xx    transient (5xx: ``maybe_delivered``)
webhook other 3xx/4xx                  permanent: ``failed`` with the answer
webhook timeout after sending          transient, ``maybe_delivered``
SMTP 4xx reply (451, 421…)             transient (the server said "not now")
SMTP 5xx reply, login refused          permanent
cannot connect / TLS handshake fails   transient
connection lost during DATA            transient, ``maybe_delivered``
=====================================  =============================================

Secrets: the SMTP password and the webhook signing secret live only in the OS
keyring, service ``smm-desk``, user ``department:<id>:smtp`` or
``department:<id>:webhook`` (:func:`set_department_secret`), with the same
error handling as :mod:`smm_desk.secrets`: a message names the department,
never the secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Literal

import httpx
import keyring
from keyring.errors import KeyringError, PasswordDeleteError

from smm_desk import __version__
from smm_desk.connectors.errors import (
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.http import network_message, parse_retry_after
from smm_desk.secrets import SERVICE, SecretStoreError
from smm_desk.store.errors import Conflict
from smm_desk.store.handoffs import (
    EmailTarget,
    HandoffJob,
    HandoffPayload,
    WebhookTarget,
    handoff_subject,
    handoff_text,
)

if TYPE_CHECKING:
    from smm_desk.sync.engine import SyncEngine

log = logging.getLogger("smm_desk.handoff")

SecretPurpose = Literal["smtp", "webhook"]
SIGNATURE_HEADER = "X-SMM-Desk-Signature"
MESSAGE_ID_DOMAIN = "handoff.smm-desk.invalid"


# -- secrets ----------------------------------------------------------------------------------

def _user(department_id: int, purpose: SecretPurpose) -> str:
    return f"department:{department_id}:{purpose}"


def set_department_secret(department_id: int, purpose: SecretPurpose, secret: str) -> None:
    if not secret:
        raise SecretStoreError(f"empty {purpose} secret for department {department_id}")
    try:
        keyring.set_password(SERVICE, _user(department_id, purpose), secret)
    except KeyringError as exc:
        raise SecretStoreError(
            f"cannot store the {purpose} secret of department {department_id} in the OS "
            f"keyring ({type(exc).__name__}); is a keyring service available?"
        ) from None


def get_department_secret(department_id: int, purpose: SecretPurpose) -> str | None:
    try:
        return keyring.get_password(SERVICE, _user(department_id, purpose))
    except KeyringError as exc:
        raise SecretStoreError(
            f"cannot read the {purpose} secret of department {department_id} from the OS "
            f"keyring ({type(exc).__name__})"
        ) from None


def delete_department_secret(department_id: int, purpose: SecretPurpose) -> None:
    try:
        keyring.delete_password(SERVICE, _user(department_id, purpose))
    except PasswordDeleteError:
        pass  # nothing stored: the end state is the same
    except KeyringError as exc:
        raise SecretStoreError(
            f"cannot delete the {purpose} secret of department {department_id} from the OS "
            f"keyring ({type(exc).__name__})"
        ) from None


SecretSource = Callable[[int, SecretPurpose], str | None]


# -- what goes on the wire ----------------------------------------------------------------------

def message_id(handoff_id: str) -> str:
    """The email's Message-ID: derived from the handoff id only, so every attempt
    (and a resend after a crash) carries the same one."""
    return f"<{handoff_id}@{MESSAGE_ID_DOMAIN}>"


def email_message(payload: HandoffPayload, target: EmailTarget) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = handoff_subject(payload)
    message["From"] = target.sender
    message["To"] = ", ".join(target.to)
    # The queue time, not the attempt's: a resend is the same message.
    message["Date"] = format_datetime(payload.queued_at)
    message["Message-ID"] = message_id(payload.handoff_id)
    message["X-SMM-Desk-Handoff"] = payload.handoff_id
    message["X-SMM-Desk-Case"] = str(payload.case_id)
    message.set_content(handoff_text(payload))
    return message


def webhook_body(payload: HandoffPayload) -> bytes:
    """The JSON body; deterministic, so the signature and a resend are stable."""
    return json.dumps(payload.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the body>``, the header a receiver checks."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


# -- senders ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sent:
    external_id: str
    via: str


class _SmtpAnswer(Exception):
    """An SMTP reply that is not success, raised inside the worker thread."""

    def __init__(self, code: int, text: str, phase: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code
        self.text = text
        self.phase = phase


def _said(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())[:300]


class SmtpSender:
    """One SMTP session per handoff, run with smtplib in a worker thread."""

    def __init__(self, timeout: float = 30.0,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.timeout = timeout
        self.ssl_context = ssl_context

    async def send(self, target: EmailTarget, payload: HandoffPayload,
                   password: str | None) -> Sent:
        message = email_message(payload, target)
        where = f"SMTP {target.smtp_host}:{target.smtp_port}"
        phase = ["connect"]
        try:
            await asyncio.to_thread(self._session, target, message, password, phase)
        except _SmtpAnswer as exc:
            said = f"{where}: {exc.code} {exc.text}"
            if 400 <= exc.code < 500:
                raise TransientError(f"{said} (at {exc.phase})", network_message=exc.text,
                                     status=exc.code) from None
            raise PermanentError(f"{said} (at {exc.phase})", network_message=exc.text,
                                 status=exc.code) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentError(f"{where}: login refused ({exc.smtp_code})",
                                 network_message=_said(exc.smtp_error),
                                 status=exc.smtp_code) from None
        except smtplib.SMTPResponseException as exc:  # e.g. refused greeting, STARTTLS
            text = _said(exc.smtp_error)
            if 400 <= exc.smtp_code < 500 or exc.smtp_code < 0:
                raise TransientError(f"{where}: {exc.smtp_code} {text}",
                                     network_message=text, status=exc.smtp_code) from None
            raise PermanentError(f"{where}: {exc.smtp_code} {text}", network_message=text,
                                 status=exc.smtp_code) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentError(f"{where}: {exc}") from None
        except (smtplib.SMTPException, OSError) as exc:  # timeouts, resets, TLS errors
            # Lost in the middle of DATA: the server may have queued the message.
            raise TransientError(f"{where}: {type(exc).__name__} during {phase[0]}",
                                 maybe_delivered=phase[0] == "data") from None
        return Sent(message_id(payload.handoff_id), "email")

    def _session(self, target: EmailTarget, message: EmailMessage, password: str | None,
                 phase: list[str]) -> None:
        context = self.ssl_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if target.security == "tls":
            smtp = smtplib.SMTP_SSL(target.smtp_host, target.smtp_port, timeout=self.timeout,
                                    context=context)
        else:
            smtp = smtplib.SMTP(target.smtp_host, target.smtp_port, timeout=self.timeout)
        try:
            phase[0] = "handshake"
            smtp.ehlo_or_helo_if_needed()
            if target.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if target.smtp_user:
                if password is None:
                    raise PermanentError("no SMTP password in the keyring for this department")
                smtp.login(target.smtp_user, password)
            phase[0] = "envelope"
            code, said = smtp.mail(target.sender)
            if code != 250:
                raise _SmtpAnswer(code, _said(said), "MAIL FROM")
            accepted = 0
            first_refusal: tuple[int, str] | None = None
            for rcpt in target.to:
                code, said = smtp.rcpt(rcpt)
                if code in (250, 251):
                    accepted += 1
                elif first_refusal is None:
                    first_refusal = (code, _said(said))
            if not accepted:
                assert first_refusal is not None
                smtp.rset()
                raise _SmtpAnswer(*first_refusal, "RCPT TO")
            if first_refusal is not None:
                log.warning("handoff %s: some recipients refused: %d %s",
                            message["X-SMM-Desk-Handoff"], *first_refusal)
            phase[0] = "data"
            code, said = smtp.data(message.as_bytes())
            if code != 250:
                raise _SmtpAnswer(code, _said(said), "DATA")
            phase[0] = "done"
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


class WebhookSender:
    """POST the payload as JSON. One short-lived client per handoff: handoffs
    are rare, and nothing outlives the attempt."""

    def __init__(self, timeout: float = 20.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.timeout = timeout
        self.transport = transport

    async def send(self, target: WebhookTarget, payload: HandoffPayload,
                   secret: str | None) -> Sent:
        body = webhook_body(payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": payload.handoff_id,
            "User-Agent": f"smm-desk/{__version__} (handoff)",
        }
        if secret is not None:
            headers[SIGNATURE_HEADER] = signature(secret, body)
        where = f"POST {httpx.URL(target.url).copy_with(query=None, fragment=None)}"
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout,
                                         follow_redirects=False) as client:
                response = await client.post(target.url, content=body, headers=headers)
        except httpx.ConnectTimeout:
            raise TransientError(f"{where}: connect timeout") from None
        except httpx.ConnectError as exc:
            raise TransientError(f"{where}: cannot connect ({type(exc).__name__})") from None
        except httpx.TimeoutException:
            raise TransientError(f"{where}: timed out", maybe_delivered=True) from None
        except httpx.TransportError as exc:
            raise TransientError(f"{where}: connection failed ({type(exc).__name__})",
                                 maybe_delivered=True) from None
        status = response.status_code
        if 200 <= status < 300:
            return Sent(response.headers.get("X-Request-Id") or f"HTTP {status}", "webhook")
        said = network_message(response)
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimited(f"{where}: rate limited ({status})", wait if wait is not None
                              else 60.0, network_message=said, status=status)
        if status == 408 or status >= 500:
            raise TransientError(f"{where}: server trouble ({status}): {said}",
                                 maybe_delivered=status >= 500 and status != 503,
                                 network_message=said, status=status)
        raise PermanentError(f"{where}: refused ({status}): {said}", network_message=said,
                             status=status)


# -- the outbox's handoff lane -------------------------------------------------------------------

class HandoffDelivery:
    """Delivers and settles the outbox's ``handoff`` entries for ``OutboxDelivery``.

    Independent of the account's state: a Telegram token that needs
    re-authorising must not keep a case from reaching the billing team.
    """

    def __init__(self, engine: SyncEngine, *, smtp: SmtpSender | None = None,
                 webhook: WebhookSender | None = None,
                 secrets: SecretSource = get_department_secret) -> None:
        self.engine = engine
        self.smtp = smtp or SmtpSender()
        self.webhook = webhook or WebhookSender()
        self.secrets = secrets

    async def settle(self, handoff_id: str, why: str) -> None:
        """A handoff whose attempt has no known outcome goes back to the queue: the
        resend carries the same dedupe key (see the module docstring)."""
        log.info("handoff %s: %s; resending with the same dedupe key", handoff_id, why)
        await self.engine.db(self.engine.store.requeue_reply, handoff_id,
                             f"resending with the same key: {why}")

    async def deliver(self, handoff_id: str) -> bool:
        db = self.engine.db
        store = self.engine.store
        job = await db(store.handoff_job, handoff_id)
        if job.target is None:
            await db(store.reply_failed, handoff_id,
                     f"department {job.department!r} has no handoff target")
            return False
        try:
            view = await db(store.claim_reply, handoff_id, self.engine.holder)
        except Conflict:  # another desk of the team took it first
            log.info("handoff %s: already taken by another sender", handoff_id)
            return False
        try:
            sent = await self._send(job)
        except RateLimited as exc:
            await db(store.reply_retry_later, handoff_id, self.engine.redact(exc),
                     timedelta(seconds=max(exc.retry_after, 1.0)))
            return False
        except TransientError as exc:
            wait = self.engine.backoff.delay(min(view.attempts, 8), self.engine.rng) + 1
            note = self.engine.redact(exc)
            if exc.maybe_delivered:
                note += " — may have arrived; the resend carries the same dedupe key"
            await db(store.reply_retry_later, handoff_id, note, timedelta(seconds=wait))
            return False
        except (PermanentError, SecretStoreError) as exc:
            message = exc.network_message if isinstance(exc, ConnectorError) and \
                exc.network_message else str(exc)
            await db(store.reply_failed, handoff_id, self.engine.redact(message))
            return False
        except Exception as exc:  # noqa: BLE001 - a bug must not lose the handoff
            log.error("bug sending handoff %s: %s", handoff_id,
                      self.engine.redact(repr(exc)))
            await self.settle(handoff_id, f"internal error ({type(exc).__name__})")
            return False
        await db(store.handoff_sent, handoff_id, sent.external_id, sent.via)
        return True

    async def _secret(self, job: HandoffJob, kind: str, missing: str, then: str = "") -> str:
        """The department's secret of ``kind`` from the keyring (registered for
        redaction), or PermanentError saying what is ``missing``."""
        if job.department_id is None:
            raise PermanentError("the department was deleted")
        secret = await self.engine.db(self.secrets, job.department_id, kind)
        if not secret:
            raise PermanentError(f"no {missing} in the keyring for department "
                                 f"{job.department!r}{then}")
        self.engine.redact.add(secret)
        return secret

    async def _send(self, job: HandoffJob) -> Sent:
        target = job.target
        if isinstance(target, EmailTarget):
            password = (await self._secret(job, "smtp", "SMTP password")
                        if target.smtp_user else None)
            return await self.smtp.send(target, job.payload, password)
        assert isinstance(target, WebhookTarget)
        secret = (await self._secret(job, "webhook", "webhook secret",
                                     "; refusing to send unsigned")
                  if target.signed else None)
        return await self.webhook.send(target, job.payload, secret)

__all__ = [
    "HandoffDelivery",
    "SIGNATURE_HEADER",
    "SmtpSender",
    "WebhookSender",
    "delete_department_secret",
    "email_message",
    "get_department_secret",
    "message_id",
    "set_department_secret",
    "signature",
    "webhook_body",
]
