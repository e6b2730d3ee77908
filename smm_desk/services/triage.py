"""``TriageService``: the queue service with triage over many cases at once.

Keyboard triage acts on the whole selection: route, assign, resolve or mark as
spam every selected case. Each case is still its own store transaction, so each
gets its own event in its log (who routed it, when) exactly as if it had been
done one by one; the service then announces the batch **once**, with every
touched id in one :class:`~smm_desk.services.queue.QueueChange`, so the window
refreshes once rather than once per case.

A case that fails (gone meanwhile, unknown department) does not stop the
others: the ones that succeeded are announced, and :class:`BulkError` names the
ones that did not, with the store's one-line reason.

It is a :class:`QueueService` itself, so the composition root builds one of
these and hands it to everything that wants the queue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from smm_desk.domain.enums import CaseStatus
from smm_desk.services.queue import QueueChange, QueueService

_VERBS = {"routed": "route", "assigned": "assign", "resolved": "resolve",
          "spam": "mark as spam"}


class BulkError(Exception):
    """Some cases of a bulk action failed; ``failures`` maps case id -> reason."""

    def __init__(self, verb: str, failures: dict[int, str]) -> None:
        self.verb = verb
        self.failures = failures
        first_id, first = next(iter(failures.items()))
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        super().__init__(f"could not {verb} case {first_id}: {first}{more}")


class TriageService(QueueService):
    """:class:`QueueService` plus ``*_many`` triage over a selection."""

    def route_many(self, case_ids: Sequence[int], department: str | int, actor: str) -> str:
        """Route every case; returns the department's name."""
        names: list[str] = []
        self._each("routed", case_ids, actor,
                   lambda cid: names.append(self._store.route(cid, department, actor)))
        return names[0] if names else str(department)

    def assign_many(self, case_ids: Sequence[int], agent: str | None, actor: str) -> None:
        self._each("assigned", case_ids, actor, lambda cid: self._store.assign(cid, agent, actor))

    def resolve_many(self, case_ids: Sequence[int], actor: str) -> None:
        self._each("resolved", case_ids, actor,
                   lambda cid: self._store.set_status(cid, CaseStatus.RESOLVED, actor))

    def spam_many(self, case_ids: Sequence[int], actor: str) -> None:
        self._each("spam", case_ids, actor,
                   lambda cid: self._store.set_status(cid, CaseStatus.SPAM, actor))

    def _each(self, kind: str, case_ids: Sequence[int], actor: str,
              act: Callable[[int], object]) -> None:
        done: list[int] = []
        failures: dict[int, str] = {}
        for case_id in dict.fromkeys(case_ids):  # once each, in the given order
            try:
                act(case_id)
            except Exception as exc:  # one bad case must not stop the rest
                failures[case_id] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            else:
                done.append(case_id)
        if done:
            self.changed.emit(QueueChange(kind, tuple(done), actor))
        if failures:
            raise BulkError(_VERBS[kind], failures)
