"""Two ways to reach a :class:`~smm_desk.sim.world.SimWorld`.

* :class:`SimTransport` — an ``httpx.AsyncBaseTransport`` for in-process use
  (tests, the demo). Handlers may block on a long poll, so each request runs in
  a worker thread and the event loop stays free.
* :class:`SimServer` — a loopback HTTP server (127.0.0.1, a free port) for
  end-to-end tests and ``accounts add … --base-url http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from smm_desk.sim.world import SimWorld


class SimTransport(httpx.AsyncBaseTransport):
    def __init__(self, world: SimWorld) -> None:
        self.world = world

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await asyncio.to_thread(self.world.handle, request)
        await response.aread()
        return httpx.Response(response.status_code, headers=response.headers,
                              content=response.content, request=request)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host", "127.0.0.1")
        request = httpx.Request(self.command, f"http://{host}{self.path}",
                                headers=dict(self.headers.items()), content=body)
        response = self.server.world.handle(request)
        content = response.read()
        self.send_response(response.status_code)
        for key, value in response.headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # request lines carry tokens (Telegram puts them in the path)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    world: SimWorld

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return  # a client that went away mid-answer (killed, timed out): normal here
        super().handle_error(request, client_address)


class SimServer:
    """``with SimServer(world) as server: server.url`` → http://127.0.0.1:PORT"""

    def __init__(self, world: SimWorld, port: int = 0) -> None:
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.world = world
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="smm-desk-simulator", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SimServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
