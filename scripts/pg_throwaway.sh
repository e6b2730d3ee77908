#!/usr/bin/env bash
# Run a command next to a throwaway PostgreSQL server.
#
#   scripts/pg_throwaway.sh [--] COMMAND [ARGS...]
#   scripts/pg_throwaway.sh bash          # a shell with the server up
#
# Starts a fresh cluster in a temp dir (trust auth, superuser `smm`, database
# `smm_test`, listening on 127.0.0.1 on a free port, unix socket inside the temp
# dir, fsync/full_page_writes/synchronous_commit off), exports
#
#   SMM_DESK_TEST_PG_URL=postgresql+psycopg://smm@127.0.0.1:PORT/smm_test
#
# runs COMMAND, then stops the server and deletes the dir, whatever COMMAND did
# (also on Ctrl-C / TERM). Exits with COMMAND's status.
#
# Binaries: $SMM_DESK_PG_BINDIR, `pg_config --bindir`, the newest
# /usr/lib/postgresql/*/bin, then initdb on PATH. None found: as root with apt,
# `apt-get install postgresql` (without creating/starting Debian's own "main"
# cluster); otherwise it fails saying what to install.
# PostgreSQL refuses to run as root: as root the server runs as the `postgres`
# system user if it exists, else as a `smmdesk-pg` system user created here
# ($SMM_DESK_PG_USER overrides; created if missing).
set -euo pipefail
# shellcheck source=scripts/_venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"

