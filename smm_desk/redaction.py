"""Every secret this process knows, and one function that removes them from text.

A process-wide registry of secret values (tokens, refresh tokens, client
secrets, app passwords). It is fed wherever a secret enters the process:

* :mod:`smm_desk.secrets` — every value read from or written to the keyring;
* :class:`smm_desk.connectors.http.Redactor` — every secret a connector's HTTP
  client is told about (its token at construction, ``HttpClient.add_secret``
  for tokens obtained mid-session, the sync engine's own redactor).

and read by the log files' filter (:mod:`smm_desk.app.logs`) and the crash
dialog (:mod:`smm_desk.app.crash`), so a secret that reaches a log record, a
traceback or an exception message is replaced with ``***`` before anything is
written or shown. Values are kept only in this process's memory.

Like the connectors' own redactor, a secret is also removed in its
URL-encoded forms (a token in a query string or a form body), and values
shorter than ``MIN_LENGTH`` are ignored: replacing them would garble ordinary
text without protecting anything.

No dependencies beyond the standard library, so every layer may use it.
"""

from __future__ import annotations

import threading
import urllib.parse

#: Shorter values are not treated as secrets.
MIN_LENGTH = 4
MASK = "***"

_lock = threading.Lock()
#: Every form of every secret, longest first (a secret containing another goes whole).
_forms: tuple[str, ...] = ()
_values: set[str] = set()


def forms_of(secret: str) -> set[str]:
    """The secret as written, and as URL-encoding would write it."""
    return {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}


def remember(secret: str | None) -> None:
    """Treat ``secret`` as a secret from now on (thread-safe, idempotent)."""
    global _forms
    if not secret or len(secret) < MIN_LENGTH:
        return
    with _lock:
        if secret in _values:
            return
        _values.add(secret)
        _forms = tuple(sorted(set(_forms) | forms_of(secret), key=len, reverse=True))


def redact(text: object) -> str:
    """``text`` as a string with every known secret replaced by ``***``."""
    value = str(text)
    for form in _forms:  # a snapshot: the tuple is replaced, never changed
        if form in value:
            value = value.replace(form, MASK)
    return value


def known() -> int:
    """How many secrets the process knows (diagnostics and tests)."""
    return len(_values)
