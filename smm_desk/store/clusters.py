"""Recording duplicate/flood clusters and crisis alerts (the rules are pure:
:mod:`smm_desk.domain.clusters`).

**Scanning.** Each case is examined once, when it is new: its last inbound
text is fingerprinted (normalised text, LSH band keys, negative tone) into a
``case_fingerprints`` row. New cases are found above a watermark (the highest
examined case id, less :data:`SLACK` so that a case whose id was handed out
before a concurrent one but committed after it is still found), so a scan
with nothing new costs two indexed look-ups, and one with new cases reads only
the fingerprints within the window around them. On the very first scan, cases
older than :data:`FIRST_SCAN_HORIZON` are noted without fingerprints, so
opening a large old workspace does not fingerprint its history.

Limits, on purpose: a case is fingerprinted with the text it has when first
seen (a DM conversation that turns angry later is not re-examined), and two
existing clusters are never merged (a text like both joins the closer one).

**Events.** Joining a cluster appends a ``clustered`` event to the case; a
crisis appends one ``crisis_alert`` event to every case it names, each
carrying the whole alert (its key, times, case ids and networks), so the
alert is in every case's history and the latest one is one indexed read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from smm_desk.domain.clusters import (
    CLUSTERED_EVENT,
    CRISIS_ALERT_EVENT,
    DEFAULT_CRISIS_THRESHOLD,
    DEFAULT_CRISIS_WINDOW,
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW,
    ClusterView,
    CrisisAlertView,
    Item,
    Spike,
    examine,
    find_spikes,
    match_new,
)
from smm_desk.domain.enums import CaseStatus
from smm_desk.store.bulk import insert_many, update_rows
from smm_desk.store.errors import NotFound
from smm_desk.store.models import Base, Case, CaseFingerprint, Cluster, Event
from smm_desk.store.queue_filter import OPEN_STATUSES
from smm_desk.store.sla_state import chunks

FINGERPRINTS = Base.metadata.tables["case_fingerprints"]

#: Cases below the watermark still looked at (ids committed out of order).
SLACK = 500
#: New cases examined per scan at most (the rest wait for the next scan).
BATCH = 2000
#: On the first scan, older cases are only noted, not fingerprinted.
FIRST_SCAN_HORIZON = timedelta(hours=2)
#: Unclustered fingerprints older than this are deleted.
KEEP_UNCLUSTERED = timedelta(hours=6)
#: Clusters whose last member is older than this are no longer listed.
CURRENT_FOR = timedelta(days=2)
#: How far back a crisis check looks for a spike it has not reported (a desk
#: that was closed during a storm still hears of it).
CRISIS_LOOKBACK = timedelta(hours=1)
ACTOR = "clusters"


# -- scanning ---------------------------------------------------------------------------


def _examine_new(
    session: Session, now: datetime, negative_terms: Sequence[str]
) -> list[tuple[Item, str]]:
    """Fingerprint the cases not examined yet; returns the new items with their texts."""
    watermark = session.scalar(select(func.max(CaseFingerprint.case_id)))
    first_scan = watermark is None
    horizon = now - FIRST_SCAN_HORIZON
    when = func.coalesce(Case.last_inbound_at, Case.opened_at)
    if watermark is None:
        start = session.scalar(select(func.min(Case.id)).where(when >= horizon))
        if start is None:
            start = session.scalar(select(func.max(Case.id)))
        if start is None:
            return []
        # Note the older cases within the slack too, or the next scan would
        # fingerprint them as if they were new.
        low = start - 1 - SLACK
    else:
        low = watermark - SLACK
    rows = session.execute(
        select(Case.id, when, Case.status, Case.last_inbound_text)
        .outerjoin(CaseFingerprint, CaseFingerprint.case_id == Case.id)
        .where(Case.id > low, CaseFingerprint.case_id.is_(None))
        .order_by(Case.id)
        .limit(BATCH)
    ).all()
    records: list[dict[str, Any]] = []
    items: list[tuple[Item, str]] = []
    for case_id, at, status, text in rows:
        closed = status not in OPEN_STATUSES
        if closed or (first_scan and at < horizon):
            records.append({"case_id": case_id, "cluster_id": None, "at": at, "text_key": "",
                            "bands": [], "negative": False})
            continue
        found = examine(text or "", negative_terms)
        records.append({"case_id": case_id, "cluster_id": None, "at": at,
                        "text_key": found.key, "bands": list(found.bands),
                        "negative": found.negative})
        items.append((Item(case_id, at, found.key, found.bands), text or ""))
    insert_many(session, FINGERPRINTS, records)
    if records:
        top = records[-1]["case_id"]
        session.execute(
            delete(CaseFingerprint).where(
                CaseFingerprint.cluster_id.is_(None),
                CaseFingerprint.at < now - KEEP_UNCLUSTERED,
                CaseFingerprint.case_id < top - SLACK,
            )
        )
    return items


def scan(
    session: Session, now: datetime, window: timedelta, threshold: float,
    negative_terms: Sequence[str] = (),
) -> list[int]:
    """Examine new cases and place them in clusters; returns the ids of the
    clusters that formed or grew."""
    new = _examine_new(session, now, negative_terms)
    placeable = [(item, text) for item, text in new if item.key]
    if not placeable:
        return []
    new_ids = {item.id for item, _ in placeable}
    low = min(item.at for item, _ in placeable) - window
    high = max(item.at for item, _ in placeable) + window
    existing = [
        Item(case_id, at, key, tuple(bands or ()), cluster_id)
        for case_id, at, key, bands, cluster_id in session.execute(
            select(CaseFingerprint.case_id, CaseFingerprint.at, CaseFingerprint.text_key,
                   CaseFingerprint.bands, CaseFingerprint.cluster_id)
            .where(CaseFingerprint.at >= low, CaseFingerprint.at <= high,
                   CaseFingerprint.text_key != "")
        )
        if case_id not in new_ids
    ]
    matches = match_new(existing, [item for item, _ in placeable], threshold, window)
    if not matches:
        return []
    cluster_of: dict[int, int | None] = {item.id: item.cluster for item in existing}
    at_of = {item.id: item.at for item in existing}
    at_of.update({item.id: item.at for item, _ in placeable})
    texts = {item.id: text for item, text in placeable}
    clusters: dict[int, Cluster] = {}
    joined: list[tuple[int, int]] = []  # (cluster id, case id)
    for match in matches:
        cluster_id = cluster_of.get(match.of)
        if cluster_id is None:
            sample = texts.get(match.of)
            if sample is None:
                sample = session.scalar(select(Case.last_inbound_text)
                                        .where(Case.id == match.of)) or ""
            cluster = Cluster(created_at=now, first_at=at_of[match.of],
                              last_at=at_of[match.of], sample_text=sample)
            session.add(cluster)
            session.flush()
            cluster_id = cluster.id
            clusters[cluster_id] = cluster
            cluster_of[match.of] = cluster_id
            joined.append((cluster_id, match.of))
            _event(session, match.of, now, cluster_id, match.id, match.similarity)
        cluster_of[match.id] = cluster_id
        joined.append((cluster_id, match.id))
        _event(session, match.id, now, cluster_id, match.of, match.similarity)
        grown = clusters.get(cluster_id) or session.get(Cluster, cluster_id)
        if grown is not None:
            clusters[cluster_id] = grown
            at = at_of[match.id]
            grown.first_at = min(grown.first_at, at)
            grown.last_at = max(grown.last_at, at)
    update_rows(session, FINGERPRINTS, ["cluster_id"], joined, key="case_id")
    session.flush()
    return list(dict.fromkeys(cluster_id for cluster_id, _ in joined))


def _event(session: Session, case_id: int, now: datetime, cluster_id: int, other: int,
           score: float) -> None:
    session.add(Event(case_id=case_id, at=now, kind=CLUSTERED_EVENT, actor=ACTOR,
                      data={"cluster_id": cluster_id, "matched_case_id": other,
                            "similarity": round(score, 3)}))


# -- reading ----------------------------------------------------------------------------


def list_clusters(
    session: Session, now: datetime, ids: Sequence[int] | None = None,
    include_closed: bool = False,
) -> list[ClusterView]:
    """Clusters as the panel lists them: the given ids, or every current one
    (a member in the last :data:`CURRENT_FOR`) with a case still open; the most
    open cases first, then the latest."""
    stmt = select(Cluster)
    if ids is not None:
        stmt = stmt.where(Cluster.id.in_(list(ids)))
    else:
        stmt = stmt.where(Cluster.last_at >= now - CURRENT_FOR)
    found = {c.id: c for c in session.scalars(stmt)}
    if not found:
        return []
    counts: dict[int, list[int]] = {}
    networks: dict[int, set[str]] = {}
    accounts: dict[int, set[int]] = {}
    for part in chunks(list(found)):
        for cluster_id, status, network, account_id in session.execute(
            select(CaseFingerprint.cluster_id, Case.status, Case.network, Case.account_id)
            .join(Case, Case.id == CaseFingerprint.case_id)
            .where(CaseFingerprint.cluster_id.in_(part))
        ):
            if cluster_id is None:
                continue
            entry = counts.setdefault(cluster_id, [0, 0])
            entry[0] += 1
            if status in OPEN_STATUSES:
                entry[1] += 1
            networks.setdefault(cluster_id, set()).add(network)
            accounts.setdefault(cluster_id, set()).add(account_id)
    views = [
        ClusterView(
            id=c.id, size=counts.get(c.id, [0, 0])[0], open_count=counts.get(c.id, [0, 0])[1],
            networks=tuple(sorted(networks.get(c.id, ()))), accounts=len(accounts.get(c.id, ())),
            sample_text=c.sample_text, first_at=c.first_at, last_at=c.last_at,
        )
        for c in found.values()
    ]
    if ids is None and not include_closed:
        views = [v for v in views if v.open_count > 0 and v.size > 1]
    views.sort(key=lambda v: (-v.open_count, -v.last_at.timestamp(), -v.id))
    return views


def member_ids(session: Session, cluster_id: int, open_only: bool = False) -> list[int]:
    """Case ids of a cluster, oldest first; only cases still owed work with ``open_only``."""
    if session.get(Cluster, cluster_id) is None:
        raise NotFound(f"no cluster {cluster_id}")
    stmt = (
        select(Case.id).join(CaseFingerprint, CaseFingerprint.case_id == Case.id)
        .where(CaseFingerprint.cluster_id == cluster_id)
        .order_by(CaseFingerprint.at, Case.id)
    )
    if open_only:
        stmt = stmt.where(Case.status.in_(OPEN_STATUSES))
    return list(session.scalars(stmt))


# -- crisis -----------------------------------------------------------------------------


def latest_alert(session: Session) -> CrisisAlertView | None:
    """The most recently recorded crisis alert, if any."""
    data = session.scalars(
        select(Event.data).where(Event.kind == CRISIS_ALERT_EVENT)
        .order_by(Event.at.desc(), Event.id.desc()).limit(1)
    ).first()
    return _alert_from(data) if data else None


def _alert_from(data: dict[str, Any]) -> CrisisAlertView:
    return CrisisAlertView(
        key=str(data["key"]),
        at=datetime.fromisoformat(data["alert_at"]),
        started_at=datetime.fromisoformat(data["started_at"]),
        detected_at=datetime.fromisoformat(data["detected_at"]),
        case_ids=tuple(int(i) for i in data["case_ids"]),
        networks=tuple(str(n) for n in data["networks"]),
        threshold=int(data["threshold"]),
        window=timedelta(seconds=float(data["window_s"])),
    )


def check_crisis(
    session: Session, now: datetime, threshold: int, window: timedelta, lookback: timedelta,
) -> CrisisAlertView | None:
    """Record each new spike of negative cases once; returns the newest new
    alert, or None. Call after :func:`scan` (which judges the tone of new cases)."""
    previous = latest_alert(session)
    quiet_until = previous.at + previous.window if previous is not None else None
    since = now - max(lookback, window)
    if quiet_until is not None:
        since = max(since, quiet_until)
    points = session.execute(
        select(CaseFingerprint.case_id, CaseFingerprint.at)
        .join(Case, Case.id == CaseFingerprint.case_id)
        .where(CaseFingerprint.at >= since, CaseFingerprint.negative.is_(True),
               Case.status != CaseStatus.SPAM.value)
    ).all()
    spikes = find_spikes([(c, a) for c, a in points], threshold, window, quiet_until)
    alert = None
    for spike in spikes:
        alert = _record(session, now, spike, threshold, window)
    return alert


def _record(session: Session, now: datetime, spike: Spike, threshold: int,
            window: timedelta) -> CrisisAlertView:
    networks = sorted(set(session.scalars(
        select(Case.network).where(Case.id.in_(list(spike.case_ids)))
    )))
    data = {
        "key": f"crisis:{spike.at.isoformat()}:{spike.case_ids[0]}",
        "alert_at": spike.at.isoformat(), "started_at": spike.started_at.isoformat(),
        "detected_at": now.isoformat(), "case_ids": list(spike.case_ids),
        "networks": networks, "threshold": threshold, "window_s": window.total_seconds(),
    }
    session.add_all(
        Event(case_id=case_id, at=now, kind=CRISIS_ALERT_EVENT, actor=ACTOR, data=data)
        for case_id in spike.case_ids
    )
    session.flush()
    return _alert_from(data)


__all__ = [
    "DEFAULT_CRISIS_THRESHOLD",
    "DEFAULT_CRISIS_WINDOW",
    "DEFAULT_THRESHOLD",
    "DEFAULT_WINDOW",
    "CRISIS_LOOKBACK",
    "ClusterView",
    "CrisisAlertView",
    "check_crisis",
    "latest_alert",
    "list_clusters",
    "member_ids",
    "scan",
]
