"""Email's fast paths agree with the slow ones they stand in for.

Each optimisation in the email connector and its simulator keeps a general
path beside a quicker one for the common case; these tests hold the two
together, and check that the quick one is really taken (so none of them can
pass by never leaving the slow path):

* addresses: :func:`~smm_desk.connectors.email_parse.get_addresses` reads
  simple ``Name <a@b>`` / ``a@b`` values itself, else ``getaddresses``;
* dates: :func:`~smm_desk.connectors.email_parse.parse_date` reads the RFC
  5322 form itself, else ``parsedate_to_datetime``;
* the poll: with UIDNEXT at most a page above the cursor the connector
  fetches the UID range without a SEARCH (nothing at all when UIDNEXT has not
  moved); without UIDNEXT it searches — the same messages and cursors;
* the simulator's sequence sets are bisected, not tested message by message,
  and its answers are buffered and still all arrive.
"""

from __future__ import annotations

import email.utils
import imaplib
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.connectors.base import AccountConfig, FetchResult
from smm_desk.connectors.email import BATCH, Cursor, EmailConnector
from smm_desk.connectors.email_imap import ImapSession, Mailbox, uid_set
from smm_desk.connectors.email_parse import (
    _RFC5322_DATE,
    _SIMPLE_ADDRESS,
    get_addresses,
    parse_date,
)
from smm_desk.sim.email import EmailSim
from smm_desk.sim.email_servers import _pick
from smm_desk.sim.world import SimWorld
from tests.support.connector_kit import run

TOKEN = "mail-password-Zq8xW3"
ADDRESS = "support@acme.example"

# -- addresses ------------------------------------------------------------------------------

_word = st.text(st.sampled_from("aZ09.!#$%&'*+/=?^_`{|}~-éЖ\udce9"), min_size=1, max_size=6)
_atom = st.text(st.sampled_from("aZ09!#$%&'*+/=?^_`{|}~-éЖ"), min_size=1, max_size=6)
_dot_atom = st.lists(_atom, min_size=1, max_size=3).map(".".join)
_addr_spec = st.tuples(_dot_atom, _dot_atom).map("@".join)
_simple = st.one_of(
    _addr_spec,
    st.tuples(st.lists(_word, min_size=1, max_size=4).map(" ".join),
              st.sampled_from([" ", ""]), _addr_spec).map(lambda t: f"{t[0]}{t[1]}<{t[2]}>"),
)
#: Near misses: simple values with something a parser reads differently mixed in.
_odd = st.tuples(_simple, st.integers(0, 40), st.sampled_from(
    [" ", "  ", ".", "..", ",", ";", ":", "@", "<", ">", "(c)", '"', "\\", "[", "]", "\t",
     "\r\n ", "\x00", "\x7f", "\xa0", ""])).map(lambda t: t[0][:t[1]] + t[2] + t[0][t[1]:])


#: The same shapes built from any characters, specials and spaces included.
_any = st.text(st.sampled_from("aZ0.é \t,;:@<>()\"\\[]\x00\x1c\x7f\x85\xa0\u2003\udce9"),
               min_size=1,
               max_size=5)
_shaped = st.one_of(
    st.tuples(_any, _any).map("@".join),
    st.tuples(_any, _any, _any).map(lambda t: f"{t[0]} <{t[1]}@{t[2]}>"),
)


@settings(max_examples=600, deadline=None)
@given(values=st.lists(st.one_of(_simple, _odd, _shaped), max_size=3))
def test_simple_addresses_read_as_getaddresses_reads_them(values: list[str]) -> None:
    assert get_addresses(values) == email.utils.getaddresses(values)


@settings(max_examples=200, deadline=None)
@given(value=_simple)
def test_the_address_fast_path_is_taken_for_simple_values(value: str) -> None:
    assert _SIMPLE_ADDRESS.fullmatch(value) is not None
    assert get_addresses([value]) == email.utils.getaddresses([value])


def test_typical_senders_take_the_fast_path() -> None:
    for value in ("Customer 5000000 <customer.5000000.5000000@customers.example>",
                  "support@acme.example", "=?utf-8?q?Ren=C3=A9e?= <renee@b.example>",
                  "J. Smith <j.smith@b.example>"):
        assert _SIMPLE_ADDRESS.fullmatch(value), value


# -- dates ----------------------------------------------------------------------------------

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_rfc_date = st.builds(
    lambda wd, d, m, y, hh, mm, ss, sign, oh, om: (
        f"{wd}{d} {m} {y} {hh:02d}:{mm:02d}:{ss:02d} {sign}{oh:02d}{om:02d}"),
    st.sampled_from(["", "Sun, ", "Mon, ", "Fri, "]),
    st.sampled_from(["1", "01", "7", "28", "29", "30", "31", "0", "00", "32", "99"]),
    st.sampled_from(_MONTHS), st.integers(1000, 9999),
    st.integers(0, 99), st.integers(0, 99), st.integers(0, 99),
    st.sampled_from("+-"), st.integers(0, 99), st.integers(0, 99))
