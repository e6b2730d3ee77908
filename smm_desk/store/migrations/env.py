"""Alembic environment: always run with a connection handed in by
``smm_desk.store.database.upgrade`` (the app migrates on open; there is no
alembic.ini to point at a database by hand)."""

from __future__ import annotations

from alembic import context

from smm_desk.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded use only
    raise RuntimeError("run migrations through smm_desk.store.database.upgrade()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
