"""App services: the QObjects the UI talks to instead of the store.

A service wraps the :class:`~smm_desk.store.api.Store` (injected, never global),
hands out plain views from :mod:`smm_desk.domain.views`, and announces every
mutation it performs with one typed ``changed`` signal (STYLE.md rule 4), so
each view decides for itself whether to refresh. Services may import the store
and the domain, never the UI.
"""
