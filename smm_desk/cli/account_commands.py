"""``smm-desk accounts``: connect, list and remove the accounts the desk reads.

``accounts add NETWORK --name N`` connects one account:

* ``--base-url URL`` sends the account's API calls (and, with ``--oauth``, its
  sign-in) to another origin: a self-hosted instance, a proxy, the simulator.
* ``--option KEY=VALUE`` (repeatable) sets what the network needs besides the
  token — a page id, a channel id. ``accounts add NETWORK --help`` lists the
  keys that network's connector declares (``options_help``), and a key it does
  not know is refused with the list of the ones it does.
* The token comes from ``--token-env VAR``, ``--token-stdin`` or, with
  neither, a hidden prompt on a terminal; ``--oauth`` instead signs in through
  the system browser (RFC 8252, :mod:`smm_desk.connectors.oauth_flow`) with the
  app's ``--option client_id=…`` and, where the app has one, ``--secret
  client_secret=VAR``. ``--secret NAME=VAR`` puts any other secret (a refresh
  token, an app password) in the keyring.

Secrets go to the OS keyring only (:mod:`smm_desk.secrets`): never to the
database, the terminal or an error message. If the keyring refuses one, the
account is removed again, so there is never an account without its secret.
``accounts remove ID`` deletes the account and every secret it had.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from smm_desk.cli.output import table, to_json
from smm_desk.domain.records import NETWORKS
from smm_desk.secrets import SECRET_NAMES, SecretStoreError, delete_token, set_secret

if TYPE_CHECKING:
    from smm_desk.connectors.base import Connector
    from smm_desk.store.api import Store

# The connectors, httpx and the browser are imported by the commands that use
# them: ``smm-desk`` with no command (the app) builds this parser too, and its
# cold start should not pay for them. (The sign-in wait's default, 300 s, is
# oauth_flow.DEFAULT_TIMEOUT_S; a test keeps the two equal.)
SIGN_IN_TIMEOUT_S = 300.0

#: What the prompt asks for, where the network's secret is not called a token.
SECRET_WORD = {"bluesky": "app password", "email": "password"}
#: Secrets ``--secret`` may set (the token has its own flags).
EXTRA_SECRETS = tuple(n for n in SECRET_NAMES
                      if n in ("refresh_token", "client_secret", "password"))
#: Written first: a refresh token must never be lost to a failure after it.
_STORE_ORDER = ("refresh_token", "client_secret", "password", "token", "token_expires_at")


class AccountError(ValueError):
    """A usage mistake the message explains (exit code 1, one line)."""


def open_browser(url: str) -> bool:
    """The system browser; tests replace it with an HTTP client."""
    import webbrowser

    return webbrowser.open(url, new=2)


# --- the parser -----------------------------------------------------------------------

def connector_class(network: str) -> type[Connector]:
    """``connectors.base.connector_class``, imported when first asked."""
    from smm_desk.connectors.base import connector_class as lookup

    return lookup(network)


def _connector(network: str) -> type[Connector] | None:
    """The connector class, or None while the network has none yet."""
    try:
        return connector_class(network)
    except (KeyError, ImportError):
        return None


def network_epilog(network: str) -> str:
    """What ``accounts add NETWORK --help`` shows below the flags."""
    cls = _connector(network)
    lines = []
    options = dict(cls.options_help) if cls is not None else {}
    if options:
        width = max(len(k) for k in options) + 2
        lines.append(f"options for {network} (--option KEY=VALUE):")
        lines += [f"  {key.ljust(width)}{text}" for key, text in options.items()]
    else:
        lines.append(f"options for {network}: none")
    provider = cls.oauth if cls is not None else None
    if provider is not None:
        lines += ["", "browser sign-in: --oauth --option client_id=APP_ID "
                      "[--secret client_secret=VAR]"]
        if provider.console_url:
            lines.append(f"  register the app at {provider.console_url}")
    from smm_desk.ui.network_guides import guide_text  # Qt is imported only for help

    lines += ["", "where the secret comes from:", *_wrap(guide_text(network, translate=False))]
    return "\n".join(lines)


def _wrap(text: str, width: int = 76) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="  ")


def general_epilog() -> str:
    return ("NETWORK is one of: " + ", ".join(NETWORKS) + ".\n"
            "'smm-desk accounts add NETWORK --help' lists that network's options.")


class _NetworkHelp(argparse.Action):
    """``-h``: the help of ``accounts add``, with the options of the network
    named before it (argparse has consumed the positional by then)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        network = getattr(namespace, "network", None)
        parser.epilog = network_epilog(network) if network in NETWORKS else general_epilog()
        parser.print_help()
        parser.exit()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    acc = sub.add_parser("accounts", help="connected accounts").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    add = acc.add_parser("add", help="connect an account", add_help=False,
                         formatter_class=argparse.RawDescriptionHelpFormatter,
                         epilog=general_epilog())
    add.add_argument("-h", "--help", action=_NetworkHelp,
                     help="show this help (after NETWORK: with that network's options)")
    add.add_argument("network", choices=NETWORKS, metavar="NETWORK",
                     help="one of: " + ", ".join(NETWORKS))
    add.add_argument("--name", required=True, help="the page, bot or profile handle")
    add.add_argument("--base-url", help="replace the network's API origin (self-hosted, proxy)")
    add.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                     help="a per-account option; repeatable (see NETWORK --help)")
    token = add.add_mutually_exclusive_group()
    token.add_argument("--token-env", metavar="VAR", help="read the token from this variable")
    token.add_argument("--token-stdin", action="store_true", help="read the token from stdin")
    token.add_argument("--oauth", action="store_true",
                       help="sign in through the system browser (networks with OAuth)")
    add.add_argument("--secret", action="append", default=[], metavar="NAME=VAR",
                     help="another secret from an environment variable; NAME is one of "
                          + ", ".join(EXTRA_SECRETS) + "; repeatable")
    add.add_argument("--timeout", type=float, default=SIGN_IN_TIMEOUT_S, metavar="SECONDS",
                     help="with --oauth: how long to wait for the browser (default 300)")
    add.add_argument("--redirect-port", type=int, default=0, metavar="PORT",
                     help="with --oauth: the loopback port of the redirect URI registered "
                          "with the app (default: any free port)")
    lst = acc.add_parser("list", help="list accounts")
    lst.add_argument("--json", action="store_true")
    rem = acc.add_parser("remove", help="disconnect an account and forget its secrets")
    rem.add_argument("id", type=int)