[[ "${1:-}" == "--" ]] && shift
[[ $# -gt 0 ]] || { echo "usage: $0 [--] COMMAND [ARGS...]" >&2; exit 2; }

_pg_bindir_ok() { [[ -n "$1" && -x "$1/initdb" && -x "$1/pg_ctl" && -x "$1/postgres" ]]; }

smm_pg_find_bindir() {
    local d
    if [[ -n "${SMM_DESK_PG_BINDIR:-}" ]]; then
        echo "$SMM_DESK_PG_BINDIR"; return 0
    fi
    if smm_have pg_config; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        _pg_bindir_ok "$d" && { echo "$d"; return 0; }
    fi
    while read -r d; do
        _pg_bindir_ok "$d" && { echo "$d"; return 0; }
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
    if d="$(command -v initdb 2>/dev/null)"; then
        d="$(dirname "$(readlink -f "$d")")"
        _pg_bindir_ok "$d" && { echo "$d"; return 0; }
    fi
    return 1
}

_pg_install() {
    if ! smm_is_root || ! smm_have apt-get; then
        smm_die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found. Install PostgreSQL
  (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql),
  or point SMM_DESK_PG_BINDIR at its bin dir, or set SMM_DESK_TEST_NO_PG=1 to skip PostgreSQL tests."
    fi
    # We only need the binaries: keep Debian from creating and starting a
    # permanent "main" cluster on port 5432 when the package is first installed.
    if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
        mkdir -p /etc/postgresql-common/createcluster.d
        printf '%s\n' "# Written by smm-desk scripts/pg_throwaway.sh: it runs its own throwaway" \
            "# clusters and needs no permanent one. Delete this file to get the default." \
            "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/50-smm-desk.conf
    fi
    smm_apt_install postgresql
}

if [[ -n "${SMM_DESK_PG_BINDIR:-}" ]] && ! _pg_bindir_ok "$SMM_DESK_PG_BINDIR"; then
    smm_die "SMM_DESK_PG_BINDIR=$SMM_DESK_PG_BINDIR has no initdb/pg_ctl/postgres"
fi
PG_BINDIR="$(smm_pg_find_bindir)" || { _pg_install; PG_BINDIR="$(smm_pg_find_bindir)" \
    || smm_die "PostgreSQL installed but initdb/pg_ctl/postgres still not found"; }

# ------------------------------------------------------------ who runs the server
PG_USER=""
if smm_is_root; then
    PG_USER="${SMM_DESK_PG_USER:-}"
    if [[ -z "$PG_USER" ]]; then
        if getent passwd postgres >/dev/null; then PG_USER=postgres; else PG_USER=smmdesk-pg; fi
    fi
    if ! getent passwd "$PG_USER" >/dev/null; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$PG_USER" \
            || smm_die "could not create system user $PG_USER to run PostgreSQL (it refuses to run as root)"
    fi
fi

as_pg() {  # run a command as the server's user (cwd must be readable by it)
    if [[ -z "$PG_USER" ]]; then
        "$@"
    elif smm_have runuser; then
        runuser -u "$PG_USER" -- "$@"
    else
        su -s /bin/sh "$PG_USER" -c "$(printf '%q ' "$@")"
    fi
}

# ------------------------------------------------------------------ the cluster
if [[ -n "$PG_USER" ]]; then base=/tmp; else base="${TMPDIR:-/tmp}"; fi
PG_DIR="$(mktemp -d "$base/smm-pg.XXXXXX")"
PG_DATA="$PG_DIR/data"

_pg_cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [[ -f "$PG_DATA/postmaster.pid" ]]; then
        (cd "$PG_DIR" && as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 -s stop) \
            >/dev/null 2>&1 || true
        local pid
        pid="$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
        if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
            # pg_ctl starts the postmaster in its own session: take the whole group.
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$PG_DIR"
    exit "$rc"
}
trap _pg_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

[[ -n "$PG_USER" ]] && chown "$PG_USER:" "$PG_DIR"
chmod 700 "$PG_DIR"

_pg_free_port() {
    local py
    py="$(smm_find_python)" || py=python3
    "$py" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

_pg_initdb() {
    local locale
    for locale in C.UTF-8 C; do
        rm -rf "$PG_DATA"
        if (cd "$PG_DIR" && as_pg "$PG_BINDIR/initdb" -D "$PG_DATA" -A trust -U smm -E UTF8 \
                --locale="$locale" --no-sync) >"$PG_DIR/initdb.log" 2>&1; then
            return 0
        fi
    done
    cat "$PG_DIR/initdb.log" >&2
    smm_die "initdb failed (binaries: $PG_BINDIR, user: ${PG_USER:-$(id -un)})"
}

t0=$(date +%s.%N)
_pg_initdb
cp "$PG_DATA/postgresql.conf" "$PG_DIR/postgresql.conf.orig"

PG_PORT=""
for attempt in 1 2 3; do
    port="$(_pg_free_port)"
    cat "$PG_DIR/postgresql.conf.orig" - >"$PG_DATA/postgresql.conf" <<EOF

# --- smm-desk throwaway test server ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PG_DIR'
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 200
EOF
    if (cd "$PG_DIR" && as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/server.log" \
            -w -t 60 -s start) >"$PG_DIR/pg_ctl.log" 2>&1; then
        PG_PORT="$port"
        break
    fi
    # Most likely the port was taken between picking and binding; try another.
    (cd "$PG_DIR" && as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m immediate -s stop) >/dev/null 2>&1 || true
    smm_log "PostgreSQL did not start on port $port (attempt $attempt)"
done
if [[ -z "$PG_PORT" ]]; then
    cat "$PG_DIR/pg_ctl.log" "$PG_DIR/server.log" >&2 2>/dev/null || true
    smm_die "could not start the throwaway PostgreSQL server ($PG_BINDIR)"
fi

if [[ -x "$PG_BINDIR/createdb" ]]; then
    (cd "$PG_DIR" && as_pg "$PG_BINDIR/createdb" -h 127.0.0.1 -p "$PG_PORT" -U smm smm_test) \
        || smm_die "createdb smm_test failed"
else
    (cd "$PG_DIR" && as_pg "$PG_BINDIR/psql" -h 127.0.0.1 -p "$PG_PORT" -U smm -d postgres \
        -qc 'CREATE DATABASE smm_test') || smm_die "CREATE DATABASE smm_test failed"
fi

export SMM_DESK_TEST_PG_URL="postgresql+psycopg://smm@127.0.0.1:$PG_PORT/smm_test"
export SMM_DESK_TEST_PG_DIR="$PG_DIR"
smm_log "PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}') up on 127.0.0.1:$PG_PORT in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')s (as ${PG_USER:-$(id -un)}, $PG_DIR)"

set +e
"$@"
rc=$?
set -e
exit "$rc"
