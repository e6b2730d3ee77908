"""The connectors' exception tree — every network failure becomes one of these.

``smm_desk.connectors.http.HttpClient`` maps httpx exceptions and HTTP status
codes once (``map_status``); each connector adds only the errors its network
reports inside a 200 body (Telegram ``ok: false``, VK ``error.error_code``).
The sync engine then acts on the class alone:

====================  ====================================================
``AuthError``         token missing, revoked or expired: the account goes to
                      ``needs_auth`` and stops; the other accounts go on.
``RateLimited``       the network asked us to wait: no request to it before
                      ``retry_after`` seconds; the account shows rate_limited.
``TransientError``    network down, timeout, 5xx: retry with backoff + jitter.
                      ``maybe_delivered`` is True when a write may have reached
                      the network before the failure (timeout after sending,
                      5xx from a proxy): the outbox then settles before resending.
``PermanentError``    the network refused the request for good (bad target,
                      privacy, text too long): a reply becomes ``failed`` with
                      the network's own message.
``BadPayload``        the network answered something we cannot parse: the item
                      is quarantined with the reason, the rest goes on.
====================  ====================================================

Messages never carry a secret: the HTTP layer redacts tokens from URLs and text
before it builds any of these.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base class. ``network_message`` is the network's own words, for a person."""

    def __init__(self, message: str, *, network_message: str = "", status: int | None = None):
        super().__init__(message)
        self.network_message = network_message
        self.status = status


class AuthError(ConnectorError):
    pass


class RateLimited(ConnectorError):
    def __init__(self, message: str, retry_after: float, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = max(0.0, float(retry_after))


class TransientError(ConnectorError):
    def __init__(self, message: str, *, maybe_delivered: bool = False, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.maybe_delivered = maybe_delivered


class PermanentError(ConnectorError):
    pass


class BadPayload(ConnectorError):
    pass
