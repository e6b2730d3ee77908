"""The simulator's shared state: networks, deliveries, faults.

``SimWorld`` owns one handler per network (``smm_desk.sim.telegram`` …), each of
which serves that network's endpoints from its own in-memory state. The world
adds what cuts across them:

* **deliveries** — every reply a handler accepted, in order, so tests count
  what was really posted (a reply posted twice shows up twice);
* **faults** — one-shot or repeating failures injected on demand and consumed
  by the next matching request: latency, a hang past the client's timeout,
  5xx, 429 with a wait, an expired token, malformed JSON, and any
  network-specific body error (VK ``failed`` codes, VK error codes);
* **a lock and a condition** — handlers run on server threads (loopback) or in
  worker threads (in-process), and long polls wait on the condition until new
  traffic arrives or their wait runs out.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx


@dataclass
class Fault:
    """A failure the next matching request gets instead of a normal answer.

    ``kind``: "latency" (delay then answer normally), "hang" (sleep ``seconds``
    and then answer 504 — the client should have timed out), "status"
    (answer ``status`` with ``body``), "rate_limit" (429 in the network's own
    way, wait ``seconds``), "auth" (the network's expired-token answer),
    "malformed" (200 with a body that is not JSON), "body" (200 with ``body``
    as JSON — e.g. VK ``{"failed": 2}``), "after" (answer normally, *then*
    fail with 502 — the request was applied but the client never learns).
    """

    network: str
    kind: str
    match: str = ""  # substring of the request path; "" matches any
    status: int = 500
    seconds: float = 0.0
    body: Any = None
    times: int = 1


@dataclass(frozen=True)
class Delivered:
    network: str
    account: str
    method: str
    target: str
    text: str
    external_id: str
    key: str | None
    at: datetime


class NetworkHandler(Protocol):
    network: str

    def matches(self, request: httpx.Request) -> bool: ...

    def handle(self, request: httpx.Request, world: SimWorld) -> httpx.Response: ...

    def fault_response(self, fault: Fault, request: httpx.Request) -> httpx.Response | None: ...


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers={"Content-Type": "application/json", **(headers or {})},
                          content=json.dumps(body).encode())  # ASCII: survives lone surrogates


@dataclass
class SimWorld:
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    handlers: list[NetworkHandler] = field(default_factory=list)
    deliveries: list[Delivered] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[float, str, str]] = field(default_factory=list)
    #: Upper bound on any long poll, so tests and the demo never stall.
    max_poll_wait: float = 25.0

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)

    def add(self, handler: NetworkHandler) -> NetworkHandler:
        self.handlers.append(handler)
        return handler

    def handler(self, network: str) -> Any:
        return next(h for h in self.handlers if h.network == network)

    def inject(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def record(self, delivered: Delivered) -> None:
        with self.lock:
            self.deliveries.append(delivered)

    def notify(self) -> None:
        """New traffic: wake every waiting long poll."""
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Block (on a server or worker thread) until ``predicate`` or timeout."""
        deadline = time.monotonic() + min(timeout, self.max_poll_wait)
        with self.changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(left)
            return True

    def _take_fault(self, network: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.network == network and fault.match in path:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as the matching network would (thread-safe)."""
        path = request.url.path
        with self.lock:
            self.requests.append((time.monotonic(), request.method, path))
        handler = next((h for h in self.handlers if h.matches(request)), None)
        if handler is None:
            return json_response(404, {"error": f"simulator: nothing serves {path}"})
        fault = self._take_fault(handler.network, path)
        if fault is not None:
            if fault.kind == "latency":
                time.sleep(fault.seconds)
            elif fault.kind == "hang":
                time.sleep(fault.seconds)
                return json_response(504, {"error": "simulated hang"})
            elif fault.kind == "malformed":
                return httpx.Response(200, headers={"Content-Type": "application/json"},
                                      content=b'{"ok": tru')
            elif fault.kind == "after":
                handler.handle(request, self)
                return json_response(502, {"error": "simulated gateway failure after apply"})
            elif fault.kind == "status":
                return json_response(fault.status, fault.body or {"error": "simulated failure"})
            elif fault.kind == "body":
                return json_response(200, fault.body)
            else:
                special = handler.fault_response(fault, request)
                if special is not None:
                    return special
        return handler.handle(request, self)