# --- reading what the user gave -------------------------------------------------------

def parse_options(pairs: Sequence[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise AccountError(f"--option wants KEY=VALUE, got {pair!r}")
        options[key.strip()] = value
    return options


def check_options(network: str, options: Mapping[str, str]) -> None:
    """Refuse keys the network's connector does not declare (when it declares any)."""
    cls = _connector(network)
    if cls is None or not cls.options_help:
        return
    valid = set(cls.options_help) | ({"client_id"} if cls.oauth is not None else set())
    unknown = sorted(set(options) - valid)
    if unknown:
        raise AccountError(f"unknown option {', '.join(unknown)} for {network}; "
                           f"valid: {', '.join(sorted(valid))}")


def check_base_url(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AccountError(f"bad --base-url {url!r}: expected http(s)://host[:port][/path]")
    return url.rstrip("/")


def read_secrets(pairs: Sequence[str]) -> dict[str, str]:
    """``--secret NAME=VAR`` → name -> the variable's value."""
    found: dict[str, str] = {}
    for pair in pairs:
        name, sep, var = pair.partition("=")
        name, var = name.strip(), var.strip()
        if not sep or not name or not var:
            raise AccountError(f"--secret wants NAME=ENVVAR, got {pair!r}")
        if name not in EXTRA_SECRETS:
            raise AccountError(f"unknown secret {name!r}; valid: {', '.join(EXTRA_SECRETS)}"
                               + (" (the token has --token-env)" if name == "token" else ""))
        value = os.environ.get(var, "").strip()
        if not value:
            raise AccountError(f"missing {name}: environment variable {var} is not set")
        found[name] = value
    return found


def read_token(args: argparse.Namespace) -> str:
    word = SECRET_WORD.get(args.network, "token")
    if args.token_env:
        value = os.environ.get(args.token_env)
        if not value:
            raise AccountError(f"missing {word}: environment variable {args.token_env} "
                               "is not set")
        return value.strip()
    if args.token_stdin:
        value = sys.stdin.readline().strip()
        if not value:
            raise AccountError(f"missing {word}: nothing was read from standard input")
        return value
    if not sys.stdin.isatty():
        raise AccountError(f"missing {word}: give --token-env VAR or --token-stdin"
                           + (" or --oauth" if _oauth_of(args.network) else ""))
    value = getpass.getpass(f"{word.capitalize()} for {args.network} {args.name} "
                            "(not shown): ").strip()
    if not value:
        raise AccountError(f"missing {word}: nothing was typed")
    return value


def _oauth_of(network: str) -> Any:
    cls = _connector(network)
    return cls.oauth if cls is not None else None


def browser_sign_in(args: argparse.Namespace, base_url: str | None,
                    options: Mapping[str, str], extra: dict[str, str]) -> dict[str, str]:
    """Run the browser sign-in; returns every secret it gave (token, refresh…)."""
    provider = _oauth_of(args.network)
    if provider is None:
        raise AccountError(f"{args.network} has no browser sign-in here; give its token "
                           "with --token-env, --token-stdin or at the prompt")
    client_id = options.get("client_id", "").strip()
    if not client_id:
        where = f" (register one at {provider.console_url})" if provider.console_url else ""
        raise AccountError(f"--oauth needs the app's --option client_id=ID{where}")
    if args.timeout <= 0:
        raise AccountError("--timeout must be a positive number of seconds")
    if not 0 <= args.redirect_port <= 65535:
        raise AccountError("--redirect-port must be a port number (1-65535), or 0 for any")
    from smm_desk.connectors.credentials import MemoryCredentials
    from smm_desk.connectors.oauth_flow import SignInError, sign_in

    credentials = MemoryCredentials()

    def show(url: str) -> None:
        print(f"Opening your browser to sign in to {args.network}. If it does not open, "
              f"visit:\n  {url}\nWaiting for the browser (Ctrl+C cancels)…",
              file=sys.stderr, flush=True)

    try:
        asyncio.run(sign_in(provider.at(base_url), client_id, credentials,
                            client_secret=extra.get("client_secret"),
                            open_browser=open_browser, on_url=show,
                            give_up_after=args.timeout, port=args.redirect_port))
    except SignInError as exc:
        raise AccountError(f"sign-in failed: {exc}") from None
    return {**extra, **credentials.values}


def _store_secrets(account_id: int, values: Mapping[str, str]) -> None:
    for name in sorted(values, key=lambda n: (_STORE_ORDER + (n,)).index(n)):
        set_secret(account_id, name, values[name])


# --- the command ----------------------------------------------------------------------

def cmd_accounts(store: Store, args: argparse.Namespace) -> int:
    if args.action == "add":
        return _add(store, args)
    if args.action == "list":
        rows = store.accounts()
        if args.json:
            print(to_json(rows))
        else:
            print(table(
                ["ID", "NETWORK", "NAME", "STATUS", "LAST SYNC", "BASE URL"],
                [[a.id, a.network, a.name, a.status, a.last_sync_at, a.base_url] for a in rows],
            ))
        return 0
    store.account(args.id)  # NotFound for an unknown id, before touching the keyring
    store.remove_account(args.id)
    delete_token(args.id)
    print(f"removed account {args.id}")
    return 0


def _add(store: Store, args: argparse.Namespace) -> int:
    base_url = check_base_url(args.base_url)
    options = parse_options(args.option)
    check_options(args.network, options)
    extra = read_secrets(args.secret)
    if any(a.network == args.network and a.name == args.name for a in store.accounts()):
        raise AccountError(f"{args.network} account {args.name} is already connected")
    if args.oauth:
        values = browser_sign_in(args, base_url, options, extra)
    else:
        values = {**extra, "token": read_token(args)}
    account = store.add_account(args.network, args.name, base_url, options)
    try:
        _store_secrets(account.id, values)
    except SecretStoreError:
        with contextlib.suppress(SecretStoreError):
            delete_token(account.id)
        store.remove_account(account.id)  # no account without its secrets
        raise
    print(account.id)
    return 0
