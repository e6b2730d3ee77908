"""What the crash dialog shows and answers, apart from the dialog itself.

The crash handler (``smm_desk.app.crash``) is installed with the desk's first
window; the dialog's widgets (``crash_dialog``) are imported only when a crash
needs them, not at every start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONTINUE, QUIT = "continue", "quit"
#: What became of the reply being written when the crash came.
DRAFT_KEPT, DRAFT_NOT_SAVED = "kept", "not_saved"


@dataclass(frozen=True)
class CrashInfo:
    """What the dialog shows; every string already free of secrets."""

    summary: str  #: one line: the exception's type and message
    details: str  #: the traceback
    log_file: Path | None
    draft: str = DRAFT_KEPT
    draft_problem: str = ""  #: why the draft could not be saved (DRAFT_NOT_SAVED)
    fatal: bool = False