_odd_date = st.tuples(_rfc_date, st.integers(0, 40), st.sampled_from(
    [" ", ",", "-", ":", "0", "x", "GMT", " (UTC)", "nov", "\t"])).map(
    lambda t: t[0][:t[1]] + t[2] + t[0][t[1]:])


@settings(max_examples=500, deadline=None)
@given(value=st.one_of(_rfc_date, _odd_date))
def test_rfc5322_dates_read_as_parsedate_reads_them(value: str) -> None:
    assert parse_date(value) == parse_date(value, fast=False)


@settings(max_examples=200, deadline=None)
@given(value=_rfc_date)
def test_the_date_fast_path_is_taken_for_rfc5322_dates(value: str) -> None:
    assert _RFC5322_DATE.fullmatch(value) is not None
    assert parse_date(value) == parse_date(value, fast=False)


def test_date_examples() -> None:
    assert parse_date("Sun, 22 Nov 2026 12:50:54 +0300") == datetime(2026, 11, 22, 9, 50, 54,
                                                                     tzinfo=UTC)
    assert parse_date("22 Nov 2026 12:50:54 -0000") == datetime(2026, 11, 22, 12, 50, 54,
                                                                tzinfo=UTC)
    assert parse_date("31 Feb 2026 12:00:00 +0000") is None
    assert parse_date("1 Jan 2026 00:00:00 +9999") is None


# -- sequence sets ------------------------------------------------------------------------------

def _naive_in_set(spec: str, value: int, top: int) -> bool:
    """RFC 3501 §9 membership, one piece at a time (the simulator's old test)."""
    for piece in spec.split(","):
        if ":" in piece:
            a, b = piece.split(":", 1)
            lo, hi = (top if a == "*" else int(a)), (top if b == "*" else int(b))
            if min(lo, hi) <= value <= max(lo, hi):
                return True
        elif (top if piece == "*" else int(piece)) == value:
            return True
    return False


_number = st.one_of(st.integers(1, 60).map(str), st.just("*"))
_piece = st.one_of(_number, st.tuples(_number, _number).map(":".join))
_spec = st.lists(_piece, min_size=1, max_size=5).map(",".join)


@settings(max_examples=400, deadline=None)
@given(spec=_spec, keys=st.sets(st.integers(1, 60), max_size=40).map(sorted))
def test_sequence_sets_pick_what_membership_says(spec: str, keys: list[int]) -> None:
    top = keys[-1] if keys else 0
    assert _pick(spec, keys) == [
        i for i, key in enumerate(keys) if _naive_in_set(spec, key, top)]


@settings(max_examples=200, deadline=None)
@given(uids=st.sets(st.integers(1, 200), max_size=60).map(sorted))
def test_uid_sets_are_sent_as_ranges_and_mean_the_same_uids(uids: list[int]) -> None:
    spec = uid_set(uids)
    if not uids:
        assert spec == ""
        return
    assert _pick(spec, range(1, 201)) == [u - 1 for u in uids]
    assert spec.count(",") == sum(1 for a, b in zip(uids, uids[1:], strict=False) if b != a + 1)


def test_uid_set_examples() -> None:
    assert uid_set([1, 2, 3, 5, 7, 8]) == "1:3,5,7:8"
    assert uid_set([4]) == "4"


# -- the poll -----------------------------------------------------------------------------------

@pytest.fixture
def sim() -> Iterator[EmailSim]:
    world = SimWorld()
    handler = EmailSim(world)
    world.add(handler)
    handler.add_account(TOKEN, ADDRESS)
    with handler:
        yield handler


def connector(sim: EmailSim) -> EmailConnector:
    return EmailConnector(AccountConfig(1, "email", ADDRESS, None, sim.account_options(TOKEN)),
                          TOKEN, timeout=3.0)


def _commands(sim: EmailSim) -> list[str]:
    with sim.world.lock:
        points = [point for _, kind, point in sim.world.requests if kind == "IMAP"]
        sim.world.requests.clear()
    return points


def test_a_steady_poll_fetches_the_new_uids_without_a_search(sim: EmailSim) -> None:
    async def go() -> None:
        conn = connector(sim)
        try:
            start = await conn.fetch("inbox", None, wait=0)
            _commands(sim)
            idle = await conn.fetch("inbox", start.cursor, wait=0)
            assert idle.messages == [] and idle.cursor is None
            assert _commands(sim) == ["imap/SELECT"]  # UIDNEXT has not moved: nothing else
            new = [sim.inject_dm(TOKEN, str(i), "C", f"m{i}", None) for i in range(3)]
            page = await conn.fetch("inbox", start.cursor, wait=0)
            assert [m.external_id for m in page.messages] == new and not page.more
            assert _commands(sim) == ["imap/SELECT", "imap/FETCH"]
            many = [sim.inject_dm(TOKEN, str(i), "C", f"n{i}", None) for i in range(BATCH + 1)]
            big = await conn.fetch("inbox", page.cursor, wait=0)
            assert big.more and [m.external_id for m in big.messages] == many[:BATCH]
            assert _commands(sim) == ["imap/SELECT", "imap/SEARCH", "imap/FETCH"]
        finally:
            await conn.aclose()
    run(go())


