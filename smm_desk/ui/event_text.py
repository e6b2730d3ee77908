"""How the case view words what happened to a case (its events), one line each.

Kept apart from the widgets in :mod:`smm_desk.ui.case_view` so the wording of
every event kind is in one place and testable without a window. Strings use the
translation context ``CaseView`` (they were first written there, and the
translations stay keyed by it).

Three clocks leave alerts in the log: the response clock (``sla_warning`` /
``sla_breached`` with its target), the resolution clock
(``resolution_warning`` / ``resolution_breached``) and a department's clock
while the case waits on it (``department_warning`` / ``department_breached``,
naming the department). A handoff that could not be delivered is
``handoff_failed``; older databases logged it as ``reply_failed``, told apart
here by the outbox entry's kind (``handoffs``: the ids of the case's handoffs).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from smm_desk.domain.views import EventView
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, translate
from smm_desk.ui.plain_text import display_text, isolate
from smm_desk.ui.queue_model import priority_name

__all__ = ["KIND_NAMES", "STATUS_NAMES", "TARGET_NAMES", "describe_event", "kind_name",
           "status_name"]

# English names (translated where shown, context "CaseView").
KIND_NAMES = {"dm": QT_TRANSLATE_NOOP("CaseView", "Direct message"),
              "comment": QT_TRANSLATE_NOOP("CaseView", "Comment"),
              "mention": QT_TRANSLATE_NOOP("CaseView", "Mention"),
              "review": QT_TRANSLATE_NOOP("CaseView", "Review"),
              "reply": QT_TRANSLATE_NOOP("CaseView", "Reply")}
STATUS_NAMES = {"new": QT_TRANSLATE_NOOP("CaseView", "New"),
                "open": QT_TRANSLATE_NOOP("CaseView", "Open"),
                "waiting_department": QT_TRANSLATE_NOOP("CaseView", "Waiting on department"),
                "waiting_customer": QT_TRANSLATE_NOOP("CaseView", "Waiting on customer"),
                "resolved": QT_TRANSLATE_NOOP("CaseView", "Resolved"),
                "spam": QT_TRANSLATE_NOOP("CaseView", "Spam")}
TARGET_NAMES = {"first_response": QT_TRANSLATE_NOOP("CaseView", "first response"),
                "next_response": QT_TRANSLATE_NOOP("CaseView", "next response"),
                "resolution": QT_TRANSLATE_NOOP("CaseView", "resolution")}
_ACTORS = {"sync": QT_TRANSLATE_NOOP("CaseView", "automatically"),
           "sla": QT_TRANSLATE_NOOP("CaseView", "the SLA clock"),
           "": QT_TRANSLATE_NOOP("CaseView", "someone")}


def _tr(text: str) -> str:
    return translate("CaseView", text)


def kind_name(kind: str) -> str:
    return _tr(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def status_name(value: object) -> str:
    text = str(value or "")
    return _tr(STATUS_NAMES[text]) if text in STATUS_NAMES else text.replace("_", " ")


def _who(actor: str) -> str:
    if actor in _ACTORS:
        return _tr(_ACTORS[actor])
    return translate("CaseView", "by {name}").format(name=isolate(actor))


def _department(data: Mapping[str, Any], departments: Mapping[str, str] | None = None) -> str:
    name = data.get("department")
    if not name and departments is not None:
        name = departments.get(str(data.get("reply_id") or data.get("handoff_id") or ""))
    return isolate(str(name)) if name else translate("CaseView", "the department")


def handoff_failed_text(data: Mapping[str, Any],
                        departments: Mapping[str, str] | None = None) -> str:
    return translate("CaseView", "The handoff to {department} failed: {error}").format(
        department=_department(data, departments),
        error=display_text(str(data.get("error", ""))).replace("\n", " "))


def describe_event(event: EventView, now: datetime | None = None,
                   handoffs: Collection[str] = (),
                   departments: Mapping[str, str] | None = None) -> str | None:
    """One line for an event in the thread, or ``None`` for events the thread
    already shows another way (ingested messages, queued and delivered replies).

    ``handoffs``: ids of the case's handoff outbox entries; ``departments``:
    handoff id -> department name where known (both for events that do not
    name the department themselves)."""
    data: dict[str, Any] = event.data
    kind = event.kind
    if kind in ("ingested", "reply_queued", "reply_sent"):
        return None
    if kind == "routed":
        dept = isolate(str(data.get("department", "?")))
        rule = data.get("rule")
        how = (translate("CaseView", "by rule “{rule}”").format(rule=isolate(str(rule)))
               if rule else _who(event.actor))
        return translate("CaseView", "Routed to {department} {how}").format(department=dept,
                                                                          how=how)
    if kind == "assigned":
        if data.get("assignee"):
            return translate("CaseView", "Assigned to {assignee} {who}").format(
                assignee=isolate(str(data["assignee"])), who=_who(event.actor))
        return translate("CaseView", "Unassigned {who}").format(who=_who(event.actor))
    if kind == "status_changed":
        reason = f" ({isolate(str(data['reason']))})" if data.get("reason") else ""
        return translate("CaseView", "Status {old} → {new} {who}").format(
            old=status_name(data.get("from")), new=status_name(data.get("to")),
            who=_who(event.actor)) + reason
    if kind == "priority_changed":
        return translate("CaseView", "Priority {old} → {new} {who}").format(
            old=priority_name(str(data.get("previous", "?"))).lower(),
            new=priority_name(str(data.get("priority", "?"))).lower(), who=_who(event.actor))
    if kind == "note":
        return translate("CaseView", "Note {who}: {text}").format(
            who=_who(event.actor), text=display_text(str(data.get("text", ""))))
    if kind == "handoff_failed" or (kind == "reply_failed"
                                    and str(data.get("reply_id")) in handoffs):
        return handoff_failed_text(data, departments)
    if kind == "reply_failed":
        return translate("CaseView", "A reply failed: {error}").format(
            error=display_text(str(data.get("error", ""))))
    if kind == "reply_uncertain":
        return translate("CaseView", "A reply may not have gone out: {reason} — check before "
                         "resending").format(reason=display_text(str(data.get("reason", ""))))
    if kind in ("sla_warning", "sla_breached"):
        key = str(data.get("target"))
        target = _tr(TARGET_NAMES.get(key, QT_TRANSLATE_NOOP("CaseView", "response")))
        if kind == "sla_warning":
            return translate("CaseView", "SLA warning: {target} due soon").format(target=target)
        return translate("CaseView", "SLA breached: {target} overdue").format(target=target)
    if kind == "resolution_warning":
        return translate("CaseView", "SLA warning: {target} due soon").format(
            target=_tr(TARGET_NAMES["resolution"]))
    if kind == "resolution_breached":
        return translate("CaseView", "SLA breached: {target} overdue").format(
            target=_tr(TARGET_NAMES["resolution"]))
    if kind == "department_warning":
        return translate("CaseView", "Department SLA warning: {department} should answer the "
                         "handoff soon").format(department=_department(data, departments))
    if kind == "department_breached":
        return translate("CaseView", "Department SLA breached: {department} has not answered "
                         "the handoff in time").format(
            department=_department(data, departments))
    if kind == "handoff_sent":
        department = data.get("department")
        return translate("CaseView", "Handed off to {department}").format(
            department=isolate(str(department)) if department is not None
            else translate("CaseView", "the department"))
    if kind == "tagged":
        return translate("CaseView", "Tagged {tags} {who}").format(
            tags=isolate(str(data.get("tags", ""))), who=_who(event.actor))
    return f"{kind.replace('_', ' ').capitalize()} {_who(event.actor)}"
