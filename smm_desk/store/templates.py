"""What the case view needs from the store beyond the case itself: reply
templates, drafts, and a cheap "has this case changed?" stamp.

* Templates are canned replies with ``{customer}``, ``{agent}`` and
  ``{department}`` placeholders (filled by the case service, not here).
* A draft is the reply being written in a case. Saving an empty draft deletes
  it, and :func:`delete_draft` runs in the same transaction that queues the
  reply, so a queued reply never leaves its draft behind to be sent twice.
* :func:`case_stamp` is what the open case view polls about once a second: a
  handful of indexed look-ups (the case row, the newest event and message ids,
  the state of each of the case's replies). When the stamp changes, the view
  reads the whole case again; when it does not, nothing else is read.

The views (``TemplateView``, ``CaseStamp``) live in ``smm_desk.domain.views``
with the others.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smm_desk.domain.views import CaseStamp as CaseStamp  # re-exported
from smm_desk.domain.views import TemplateView as TemplateView
from smm_desk.store.errors import NotFound
from smm_desk.store.models import Case, Department, Draft, Event, Message, Reply, Template

_TEMPLATES = (
    select(Template, Department.name)
    .outerjoin(Department, Department.id == Template.department_id)
    .order_by(Template.id)
)


def list_templates(session: Session) -> list[TemplateView]:
    return [TemplateView(t.id, t.name, t.body, dept) for t, dept in session.execute(_TEMPLATES)]


def get_template(session: Session, template_id: int) -> TemplateView:
    row = session.execute(_TEMPLATES.where(Template.id == template_id)).first()
    if row is None:
        raise NotFound(f"no template {template_id}")
    template, dept = row
    return TemplateView(template.id, template.name, template.body, dept)


def save_draft(session: Session, case_id: int, text: str, now: datetime) -> None:
    """Store ``text`` as the case's draft, exactly as typed; blank text deletes it."""
    if not text.strip():
        delete_draft(session, case_id)
        return
    if session.get(Case, case_id) is None:
        raise NotFound(f"no case {case_id}")
    draft = session.get(Draft, case_id)
    if draft is None:
        session.add(Draft(case_id=case_id, text=text, updated_at=now))
    else:
        draft.text = text
        draft.updated_at = now


def load_draft(session: Session, case_id: int) -> str:
    draft = session.get(Draft, case_id)
    return draft.text if draft is not None else ""


def delete_draft(session: Session, case_id: int) -> None:
    draft = session.get(Draft, case_id)
    if draft is not None:
        session.delete(draft)


def case_stamp(session: Session, case_id: int) -> CaseStamp:
    last_event = select(func.max(Event.id)).where(Event.case_id == case_id).scalar_subquery()
    last_message = (
        select(func.max(Message.id)).where(Message.case_id == case_id).scalar_subquery()
    )
    row = session.execute(
        select(Case.updated_at, Case.status, last_event, last_message).where(Case.id == case_id)
    ).first()
    if row is None:
        raise NotFound(f"no case {case_id}")
    replies = session.execute(
        select(Reply.id, Reply.state, Reply.attempts, Reply.error)
        .where(Reply.case_id == case_id)
        .order_by(Reply.composed_at, Reply.id)
    )
    return CaseStamp(
        updated_at=row[0], status=row[1], last_event_id=row[2] or 0,
        last_message_id=row[3] or 0,
        replies=tuple((r.id, r.state, r.attempts, r.error) for r in replies),
    )