class _NoUidNext(EmailConnector):
    """A connector whose server gives no UIDNEXT in EXAMINE: the SEARCH path."""

    def _fetch_sync(self, session: ImapSession, folder: str, cursor: Cursor | None,
                    first_run: int) -> FetchResult:
        examine = session.examine

        def without(name: str) -> Mailbox:
            box = examine(name)
            return replace(box, uidnext=None) if cursor is not None else box

        session.examine = without  # type: ignore[assignment]
        try:
            return super()._fetch_sync(session, folder, cursor, first_run)
        finally:
            del session.examine


_step = st.one_of(st.tuples(st.just("add"), st.integers(1, BATCH + 8)),
                  st.tuples(st.just("drop"), st.integers(0, 200)),
                  st.tuples(st.just("poll"), st.just(0)))
_boxes = iter(range(1_000_000))


@pytest.fixture(scope="module")
def shared_sim() -> Iterator[EmailSim]:
    world = SimWorld()
    handler = EmailSim(world)
    world.add(handler)
    with handler:
        yield handler


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_step, min_size=1, max_size=8))
def test_the_range_fetch_and_the_search_agree(shared_sim: EmailSim,
                                              steps: list[tuple[str, int]]) -> None:
    sim, box = shared_sim, next(_boxes)
    token, address = f"{TOKEN}-{box}", f"box{box}@acme.example"
    sim.add_account(token, address)
    account = AccountConfig(1, "email", address, None, sim.account_options(token))
    count = iter(range(10_000))

    async def go() -> None:
        fast = EmailConnector(account, token, timeout=3.0)
        slow = _NoUidNext(account, token, timeout=3.0)
        try:
            cursor = (await fast.fetch("inbox", None, wait=0)).cursor
            for kind, n in [*steps, ("poll", 0)]:
                if kind == "add":
                    for _ in range(n):
                        i = next(count)
                        sim.deliver(token, (
                            f"From: C{i % 7} <c{i % 7}@b.example>\r\nTo: {address}\r\n"
                            f"Message-ID: <m{i}.{box}@b.example>\r\n"
                            f"In-Reply-To: <m{i - 1}.{box}@b.example>\r\n\r\nm{i}\r\n").encode())
                elif kind == "drop":  # an expunge: UIDs get gaps
                    with sim.world.lock:
                        messages = sim.boxes[token].folders["INBOX"].messages
                        if messages:
                            del messages[n % len(messages)]
                else:
                    more = True
                    while more:
                        a = await fast.fetch("inbox", cursor, wait=0)
                        b = await slow.fetch("inbox", cursor, wait=0)
                        assert a == b
                        cursor = a.cursor or cursor
                        more = a.more
        finally:
            await fast.aclose()
            await slow.aclose()
    run(go())


# -- the simulator's buffered answers ------------------------------------------------------------

def test_buffered_answers_arrive_before_the_server_closes(sim: EmailSim) -> None:
    with socket.create_connection(("127.0.0.1", sim.imap_port), timeout=3) as sock:
        sock.sendall(b"a1 CAPABILITY\r\na2 LOGOUT\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"* OK")
    assert b"a1 OK CAPABILITY" in data and data.endswith(b"* BYE logging out\r\na2 OK LOGOUT "
                                                         b"completed\r\n")


def test_a_page_of_messages_comes_in_one_fetch_answer(sim: EmailSim) -> None:
    ids = [sim.inject_dm(TOKEN, str(i), "C", f"m{i}", None) for i in range(5)]
    imap = imaplib.IMAP4("127.0.0.1", sim.imap_port, timeout=3)
    try:
        imap.login(ADDRESS, TOKEN)
        imap.select("INBOX", readonly=True)
        typ, data = imap.uid("FETCH", "2:4,1", "(UID BODY.PEEK[])")
        assert typ == "OK"
        bodies = [item[1] for item in data if isinstance(item, tuple)]
        assert len(bodies) == 4  # in mailbox order, whatever the order asked
        assert all(f"<{ids[k]}>".encode() in body for k, body in enumerate(bodies))
        typ, data = imap.uid("SEARCH", "UID", "3:*", "2:4")
        assert (typ, data) == ("OK", [b"3 4"])
    finally:
        imap.logout()
