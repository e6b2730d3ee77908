"""What the Facebook and Instagram simulators share: Meta's Graph API conventions.

:class:`GraphSim` is the base of :class:`~smm_desk.sim.facebook.FacebookSim` and
:class:`~smm_desk.sim.instagram.InstagramSim`. It provides, in Graph's own shapes
(<https://developers.facebook.com/docs/graph-api/results>, ``…/guides/error-handling``,
``…/overview/rate-limiting``, the Messenger Conversations and Send APIs):

* paths ``/v{N}.{M}/…``; the token in ``Authorization: Bearer``, the
  ``access_token`` query parameter or form field;
* ``fields=`` with nested expansion (``from{id,name}``, ``replies{…}``): only
  the requested fields come back, as Graph does;
* cursor paging: ``data`` + ``paging.cursors.before/after`` + ``paging.next``
  (present only when there is more), ``limit`` (≤ 100); an ``after`` cursor
  points at an item, as Graph's do, so a page goes on after that item wherever
  it now is (an item that moved to the top meanwhile is not seen again);
* usage headers on every answer, counted per account over a rolling hour
  (``budget`` calls = 100 %): ``X-App-Usage`` and ``X-Business-Use-Case-Usage``;
  past the budget, the BUC throttling error (80001 Pages, 80002 Instagram) with
  ``estimated_time_to_regain_access`` in minutes;
* errors ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``
  with HTTP 400 — 190 for a bad or expired token, 100 for an unknown object;
* faults: ``rate_limit`` answers a throttling error (code 4 unless the fault's
  ``body`` names another: 17, 32, 613, 80001…) with usage at 100 % and the
  fault's ``seconds`` as the BUC estimate; ``auth`` answers 190/460;
* the Messenger platform: ``GET /{owner}/conversations?platform=…``,
  ``GET /{conversation}/messages`` (newest first), ``POST /{owner}/messages``
  with the 24-hour window (``RESPONSE``/``UPDATE``) and ``MESSAGE_TAG`` +
  ``HUMAN_AGENT`` up to 7 days, refused with code 10 and the window subcode;
  ``recipient: {comment_id}`` is a private reply (once per comment, 7 days).

Routing between the two simulators in one world: each answers the requests
whose token belongs to one of its accounts (plus its own OAuth paths); a token
nobody knows is answered — with 190 — by the first Graph simulator in the world.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import re
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from smm_desk.sim.oauth import SimOAuth
from smm_desk.sim.world import Delivered, Fault, SimWorld, json_response

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
PRIVATE_REPLY_WINDOW = timedelta(days=7)
_VERSIONED = re.compile(r"^/v\d{1,3}\.\d{1,2}(/.*)?$")
_RATE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
}

Answer = tuple[int, Any]


def graph_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def whole_second(at: datetime | None, fallback: datetime) -> datetime:
    return (at or fallback).astimezone(UTC).replace(microsecond=0)


def numeric_id(value: str, digits: int = 16) -> str:
    """A customer id from whatever a test passes (digits stay as they are)."""
    if value.isascii() and value.isdigit():
        return value
    return str(int(hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:13], 16)
               )[:digits]


# -- fields= --------------------------------------------------------------------------------


def parse_fields(spec: str) -> dict[str, Any]:
    """``"id,from{id,name},messages.limit(5){id}"`` → {"id": None, "from": {...}, ...}."""
    fields, _ = _parse_fields(spec, 0)
    return fields


def _parse_fields(spec: str, i: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    name = ""

    def flush() -> None:
        key = name.strip().split(".")[0]
        if key:
            out.setdefault(key, None)
    while i < len(spec):
        ch = spec[i]
        if ch == ",":
            flush()
            name = ""
            i += 1
        elif ch == "{":
            sub, i = _parse_fields(spec, i + 1)
            key = name.strip().split(".")[0]
            if key:
                out[key] = sub
            name = ""
        elif ch == "}":
            flush()
            return out, i + 1
        else:
            name += ch
            i += 1
    flush()
    return out, i


def project(obj: dict[str, Any], fields: dict[str, Any] | None,
            defaults: tuple[str, ...]) -> dict[str, Any]:
    """The object with only the requested fields (``defaults`` when none asked)."""
    wanted = fields if fields else {name: None for name in defaults}
    out: dict[str, Any] = {}
    for name, sub in wanted.items():
        if name not in obj or obj[name] is None:
            continue
        value = obj[name]
        if sub:
            if isinstance(value, dict) and isinstance(value.get("data"), list):
                value = {**value, "data": [project(v, sub, ("id",)) for v in value["data"]]}
            elif isinstance(value, dict):
                value = project(value, sub, ("id",))
        out[name] = value
    return out


# -- the shared state ---------------------------------------------------------------------------


@dataclass
class Conversation:
    id: str
    customer: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    last_inbound: datetime | None = None
    updated: datetime | None = None


@dataclass
class Account:
    token: str
    name: str
    id: str
    #: ids whose /conversations and /messages edges serve this account's DMs
    owners: set[str] = field(default_factory=set)
    calls: deque[datetime] = field(default_factory=deque)
    #: customer id -> display name (FB) or username (IG)
    customers: dict[str, str] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)  # by customer


class GraphSim:
    """Base of the Meta simulators (a :class:`~smm_desk.sim.world.NetworkHandler`)."""

    network = "meta"
    platform = "messenger"
    usage_type = "pages"
    limit_code = 80001
    window_subcode = 2018278
    max_text = 2000

    def __init__(self, world: SimWorld, *, budget: int = 4800,
                 oauth: SimOAuth | None = None) -> None:
        self.world = world
        self.budget = budget
        self.oauth = oauth or SimOAuth(clock=world.clock)
        self.accounts: dict[str, Account] = {}  # by account id
        self._tokens: dict[str, tuple[str, datetime | None, datetime]] = {}
        self._conversations: dict[str, tuple[Account, Conversation]] = {}
        self._seq = itertools.count(1)

    # -- tokens ---------------------------------------------------------------------------

    def register_token(self, token: str, account: Account,
                       expires: datetime | None = None) -> None:
        self._tokens[token] = (account.id, expires, self.world.clock())

    def knows(self, token: str) -> bool:
        return token in self._tokens or self.oauth.account_for(token) in self.accounts

    def _account_of(self, token: str) -> tuple[Account | None, str]:
        found = self._tokens.get(token)
        if found is not None:
            account_id, expires, _ = found
            if expires is not None and self.world.clock() >= expires:
                return None, "expired"
            return self.accounts.get(account_id), ""
        issued = self.oauth.account_for(token)
        if issued is not None and issued in self.accounts:
            return self.accounts[issued], ""
        return None, "invalid"

    def brand(self, token: str) -> Account:
        found = self._tokens.get(token)
        if found is None:
            raise KeyError("unknown token: call add_account first")
        return self.accounts[found[0]]

    # -- NetworkHandler -------------------------------------------------------------------

    def own_path(self, request: httpx.Request) -> bool:
        """Paths only this simulator serves (OAuth, token refresh)."""
        del request
        return False

    def matches(self, request: httpx.Request) -> bool:
        if self.own_path(request):
            return True
        if not _VERSIONED.match(request.url.path):
            return False
        token = token_of(request)
        if token and self.knows(token):
            return True
        graph = [h for h in self.world.handlers if isinstance(h, GraphSim)]
        if any(token and h.knows(token) for h in graph):
            return False
        return bool(graph) and graph[0] is self

    def fault_response(self, fault: Fault, request: httpx.Request) -> httpx.Response | None:
        del request
        if fault.kind == "rate_limit":
            code = fault.body if isinstance(fault.body, int) else 4
            minutes = math.ceil(fault.seconds / 60) if fault.seconds else 0
            message = _RATE_MESSAGES.get(code, f"(#{code}) There have been too many calls. "
                                               "Wait a bit and try again.")
            return self.error(400, code, message, headers=self.usage_headers(
                None, 100, minutes), kind="OAuthException" if code < 80000 else "")
        if fault.kind == "auth":
            return self.error(400, 190, "Error validating access token: The session has been "
                              "invalidated because the user changed their password or "
                              "Facebook has changed the session for security reasons.",
                              subcode=460)
        return None

    def handle(self, request: httpx.Request, world: SimWorld) -> httpx.Response:
        del world
        special = self.special(request)
        if special is not None:
            return special
        parts = [urllib.parse.unquote(p) for p in
                 request.url.path.strip("/").split("/")[1:] if p]
        with self.world.lock:
            token = token_of(request)
            account, why = self._account_of(token) if token else (None, "missing")
            if account is None:
                return self.token_error(why)
            percent, eta = self._count(account)
            headers = self.usage_headers(account, percent, eta)
            if percent > 100:
                return self.error(400, self.limit_code, "There have been too many calls to "
                                  "this account. Wait a bit and try again.", headers=headers)
            params = request_params(request)
            if params is None:
                return self.error(400, 100, "(#100) Could not parse the request body",
                                  headers=headers)
            status, body = self.route(request.method, parts, params, account, request)
        if isinstance(body, httpx.Response):
            return body
        return json_response(status, body, headers)

    def special(self, request: httpx.Request) -> httpx.Response | None:
        del request
        return None

    # -- answers ----------------------------------------------------------------------------

    def error(self, status: int, code: int, message: str, *, subcode: int | None = None,
              headers: dict[str, str] | None = None, kind: str = "OAuthException"
              ) -> httpx.Response:
        return json_response(status, {"error": self.error_body(code, message, subcode, kind)},
                             headers)

    def error_body(self, code: int, message: str, subcode: int | None = None,
                   kind: str = "OAuthException") -> dict[str, Any]:
        body: dict[str, Any] = {"message": message, "type": kind or "OAuthException",
                                "code": code, "fbtrace_id": f"Sim{next(self._seq):08d}x"}
        if subcode is not None:
            body["error_subcode"] = subcode
        return body

    def fail(self, code: int, message: str, subcode: int | None = None) -> Answer:
        kind = "GraphMethodException" if code == 100 else "OAuthException"
        return 400, {"error": self.error_body(code, message, subcode, kind)}

    def unknown(self, object_id: str, method: str = "get") -> Answer:
        return self.fail(100, f"Unsupported {method} request. Object with ID '{object_id}' "
                         "does not exist, cannot be loaded due to missing permissions, or "
                         "does not support this operation.", 33)

    def token_error(self, why: str) -> httpx.Response:
        if why == "expired":
            return self.error(400, 190, "Error validating access token: Session has expired.",
                              subcode=463)
        if why == "missing":
            return self.error(400, 2500, "An active access token must be used to query "
                              "information about the current user.")
        return self.error(400, 190, "Invalid OAuth access token - Cannot parse access token")

    def usage_headers(self, account: Account | None, percent: int,
                      eta_minutes: int) -> dict[str, str]:
        app = {"call_count": percent, "total_cputime": percent // 3, "total_time": percent // 2}
        buc = {"type": self.usage_type, **app,
               "estimated_time_to_regain_access": eta_minutes}
        owner = account.id if account else next(iter(self.accounts), "0")
        return {"X-App-Usage": json.dumps(app),
                "X-Business-Use-Case-Usage": json.dumps({owner: [buc]})}

    def _count(self, account: Account) -> tuple[int, int]:
        now = self.world.clock()
        window = timedelta(hours=1)
        while account.calls and now - account.calls[0] >= window:
            account.calls.popleft()
        account.calls.append(now)
        percent = len(account.calls) * 100 // max(1, self.budget)
        eta = 0
        if percent > 100:
            eta = max(1, math.ceil((account.calls[0] + window - now).total_seconds() / 60))
        return percent, eta

    def listing(self, request: httpx.Request, params: dict[str, Any], items: list[Any],
                defaults: tuple[str, ...], default_limit: int = 25,
                render: Callable[[Any], dict[str, Any]] | None = None) -> Answer:
        """One page of ``items`` (already in order) with Graph's cursor paging;
        ``render`` turns an item into its JSON (only the page's items are rendered)."""
        try:
            limit = min(100, max(1, int(params.get("limit") or default_limit)))
        except ValueError:
            return self.fail(100, "(#100) Param limit must be a number")
        start = 0
        after = params.get("after")
        if after:
            try:
                _, offset, key = base64.b64decode(after).decode().split(":", 2)
                start = int(offset) + 1
            except (ValueError, IndexError, UnicodeDecodeError):
                return self.fail(100, "(#100) Invalid cursor")
            if key:  # after the item the cursor names, where it is now
                at = next((n for n, item in enumerate(items) if _key(item) == key), None)
                start = start if at is None else at + 1
        fields = parse_fields(str(params["fields"])) if params.get("fields") else None
        chunk = items[start:start + limit]
        last = _key(chunk[-1]) if chunk else ""
        if render is not None:
            chunk = [render(i) for i in chunk]
        body: dict[str, Any] = {"data": [project(i, fields, defaults) for i in chunk]}
        if chunk:
            body["paging"] = {"cursors": {"before": _cursor(start),
                                          "after": _cursor(start + len(chunk) - 1, last)}}
            if start + limit < len(items):
                body["paging"]["next"] = str(request.url.copy_set_param(
                    "after", _cursor(start + len(chunk) - 1, last)))
        return 200, body

    def single(self, params: dict[str, Any], obj: dict[str, Any],
               defaults: tuple[str, ...]) -> Answer:
        fields = parse_fields(str(params["fields"])) if params.get("fields") else None
        return 200, project(obj, fields, defaults)

    # -- routing ------------------------------------------------------------------------------

    def route(self, method: str, parts: list[str], params: dict[str, Any], account: Account,
              request: httpx.Request) -> Answer:
        """The messaging edges; subclasses add their own and call this last."""
        if len(parts) == 2 and parts[1] == "conversations" and method == "GET" and (
                parts[0] in account.owners or parts[0] == "me"):
            platform = params.get("platform") or self.platform
            convs = [] if platform != self.platform else sorted(
                account.conversations.values(), key=lambda c: (c.updated, c.id), reverse=True)
            nested = "messages" in (parse_fields(str(params["fields"]))
                                    if params.get("fields") else {})
            return self.listing(request, params, convs, ("id", "updated_time"),
                                render=lambda c: self._conversation_json(c, nested))
        if len(parts) == 2 and parts[1] == "messages" and method == "POST" and (
                parts[0] in account.owners or parts[0] == "me"):
            return self.send_message(account, params, f"POST /{parts[0]}/messages")
        found = self._conversations.get(parts[0]) if parts else None
        if found is not None and found[0] is account and method == "GET":
            conv = found[1]
            if len(parts) == 2 and parts[1] == "messages":
                return self.listing(request, params, conv.messages[::-1],
                                    ("id", "created_time"), render=self._message_json)
            if len(parts) == 1:
                nested = "messages" in (parse_fields(str(params["fields"]))
                                        if params.get("fields") else {})
                return self.single(params, self._conversation_json(conv, nested),
                                   ("id", "updated_time"))
        return self.unknown(parts[0] if parts else "", method.lower())

    # -- messaging state ------------------------------------------------------------------------

    def person(self, account: Account, person_id: str) -> dict[str, Any]:
        """The ``from``/``to`` object of a participant (FB: name; IG: username)."""
        name = account.name if person_id in account.owners else account.customers[person_id]
        return {"name": name, "email": f"{person_id}@facebook.com", "id": person_id}

    def conversation_id(self, account: Account, customer: str) -> str:
        return f"t_{numeric_id(account.id + ':' + customer, 17)}"

    def message_id(self) -> str:
        raw = f"sim-message-{next(self._seq)}".encode()
        return "m_" + base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:18]).decode()

    def conversation(self, account: Account, customer: str) -> Conversation:
        conv = account.conversations.get(customer)
        if conv is None:
            conv = Conversation(self.conversation_id(account, customer), customer)
            account.conversations[customer] = conv
            self._conversations[conv.id] = (account, conv)
        return conv

    def add_message(self, account: Account, customer: str, inbound: bool, text: str,
                    at: datetime) -> dict[str, Any]:
        conv = self.conversation(account, customer)
        sender, receiver = (customer, account.id) if inbound else (account.id, customer)
        message = {"id": self.message_id(), "created": at, "from": sender, "to": receiver,
                   "message": text, "account": account}
        conv.messages.append(message)
        conv.messages.sort(key=lambda m: m["created"])
        conv.updated = max(conv.updated or at, at)
        if inbound:
            conv.last_inbound = max(conv.last_inbound or at, at)
        return message

    def _message_json(self, message: dict[str, Any]) -> dict[str, Any]:
        account = message["account"]
        return {"id": message["id"], "created_time": graph_time(message["created"]),
                "from": self.person(account, message["from"]),
                "to": {"data": [self.person(account, message["to"])]},
                "message": message["message"]}

    def _conversation_json(self, conv: Conversation, nested: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": conv.id, "updated_time": graph_time(conv.updated or self.world.clock()),
            "message_count": len(conv.messages), "link": f"/{conv.id}"}
        if nested:  # ``messages{…}``: the newest 25, paged like the edge itself
            newest = conv.messages[::-1][:25]
            last = str(newest[-1]["id"]) if newest else ""
            messages: dict[str, Any] = {"data": [self._message_json(m) for m in newest]}
            if newest:
                messages["paging"] = {"cursors": {"before": _cursor(0),
                                                  "after": _cursor(len(newest) - 1, last)}}
                if len(conv.messages) > len(newest):
                    messages["paging"]["next"] = (
                        f"https://graph.facebook.com/v25.0/{conv.id}/messages"
                        f"?after={_cursor(len(newest) - 1, last)}")
            body["messages"] = messages
        return body

    def private_reply_target(self, account: Account, comment_id: str) -> tuple[str, str] | Answer:
        """(customer id, note) for a private reply to ``comment_id``, or an error answer."""
        del account
        return self.unknown(comment_id, "post")

    def send_message(self, account: Account, params: dict[str, Any], method: str) -> Answer:
        recipient = _json_param(params.get("recipient"))
        message = _json_param(params.get("message"))
        if not isinstance(recipient, dict) or not isinstance(message, dict):
            return self.fail(100, "(#100) param recipient and message must be objects")
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            return self.fail(100, "(#100) Param message[text] must be non-empty UTF-8 "
                             "encoded text")
        if len(text) > self.max_text:
            return self.fail(100, f"(#100) Param message[text] must be at most "
                             f"{self.max_text} characters long")
        now = whole_second(None, self.world.clock())
        if "comment_id" in recipient:
            target = self.private_reply_target(account, str(recipient["comment_id"]))
            if isinstance(target[0], int):
                return target
            customer = str(target[0])
            where = str(recipient["comment_id"])
        else:
            customer = str(recipient.get("id", ""))
            where = customer
            conv = account.conversations.get(customer)
            if conv is None:
                return self.fail(100, "(#100) No matching user found", 2018001)
            kind = params.get("messaging_type") or "RESPONSE"
            last = conv.last_inbound
            if kind in ("RESPONSE", "UPDATE"):
                allowed = last is not None and now - last < STANDARD_WINDOW
            elif kind == "MESSAGE_TAG":
                if params.get("tag") != "HUMAN_AGENT":
                    return self.fail(100, "(#100) Param tag must be one of {ACCOUNT_UPDATE, "
                                     "CONFIRMED_EVENT_UPDATE, HUMAN_AGENT, POST_PURCHASE_UPDATE}")
                allowed = last is not None and now - last < HUMAN_AGENT_WINDOW
            else:
                return self.fail(100, "(#100) Param messaging_type must be one of {RESPONSE, "
                                 "UPDATE, MESSAGE_TAG}")
            if not allowed:
                return self.fail(10, "(#10) This message is sent outside of allowed window.",
                                 self.window_subcode)
        sent = self.add_message(account, customer, False, text, now)
        self.world.record(Delivered(network=self.network, account=account.name, method=method,
                                    target=where, text=text, external_id=sent["id"], key=None,
                                    at=now))
        self.world.notify()
        return 200, {"recipient_id": customer, "message_id": sent["id"]}

    def deliveries(self, token: str) -> list[Delivered]:
        with self.world.lock:
            name = self.brand(token).name
            return [d for d in self.world.deliveries if d.network == self.network
                    and d.account == name]


def _cursor(offset: int, key: str = "") -> str:
    return base64.b64encode(f"sim:{offset}:{key}".encode()).decode()


def _key(item: Any) -> str:
    """The id an ``after`` cursor points at."""
    found = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
    return str(found) if found is not None else ""


def _json_param(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def token_of(request: httpx.Request) -> str:
    auth = str(request.headers.get("Authorization", ""))
    for scheme in ("Bearer ", "OAuth "):
        if auth.startswith(scheme):
            return auth[len(scheme):].strip()
    token = request.url.params.get("access_token")
    if token:
        return str(token)
    if request.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        try:
            form = dict(urllib.parse.parse_qsl(request.content.decode()))
        except UnicodeDecodeError:
            return ""
        return str(form.get("access_token", ""))
    return ""


def request_params(request: httpx.Request) -> dict[str, Any] | None:
    """Query parameters merged with a form or JSON body (None: unparseable body)."""
    params: dict[str, Any] = dict(request.url.params.items())
    kind = request.headers.get("Content-Type", "").split(";")[0].strip()
    raw = request.content
    if not raw:
        return params
    if kind == "application/json":
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(body, dict):
            return None
        params.update(body)
    else:
        try:
            params.update(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            return None
    return params
