#!/usr/bin/env bash
# Run a command next to a throwaway Dovecot (IMAP + LMTP) for the email tests.
#
#   scripts/mail_throwaway.sh [--] COMMAND [ARGS...]
#   scripts/mail_throwaway.sh bash          # a shell with the server up
#
# Starts Dovecot with its own configuration in a temp dir: IMAP and LMTP on
# 127.0.0.1 (free ports), no TLS, plain/login auth allowed (loopback only),
# users in a passwd-file, maildirs under the temp dir, logs in the temp dir.
# Exports
#
#   SMM_DESK_TEST_IMAP=127.0.0.1:PORT        IMAP (plain text, loopback)
#   SMM_DESK_TEST_LMTP=127.0.0.1:PORT        LMTP: delivery into the mailboxes
#   SMM_DESK_TEST_MAIL_PASSWD=FILE           the passwd-file: users `support`,
#                                            `customer` and a pool `box001`…`box300`
#                                            ($SMM_DESK_TEST_MAIL_POOL) for tests
#                                            that want empty mailboxes
#   SMM_DESK_TEST_MAIL_PASSWORD=…            their password (random)
#   SMM_DESK_TEST_MAIL_DOMAIN=acme.test      addresses are NAME@acme.test
#   SMM_DESK_TEST_MAIL_DIR=DIR               the temp dir (dovecot.log is there)
#
# runs COMMAND, then stops Dovecot and deletes the dir, whatever COMMAND did
# (also on Ctrl-C / TERM). Exits with COMMAND's status.
#
# Dovecot runs "rootless": the whole server as one unprivileged user. As root
# that is the `smmdesk-mail` system user, created here if missing
# ($SMM_DESK_MAIL_USER overrides); otherwise the calling user. Binary:
# $SMM_DESK_DOVECOT, else `dovecot` on PATH or /usr/sbin/dovecot. Not found: as
# root with apt, `apt-get install dovecot-imapd dovecot-lmtpd` (services are
# not started by the install); otherwise COMMAND runs without the variables and
# the tests that need the server skip, saying what to install (under CI they
# fail instead). SMM_DESK_TEST_NO_MAIL=1 runs COMMAND without a server.
set -euo pipefail
# shellcheck source=scripts/_venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"

