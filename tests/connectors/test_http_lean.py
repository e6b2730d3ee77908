"""HttpClient builds the usual request itself: the same request httpx builds.

``HttpClient._lean_request`` parses the full URL once instead of letting
``AsyncClient.build_request`` parse the path, the joined URL and the URL with
its query. Held equal here on everything that reaches the wire (method, URL,
headers in order, body) and the timeout; every other call (absolute URLs,
queries in the path, cookies held) must take httpx's own path.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from smm_desk.connectors.http import HttpClient

SEGMENT = st.text(st.sampled_from(list("abcXYZ019_~!$'()*+,;=:@.-%?#/ é\x00")), min_size=1,
                  max_size=12)
PATH = st.lists(SEGMENT, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))
VALUE = st.one_of(st.text(max_size=15), st.integers(), st.booleans(), st.none(), st.floats(
    allow_nan=False), st.lists(st.text(max_size=5), max_size=3))
PARAMS = st.one_of(st.none(), st.dictionaries(st.text(max_size=8), VALUE, max_size=4),
                   st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6)), max_size=3))
HEADER_NAME = st.text(st.sampled_from(list("abcXYZ-")), min_size=1, max_size=10)
HEADERS = st.one_of(st.none(), st.dictionaries(
    st.one_of(HEADER_NAME, st.sampled_from(["User-Agent", "authorization", "Content-Type"])),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20), max_size=3))
BASES = ["https://api.example.com", "http://127.0.0.1:8765", "https://host.example/api/v1",
         "https://host.example/base/", "https://HOST.example:443"]


def requests_for(base: str, method: str, path: str, params: Any, data: Any,
                 headers: Any, content: bytes | None, timeout: float | None
                 ) -> tuple[httpx.Request | None, httpx.Request | None]:
    client = HttpClient(base, headers={"Authorization": "Bearer tok-123456"},
                        transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    kwargs: dict[str, Any] = {}
    if content is not None:
        kwargs["content"] = content
    if timeout is not None:
        kwargs["timeout"] = timeout
    lean: httpx.Request | None = None
    lean_error: Exception | None = None
    try:
        lean = client._lean_request(method, path, params, data, headers, kwargs)
    except Exception as exc:  # noqa: BLE001 - httpx must refuse it the same way
        lean_error = exc
    built: httpx.Request | None = None
    try:
        built = client._client.build_request(method, path, params=params, data=data,
                                             headers=headers, **kwargs)
    except Exception as exc:  # noqa: BLE001 - only where the lean path refused it too
        assert lean is None, f"httpx refused what the lean path built: {exc!r}"
        if lean_error is not None:
            assert type(lean_error) is type(exc)
    else:
        assert lean_error is None, lean_error
    asyncio.run(client.aclose())
    return lean, built


def same(lean: httpx.Request, built: httpx.Request) -> None:
    assert lean.method == built.method
    assert str(lean.url) == str(built.url)
    assert lean.url.raw_path == built.url.raw_path
    assert lean.headers.multi_items() == built.headers.multi_items()
    assert lean.read() == built.read()
    assert lean.extensions == built.extensions


@settings(max_examples=500, deadline=None)
@given(base=st.sampled_from(BASES), method=st.sampled_from(["GET", "POST", "delete"]),
       path=PATH, params=PARAMS, headers=HEADERS,
       body=st.one_of(st.none(), st.binary(max_size=20).map(lambda b: ("content", b)),
                      st.dictionaries(st.text(max_size=5), st.text(max_size=5), min_size=1,
                                      max_size=3).map(lambda d: ("data", d))),
       timeout=st.one_of(st.none(), st.floats(0.1, 100)))
def test_lean_request_is_the_request_httpx_builds(base: str, method: str, path: str,
                                                   params: Any, headers: Any, body: Any,
                                                   timeout: float | None) -> None:
    content = body[1] if body and body[0] == "content" else None
    data = body[1] if body and body[0] == "data" else None
    lean, built = requests_for(base, method, path, params, data, headers, content, timeout)
    if lean is not None:
        assert built is not None
        same(lean, built)


@settings(max_examples=200, deadline=None)
@given(path=st.lists(st.text(st.sampled_from(list("abz019_.:-")), min_size=1, max_size=10),
                     min_size=1, max_size=4).map(lambda p: "/" + "/".join(p)),
       params=PARAMS)
def test_everyday_paths_take_the_lean_path(path: str, params: Any) -> None:
    lean, built = requests_for("https://api.example.com", "GET", path, params, None, None,
                               None, None)
    dot_segment = any(part in (".", "..") for part in path.split("/"))
    assert (lean is None) == dot_segment
    if lean is not None:
        assert built is not None
        same(lean, built)


def test_other_calls_take_httpx_own_path() -> None:
    client = HttpClient("https://api.example.com",
                        transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    for path in ("https://other.example/x", "/a?b=1", "/a#f", "/a/../b", "/a%20b", "a/b", "/"):
        assert client._lean_request("GET", path, None, None, None, {}) is None, path
    assert client._lean_request("GET", "/a", None, None, None, {}) is not None
    client._client.cookies.set("session", "s1", domain="api.example.com")
    assert client._lean_request("GET", "/a", None, None, None, {}) is None
    asyncio.run(client.aclose())
    query_base = HttpClient("https://api.example.com/?key=1")
    assert query_base._lean_request("GET", "/a", None, None, None, {}) is None
    asyncio.run(query_base.aclose())


def test_requests_through_the_client_reach_the_transport_alike() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    async def go() -> None:
        client = HttpClient("https://api.example.com", transport=httpx.MockTransport(handler),
                            headers={"Authorization": "Bearer tok-123456"})
        try:
            await client.request("GET", "/v1/items", retry_safe=True,
                                 params={"limit": 100, "q": "a b&c"}, headers={"X-A": "1"})
            await client.request("GET", "/v1/items?limit=100&q=a+b%26c", retry_safe=True,
                                 headers={"X-A": "1"})
            await client.request("POST", "/v1/items", retry_safe=False,
                                 json_body={"text": "hi \ud800"}, http_timeout=5.0)
        finally:
            await client.aclose()
    asyncio.run(go())
    assert str(seen[0].url) == str(seen[1].url)
    assert seen[0].headers.multi_items() == seen[1].headers.multi_items()
    assert seen[2].content == b'{"text": "hi \\ud800"}'
    assert seen[2].headers["Content-Type"] == "application/json"
    assert seen[2].extensions["timeout"] == httpx.Timeout(5.0).as_dict()
