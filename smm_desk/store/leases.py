"""Which desk polls an account: a lease in the shared database.

Every desk of a team runs a sync engine over one PostgreSQL database (and a
desk may run beside a headless ``smm-desk sync`` on one SQLite file). Polling is
what must not happen twice: each poller spends the account's API budget, and
Telegram refuses a second long poll on one bot (409). So before it polls an
account a desk takes or renews the account's lease; while another desk holds
an unexpired lease, it skips the account. A desk that stops releases its
leases; one that dies leaves them to expire. Delivering replies needs no lease:
a reply's claim is its own lock (outbox.claim).

One statement decides each step, on both engines: renew or take over an
expired lease with a conditional UPDATE, else take a free account with
``INSERT … ON CONFLICT DO NOTHING``; the row count says who has it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from smm_desk.store.bulk import db_time, run

_RENEW = ("UPDATE poll_leases SET holder = ?, expires_at = ? "
          "WHERE account_id = ? AND (holder = ? OR expires_at < ?)")
_TAKE = ("INSERT INTO poll_leases (account_id, holder, expires_at) VALUES (?, ?, ?) "
         "ON CONFLICT (account_id) DO NOTHING")


def take(session: Session, account_id: int, holder: str, now: datetime,
         ttl: timedelta) -> bool:
    """Take or renew ``account_id``'s lease for ``holder`` until ``now + ttl``;
    False while another holder's lease runs."""
    until, at = db_time(session, now + ttl), db_time(session, now)
    renewed = session.connection().exec_driver_sql(
        _sql(session, _RENEW), (holder, until, account_id, holder, at))
    if renewed.rowcount == 1:
        return True
    taken = session.connection().exec_driver_sql(
        _sql(session, _TAKE), (account_id, holder, until))
    return taken.rowcount == 1


def release(session: Session, holder: str) -> None:
    """Give up every lease ``holder`` has (a desk that stops)."""
    run(session, "DELETE FROM poll_leases WHERE holder = ?", (holder,))


def holder_of(session: Session, account_id: int, now: datetime) -> str | None:
    """Who polls ``account_id`` now (None: nobody's lease runs)."""
    rows = run(session, "SELECT holder FROM poll_leases WHERE account_id = ? AND expires_at >= ?",
               (account_id, db_time(session, now)))
    return str(rows[0][0]) if rows else None


def live_holders(session: Session, now: datetime) -> set[str]:
    """Every holder with a lease still running."""
    return {str(row[0]) for row in run(
        session, "SELECT DISTINCT holder FROM poll_leases WHERE expires_at >= ?",
        (db_time(session, now),))}


def _sql(session: Session, text: str) -> str:
    return text if session.get_bind().dialect.name == "sqlite" else text.replace("?", "%s")
