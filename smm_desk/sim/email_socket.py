"""The email simulator's sockets: a threaded loopback server that can drop every
connection, a request handler base with buffered answers, and fault taking.

Shared by the IMAP server (:mod:`smm_desk.sim.email_servers`) and the SMTP
receiver (:mod:`smm_desk.sim.email_smtp`); the fault points and kinds are
described in :mod:`smm_desk.sim.email_servers`.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from typing import TYPE_CHECKING, Any

from smm_desk.sim.world import Fault

if TYPE_CHECKING:
    from smm_desk.sim.email import EmailSim

#: Which fault kinds each kind of point acts on.
_KINDS = {"LOGIN": {"latency", "hang", "auth", "status", "rate_limit"},
          "AUTH": {"latency", "hang", "auth", "status"},
          "CONNECT": {"latency", "hang", "status", "rate_limit"},
          "DATA": {"latency", "hang", "status", "after", "rate_limit"},
          "MAIL": {"latency", "hang", "status", "rate_limit"},
          "FETCH": {"latency", "hang", "auth", "status", "malformed"}}
_DEFAULT_KINDS = {"latency", "hang", "auth", "status"}


class _Closed(Exception):
    """The simulated server drops the connection here."""


def take_fault(sim: EmailSim, point: str) -> Fault | None:
    world = sim.world
    kinds = _KINDS.get(point.split("/", 1)[1], _DEFAULT_KINDS)
    with world.lock:
        world.requests.append((time.monotonic(), point.split("/", 1)[0].upper(), point))
        for fault in world.faults:
            if fault.network == "email" and fault.match in point and fault.kind in kinds:
                fault.times -= 1
                if fault.times <= 0:
                    world.faults.remove(fault)
                return fault
    return None


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    sim: EmailSim

    def __init__(self, sim: EmailSim, handler: type[socketserver.BaseRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.sim = sim
        self.open: set[socket.socket] = set()
        self.guard = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away (killed, timed out) is normal here

    def close_all(self) -> None:
        with self.guard:
            sockets, self.open = list(self.open), set()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Base(socketserver.StreamRequestHandler):
    server: _Server
    # Answers are buffered (send) and written in one go when the server next
    # reads (readline, read), as real servers do: one write per response, not
    # per FETCH line; TCP_NODELAY: no wait for the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.out: list[bytes] = []
        with self.server.guard:
            self.server.open.add(self.request)

    def finish(self) -> None:
        with self.server.guard:
            self.server.open.discard(self.request)
        try:
            self.flush()
            super().finish()
        except OSError:
            pass

    @property
    def sim(self) -> EmailSim:
        return self.server.sim

    def send(self, data: bytes | str) -> None:
        self.out.append(data.encode("utf-8") if isinstance(data, str) else data)

    def flush(self) -> None:
        if self.out:
            data = b"".join(self.out)
            self.out.clear()
            self.wfile.write(data)

    def readline(self, limit: int) -> bytes:
        self.flush()
        return self.rfile.readline(limit)

    def read(self, size: int) -> bytes:
        self.flush()
        return self.rfile.read(size)

    def fault(self, point: str) -> Fault | None:
        fault = take_fault(self.sim, point)
        if fault is not None and fault.kind in ("latency", "hang"):
            time.sleep(fault.seconds)
            if fault.kind == "hang":
                raise _Closed
            return None
        return fault


# -- IMAP ----------------------------------------------------------------------