[[ "${1:-}" == "--" ]] && shift
[[ $# -gt 0 ]] || { echo "usage: $0 [--] COMMAND [ARGS...]" >&2; exit 2; }

if [[ "${SMM_DESK_TEST_NO_MAIL:-}" == 1 ]]; then
    smm_log "SMM_DESK_TEST_NO_MAIL=1: not starting Dovecot"
    exec "$@"
fi

_mail_find_dovecot() {
    local d
    for d in "${SMM_DESK_DOVECOT:-}" "$(command -v dovecot 2>/dev/null || true)" /usr/sbin/dovecot; do
        [[ -n "$d" && -x "$d" ]] && { echo "$d"; return 0; }
    done
    return 1
}

_mail_have_lmtp() {  # the lmtp service binary sits next to imap in Dovecot's libexec dir
    local libexec
    libexec="$("$1" -c /dev/null config -h libexec_dir 2>/dev/null || true)"
    [[ -z "$libexec" ]] && libexec=/usr/lib/dovecot
    [[ -x "$libexec/lmtp" && -x "$libexec/imap" ]]
}

_mail_install() {
    smm_is_root && smm_have apt-get || return 1
    # A fresh install must not leave a system Dovecot running on ports 143/993:
    # forbid service starts for the duration (unless the machine already says).
    local policy=/usr/sbin/policy-rc.d made=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\n# smm-desk mail_throwaway.sh: no service starts during install\nexit 101\n' \
            >"$policy"
        chmod 755 "$policy"
        made=1
    fi
    local rc=0
    (smm_apt_install dovecot-imapd dovecot-lmtpd) || rc=$?
    [[ "$made" == 1 ]] && rm -f "$policy"
    return "$rc"
}

DOVECOT="$(_mail_find_dovecot || true)"
if [[ -z "$DOVECOT" ]] || ! _mail_have_lmtp "$DOVECOT"; then
    _mail_install || true
    DOVECOT="$(_mail_find_dovecot || true)"
fi
if [[ -z "$DOVECOT" ]] || ! _mail_have_lmtp "$DOVECOT"; then
    smm_log "Dovecot (IMAP + LMTP) not found: the email server tests will skip." \
        "Install it (Debian/Ubuntu: apt-get install dovecot-imapd dovecot-lmtpd) or set SMM_DESK_DOVECOT."
    export SMM_DESK_TEST_MAIL_MISSING="Dovecot not installed (apt-get install dovecot-imapd dovecot-lmtpd)"
    exec "$@"
fi

# ------------------------------------------------------------ who runs the server
MAIL_USER=""
if smm_is_root; then
    MAIL_USER="${SMM_DESK_MAIL_USER:-smmdesk-mail}"
    if ! getent passwd "$MAIL_USER" >/dev/null; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$MAIL_USER" \
            || smm_die "could not create system user $MAIL_USER to run Dovecot"
    fi
fi
RUN_USER="${MAIL_USER:-$(id -un)}"
RUN_UID="$(id -u "$RUN_USER")"
RUN_GID="$(id -g "$RUN_USER")"
RUN_GROUP="$(id -gn "$RUN_USER")"

as_mail() {
    if [[ -z "$MAIL_USER" ]]; then
        "$@"
    elif smm_have runuser; then
        runuser -u "$MAIL_USER" -- "$@"
    else
        su -s /bin/sh "$MAIL_USER" -c "$(printf '%q ' "$@")"
    fi
}

# ------------------------------------------------------------------ the server
if [[ -n "$MAIL_USER" ]]; then base=/tmp; else base="${TMPDIR:-/tmp}"; fi
MAIL_DIR="$(mktemp -d "$base/smm-mail.XXXXXX")"
CONF="$MAIL_DIR/dovecot.conf"

_mail_stop() {
    local pid
    pid="$(cat "$MAIL_DIR/run/master.pid" 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
}

_mail_cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    _mail_stop
    rm -rf "$MAIL_DIR"
    exit "$rc"
}
trap _mail_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$MAIL_DIR/run" "$MAIL_DIR/state" "$MAIL_DIR/home"
PASSWORD="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
PASSWD="$MAIL_DIR/passwd"
# Dovecot re-reads a changed passwd-file only once its mtime moves (whole
# seconds), so users are made up front: tests take fresh ones from this pool.
{
    printf '%s\n' "support:{PLAIN}$PASSWORD::::::" "customer:{PLAIN}$PASSWORD::::::"
    for i in $(seq -w 1 "${SMM_DESK_TEST_MAIL_POOL:-300}"); do
        printf '%s\n' "box$i:{PLAIN}$PASSWORD::::::"
    done
} >"$PASSWD"

_mail_free_port() {
    local py
    py="$(smm_find_python)" || py=python3
    "$py" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

_mail_write_conf() {
    cat >"$CONF" <<EOF
# smm-desk throwaway test server (scripts/mail_throwaway.sh); deleted afterwards.
base_dir = $MAIL_DIR/run
state_dir = $MAIL_DIR/state
log_path = $MAIL_DIR/dovecot.log
info_log_path = $MAIL_DIR/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
# Loopback only and throwaway: let LOGIN and AUTHENTICATE PLAIN work without TLS.
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_username_format = %Ln
default_internal_user = $RUN_USER
default_internal_group = $RUN_GROUP
default_login_user = $RUN_USER
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
mail_fsync = never
lda_mailbox_autocreate = yes
recipient_delimiter = +
passdb {
  driver = passwd-file
  args = scheme=PLAIN $PASSWD
}
userdb {
  driver = static
  args = uid=$RUN_UID gid=$RUN_GID home=$MAIL_DIR/home/%u
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
}
service imap-login {
  chroot =
  user = $RUN_USER
  inet_listener imap {
    address = 127.0.0.1
    port = $1
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $2
  }
  unix_listener lmtp {
    mode = 0600
  }
}
service anvil {
  chroot =
}
service stats {
  chroot =
}
EOF
}

t0=$(date +%s.%N)
[[ -n "$MAIL_USER" ]] && chown -R "$MAIL_USER:" "$MAIL_DIR"
chmod 700 "$MAIL_DIR"

IMAP_PORT="" LMTP_PORT=""
for attempt in 1 2 3; do
    imap="$(_mail_free_port)"
    lmtp="$(_mail_free_port)"
    [[ "$imap" == "$lmtp" ]] && continue
    _mail_write_conf "$imap" "$lmtp"
    [[ -n "$MAIL_USER" ]] && chown "$MAIL_USER:" "$CONF"
    if (cd "$MAIL_DIR" && as_mail "$DOVECOT" -c "$CONF") >"$MAIL_DIR/start.log" 2>&1; then
        up=0
        for _ in $(seq 100); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$imap") 2>/dev/null \
                    && (exec 3<>"/dev/tcp/127.0.0.1/$lmtp") 2>/dev/null; then
                up=1; break
            fi
            sleep 0.1
        done
        if [[ "$up" == 1 ]]; then IMAP_PORT="$imap"; LMTP_PORT="$lmtp"; break; fi
    fi
    _mail_stop
    smm_log "Dovecot did not start on ports $imap/$lmtp (attempt $attempt)"
done
if [[ -z "$IMAP_PORT" ]]; then
    cat "$MAIL_DIR/start.log" "$MAIL_DIR/dovecot.log" >&2 2>/dev/null || true
    smm_die "could not start the throwaway Dovecot ($DOVECOT)"
fi

export SMM_DESK_TEST_IMAP="127.0.0.1:$IMAP_PORT"
export SMM_DESK_TEST_LMTP="127.0.0.1:$LMTP_PORT"
export SMM_DESK_TEST_MAIL_PASSWD="$PASSWD"
export SMM_DESK_TEST_MAIL_PASSWORD="$PASSWORD"
export SMM_DESK_TEST_MAIL_DOMAIN=acme.test
export SMM_DESK_TEST_MAIL_DIR="$MAIL_DIR"
smm_log "Dovecot $("$DOVECOT" --version | awk '{print $1}') up: IMAP $SMM_DESK_TEST_IMAP, LMTP $SMM_DESK_TEST_LMTP in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')s (as $RUN_USER, $MAIL_DIR)"

set +e
"$@"
rc=$?
set -e
exit "$rc"
