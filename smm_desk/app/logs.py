"""Log files: one rotating file per kind of process, secrets masked, set up once.

Every subsystem logs under its own name below ``smm_desk`` — ``smm_desk.sync``
(the engine and the sync service), ``smm_desk.http`` (every request, at DEBUG),
``smm_desk.outbox``, ``smm_desk.handoff``, ``smm_desk.store``,
``smm_desk.settings``, ``smm_desk.ui``, ``smm_desk.app`` (start, stop, crashes),
``smm_desk.cli`` and ``smm_desk.connectors.<network>`` — so a line in the file
says where it came from. :func:`configure` (the command line's ``main`` calls it
for every command, the desktop app and the demo included) puts one handler on
the root logger, so warnings of the libraries underneath (asyncio, qasync,
httpx) land in the same file:

* **Where**: ``<data dir>/logs`` — the ``--data-dir`` directory, else the
  directory of the SQLite database, else the user data directory
  (platformdirs); ``SMM_DESK_LOG_DIR`` overrides. The desktop app writes
  ``desk.log``, the command line ``cli.log``: a headless ``sync`` worker and the
  app never rotate each other's file (the demo writes ``demo.log``). The
  directory and the file are made at the first line (a ``queue`` or ``report``
  run that logs nothing creates nothing); a directory that cannot be written
  means no log file, never a failed command.
* **Rotation**: 1 MB a file, the current one and four old ones (``desk.log.1``
  … ``.4``). Files are created with mode 0600 (the directory 0700): they name
  customers.
* **Level**: INFO for ``smm_desk``, WARNING for everything else;
  ``SMM_DESK_LOG_LEVEL=DEBUG`` shows every request (URLs redacted).
* **Secrets**: :class:`RedactingFilter` on the handler masks every secret the
  process knows (:mod:`smm_desk.redaction`) in the message, its arguments, the
  traceback and the stack, before the line is formatted.

Nothing here imports Qt: the command line uses it without a display.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smm_desk import redaction
from smm_desk.store.location import default_data_dir, sqlite_file

LOG_DIR_NAME = "logs"
MAX_BYTES = 1_000_000
#: Old files kept beside the current one (five files in all).
BACKUP_COUNT = 4
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
#: The loggers of the subsystems (for the documentation and the tests).
SUBSYSTEMS = ("smm_desk.sync", "smm_desk.http", "smm_desk.outbox", "smm_desk.handoff",
              "smm_desk.store", "smm_desk.settings", "smm_desk.ui", "smm_desk.app",
              "smm_desk.cli", "smm_desk.connectors")

log = logging.getLogger("smm_desk.app")


def log_dir(db: str | None = None, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the log files go for a process run with ``--db`` / ``--data-dir``."""
    override = os.environ.get("SMM_DESK_LOG_DIR")
    if override:
        return Path(override)
    if data_dir:
        return Path(data_dir) / LOG_DIR_NAME
    database = sqlite_file(db) if db else None
    if database:
        return Path(database).expanduser().resolve().parent / LOG_DIR_NAME
    return default_data_dir() / LOG_DIR_NAME


class RedactingFilter(logging.Filter):
    """Masks every known secret in a record (message, traceback, stack) in place.

    Runs before the formatter: the message is rendered with its arguments,
    masked and stored back with no arguments left, and the traceback is
    rendered now (the formatter reuses ``exc_text``) and masked."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the line
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = redaction.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redaction.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redaction.redact(record.stack_info)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files (and directory) are its owner's only,
    made at the first line written."""

    def _open(self):  # type: ignore[no-untyped-def]  # typeshed: TextIOWrapper
        os.makedirs(os.path.dirname(self.baseFilename), mode=0o700, exist_ok=True)
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115


_handler: PrivateRotatingFileHandler | None = None
_levels: tuple[int, int] | None = None  # the root's and smm_desk's levels before configure


def _level() -> int:
    name = os.environ.get("SMM_DESK_LOG_LEVEL", "").strip().upper()
    value = logging.getLevelName(name) if name else logging.INFO
    return value if isinstance(value, int) else logging.INFO


def _writable(directory: Path) -> bool:
    """Whether ``directory`` exists and is writable, or could be made (its nearest
    existing ancestor is a writable directory). Nothing is created here."""
    existing = directory.absolute()
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    return existing.is_dir() and os.access(existing, os.W_OK)


def configure(directory: Path, kind: str = "cli") -> Path | None:
    """Log to ``<directory>/<kind>.log`` (see the module doc); returns the file,
    or None when the directory cannot be written (the process goes on without
    a log file rather than failing). Calling it again with another directory
    moves the log there; with the same one it changes nothing."""
    global _handler, _levels
    path = directory / f"{kind}.log"
    if _handler is not None and Path(_handler.baseFilename) == path.absolute():
        return path
    if not _writable(directory):
        return None
    handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                         encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    root, ours = logging.getLogger(), logging.getLogger("smm_desk")
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    else:
        _levels = (root.level, ours.level)
    root.addHandler(handler)
    level = _level()
    root.setLevel(logging.WARNING if level >= logging.INFO else level)
    ours.setLevel(level)
    _handler = handler
    return path


def shutdown() -> None:
    """Flush and close the log file and restore the loggers' levels (the end of
    ``main``; tests that call ``main`` many times leave nothing open)."""
    global _handler, _levels
    handler, _handler = _handler, None
    if handler is None:
        return
    logging.getLogger().removeHandler(handler)
    handler.close()
    if _levels is not None:
        logging.getLogger().setLevel(_levels[0])
        logging.getLogger("smm_desk").setLevel(_levels[1])
        _levels = None


@contextmanager
def logging_to(directory: Path, kind: str = "cli") -> Iterator[Path | None]:
    """:func:`configure` for the duration of a command, then :func:`shutdown`."""
    path = configure(directory, kind)
    try:
        yield path
    finally:
        shutdown()


def current_file() -> Path | None:
    """The log file lines go to now (None: no file)."""
    return Path(_handler.baseFilename) if _handler is not None else None


def flush() -> None:
    """Write out what is buffered (before a crash dialog, or an abort)."""
    if _handler is not None:
        _handler.flush()
