"""The email simulator's SMTP receiver (RFC 5321): ``EHLO``/``HELO``, ``AUTH
PLAIN`` (with or without an initial response) and ``AUTH LOGIN``, ``MAIL``,
``RCPT``, ``DATA`` (dot unstuffing), ``RSET``, ``NOOP``, ``QUIT``. Mail is
accepted only after AUTH; each accepted message is handed to the simulator,
which records it. Served by :class:`smm_desk.sim.email_servers.Servers`; its
fault points are described there.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from smm_desk.sim.email_socket import _Base, _Closed

if TYPE_CHECKING:
    from smm_desk.sim.email import SimMailbox

class SmtpHandler(_Base):
    def handle(self) -> None:
        self.box: SimMailbox | None = None
        self.auth_refused = False
        self.sender: str | None = None
        self.recipients: list[str] = []
        try:
            fault = self.fault("smtp/CONNECT")
            if fault is not None:
                code = 421 if fault.kind == "rate_limit" else fault.status
                self.send(f"{code} 4.3.2 simulated failure, closing\r\n")
                return
            self.send("220 sim.example ESMTP SMM Desk simulator\r\n")
            while True:
                line = self.readline(10_000)
                if not line:
                    return
                if not self._command(line.decode("utf-8", "replace").rstrip("\r\n")):
                    return
        except (_Closed, OSError):
            return

    def _command(self, line: str) -> bool:
        verb, _, rest = line.partition(" ")
        verb = verb.upper()
        if verb == "EHLO":
            self.send("250-sim.example\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n"
                      "250 ENHANCEDSTATUSCODES\r\n")
        elif verb == "HELO":
            self.send("250 sim.example\r\n")
        elif verb == "AUTH":
            self._auth(rest.split())
        elif verb == "MAIL":
            fault = self.fault("smtp/MAIL")
            if self.box is None:
                self.send("530 5.7.0 Authentication required\r\n")
            elif fault is not None:
                self.send("451 4.7.0 Too many messages, slow down\r\n" if fault.kind ==
                          "rate_limit" else f"{fault.status} simulated failure\r\n")
            else:
                self.sender = rest.partition(":")[2].strip().strip("<>")
                self.recipients = []
                self.send("250 2.1.0 Ok\r\n")
        elif verb == "RCPT":
            if self.sender is None:
                self.send("503 5.5.1 Need MAIL first\r\n")
            else:
                self.recipients.append(rest.partition(":")[2].strip().strip("<>"))
                self.send("250 2.1.5 Ok\r\n")
        elif verb == "DATA":
            return self._data()
        elif verb == "RSET":
            self.sender, self.recipients = None, []
            self.send("250 2.0.0 Ok\r\n")
        elif verb == "NOOP":
            self.send("250 2.0.0 Ok\r\n")
        elif verb == "QUIT":
            self.send("221 2.0.0 Bye\r\n")
            return False
        else:
            self.send("502 5.5.2 Command not recognized\r\n")
        return True

    def _auth(self, words: list[str]) -> None:
        mechanism = words[0].upper() if words else ""
        try:
            if mechanism == "PLAIN":
                if len(words) > 1:
                    answer = words[1]
                else:
                    self.send("334 \r\n")
                    answer = self.readline(10_000).decode("ascii", "replace").strip()
                _, user, password = base64.b64decode(answer).decode("utf-8").split("\0", 2)
            elif mechanism == "LOGIN":
                self.send("334 VXNlcm5hbWU6\r\n")
                user = base64.b64decode(self.readline(10_000).strip()).decode("utf-8")
                self.send("334 UGFzc3dvcmQ6\r\n")
                password = base64.b64decode(self.readline(10_000).strip()).decode("utf-8")
            else:
                self.send("504 5.5.4 Unrecognized authentication type\r\n")
                return
        except (binascii.Error, ValueError):
            self.send("501 5.5.2 Cannot decode response\r\n")
            return
        fault = self.fault("smtp/AUTH")
        if fault is not None and fault.kind == "auth":
            self.auth_refused = True  # the whole session: smtplib tries the next mechanism
        elif fault is not None:
            self.send(f"{fault.status} simulated failure\r\n")
            return
        box = None if self.auth_refused else self.sim.login(user, password)
        if box is None:
            self.send("535 5.7.8 Error: authentication failed\r\n")
            return
        self.box = box
        self.send("235 2.7.0 Authentication successful\r\n")

    def _data(self) -> bool:
        if self.box is None or self.sender is None or not self.recipients:
            self.send("503 5.5.1 Need MAIL and RCPT first\r\n")
            return True
        fault = self.fault("smtp/DATA")
        if fault is not None and fault.kind != "after":
            code = 451 if fault.kind == "rate_limit" else fault.status
            self.send(f"{code} simulated failure\r\n")
            return True
        self.send("354 End data with <CR><LF>.<CR><LF>\r\n")
        lines: list[bytes] = []
        while True:
            line = self.readline(1_000_000)
            if not line:
                return False
            if line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        queued = self.sim.accept_smtp(self.box, self.sender, list(self.recipients),
                                      b"".join(lines))
        self.sender, self.recipients = None, []
        if fault is not None:  # "after": sent, but the client never hears so
            return False
        self.send(f"250 2.0.0 Ok: queued as {queued}\r\n")
        return True
