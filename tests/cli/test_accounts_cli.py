"""``smm-desk accounts``: per-network help and options, every way to give a
secret (variable, stdin, prompt, ``--secret``, browser sign-in), and that each
secret lands in the keyring only and leaves it with the account.

The browser sign-in runs end to end against the simulated OAuth server over
loopback (SimServer); the "browser" is an httpx client following the consent
redirect to the CLI's loopback listener. The connector class is replaced by a
small one declaring ``options_help`` and ``oauth``, so these tests do not
depend on any one network's connector being finished.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from keyring.errors import KeyringError

from smm_desk.cli import account_commands
from smm_desk.cli.main import main
from smm_desk.connectors.base import (
    Connector,
    Delivery,
    FetchResult,
    Idempotency,
    OutgoingReply,
)
from smm_desk.connectors.oauth import OAuthProvider
from smm_desk.domain.records import NETWORKS
from smm_desk.sim import catalog
from smm_desk.sim.oauth import SimOAuth
from smm_desk.sim.transport import SimServer
from smm_desk.sim.world import SimWorld
from tests.connectors.test_oauth import Browser, OAuthSite
from tests.support.memory_keyring import MemoryKeyring

TOKEN = "tok-PLANTED-accounts-cli-0042"
CLIENT_SECRET = "cs-PLANTED-client-secret-77"


class FakeOAuthConnector(Connector):
    """Declares what ``accounts add`` reads from a connector class."""

    network = "reddit"
    default_base_url = "https://oauth.example.invalid"
    idempotency = Idempotency.LOOKUP
    streams = ("inbox",)
    options_help: ClassVar = {"client_id": "the app's client id (reddit.com/prefs/apps)",
                              "subreddit": "only this subreddit's items"}
    oauth = OAuthProvider("https://www.example.invalid/oauth2/authorize",
                          "https://www.example.invalid/oauth2/token",
                          ("identity", "privatemessages", "submit"),
                          client_auth="basic", authorize_params={"duration": "permanent"},
                          console_url="https://www.example.invalid/prefs/apps")

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        raise NotImplementedError

    async def send(self, reply: OutgoingReply) -> Delivery:
        raise NotImplementedError


def _fake_connector_class(network: str) -> type[Connector]:
    if network == "reddit":
        return FakeOAuthConnector
    raise KeyError(network)


@pytest.fixture
def fake_connectors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(account_commands, "connector_class", _fake_connector_class)


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SMM_DESK_DB", db_url)

    def call(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.fixture
def oauth() -> SimOAuth:
    return SimOAuth(signed_in="acme_support", clients={"app-123": CLIENT_SECRET})


@pytest.fixture
def server(oauth: SimOAuth) -> Iterator[SimServer]:
    world = SimWorld()
    world.add(OAuthSite(oauth))
    with SimServer(world) as s:
        yield s


def secrets_of(keyring: MemoryKeyring, account_id: int) -> dict[str, str]:
    found = {}
    for (service, user), value in keyring.entries.items():
        assert service == "smm-desk"
        parts = user.split(":")
        if int(parts[1]) == account_id:
            found[parts[2] if len(parts) > 2 else "token"] = value
    return found


def help_text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as info:
        main(["accounts", "add", *argv])
    assert info.value.code == 0
    return capsys.readouterr().out


# -- help -------------------------------------------------------------------------------


def test_help_after_a_network_shows_its_options_and_guide(
        capsys: pytest.CaptureFixture[str], fake_connectors: None) -> None:
    text = help_text(capsys, "reddit", "--help")
    assert "options for reddit (--option KEY=VALUE):" in text
    assert "  client_id  the app's client id (reddit.com/prefs/apps)" in text
    assert "  subreddit  only this subreddit's items" in text
    assert "browser sign-in: --oauth --option client_id=APP_ID" in text
    assert "register the app at https://www.example.invalid/prefs/apps" in text
    assert "reddit.com/prefs/apps" in text  # the guide


def test_help_of_a_network_without_options_or_connector(
        capsys: pytest.CaptureFixture[str], fake_connectors: None) -> None:
    text = help_text(capsys, "telegram", "-h")
    assert "options for telegram: none" in text and "@BotFather" in text
    assert "browser sign-in" not in text
    text = help_text(capsys, "--help")
    assert "NETWORK is one of: telegram, vk, mastodon" in text
    assert "'smm-desk accounts add NETWORK --help' lists that network's options." in text


@pytest.mark.parametrize("network", NETWORKS)
def test_help_reads_each_real_connectors_options(capsys: pytest.CaptureFixture[str],
                                                 network: str) -> None:
    text = help_text(capsys, network, "--help")
    cls = account_commands._connector(network)
    for key, description in (cls.options_help if cls is not None else {}).items():
        assert f"  {key}" in text and " ".join(description.split()[:3]) in \
            " ".join(text.split())
    assert ("browser sign-in: --oauth" in text) == (cls is not None and cls.oauth is not None)
    assert "where the secret comes from:" in text


# -- options and secrets ----------------------------------------------------------------


def test_unknown_option_is_refused_with_the_valid_keys(
        cli, fake_connectors: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T", TOKEN)
    code, _, err = cli("accounts", "add", "reddit", "--name", "u/acme", "--option",
                       "subredit=brand", "--token-env", "T")
    assert code == 1
    assert err == ("smm-desk: error: unknown option subredit for reddit; "
                   "valid: client_id, subreddit\n")
    assert cli("accounts", "list", "--json")[1].strip() == "[]"


def test_token_and_extra_secrets_go_to_the_keyring_only(
        cli, db_url: str, fake_connectors: None, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T", TOKEN)
    monkeypatch.setenv("CS", CLIENT_SECRET)
    code, out, err = cli("accounts", "add", "reddit", "--name", "u/acme", "--option",
                         "client_id=app-123", "--token-env", "T",
                         "--secret", "client_secret=CS")
    assert (code, err) == (0, "")
    account_id = int(out)
    assert secrets_of(memory_keyring, account_id) == {"token": TOKEN,
                                                      "client_secret": CLIENT_SECRET}
    code, out, _ = cli("accounts", "list", "--json")
    (row,) = json.loads(out)
    assert row["options"] == {"client_id": "app-123"}
    assert "PLANTED" not in out
    if db_url.startswith("sqlite"):
        for path in Path(db_url.removeprefix("sqlite:///")).parent.rglob("*"):
            if path.is_file():  # the database and the log files
                assert b"PLANTED" not in path.read_bytes(), path
    # Removing the account forgets every secret it had.
    assert cli("accounts", "remove", str(account_id))[0] == 0
    assert memory_keyring.entries == {}


@pytest.mark.parametrize(("argv", "message"), [
    (("--secret", "token=T"), "unknown secret 'token'; valid: refresh_token, client_secret, "
                              "password (the token has --token-env)"),
    (("--secret", "pin=T"), "unknown secret 'pin'"),
    (("--secret", "password"), "--secret wants NAME=ENVVAR"),
    (("--secret", "password=NOT_SET_ANYWHERE"),
     "missing password: environment variable NOT_SET_ANYWHERE is not set"),
])
def test_bad_secrets_are_one_line(cli, monkeypatch: pytest.MonkeyPatch,
                                  argv: tuple[str, ...], message: str) -> None:
    monkeypatch.setenv("T", TOKEN)
    code, _, err = cli("accounts", "add", "bluesky", "--name", "acme.bsky.social",
                       "--token-env", "T", *argv)
    assert code == 1 and message in err and err.count("\n") == 1 and TOKEN not in err


def test_prompt_on_a_terminal_hides_the_secret(
        cli, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)

    def fake_getpass(prompt: str) -> str:
        asked.append(prompt)
        return TOKEN + "\n"

    monkeypatch.setattr(account_commands.getpass, "getpass", fake_getpass)
    code, out, err = cli("accounts", "add", "bluesky", "--name", "acme.bsky.social")
    assert code == 0 and TOKEN not in out + err
    assert asked == ["App password for bluesky acme.bsky.social (not shown): "]
    assert secrets_of(memory_keyring, int(out)) == {"token": TOKEN}


def test_no_terminal_and_no_token_flag_says_how(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    code, _, err = cli("accounts", "add", "email", "--name", "support@acme.example")
    assert code == 1
    assert err == ("smm-desk: error: missing password: give --token-env VAR or "
                   "--token-stdin\n")


def test_a_second_account_with_the_same_name_is_refused(
        cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T", TOKEN)
    assert cli("accounts", "add", "telegram", "--name", "@bot", "--token-env", "T")[0] == 0
    code, _, err = cli("accounts", "add", "telegram", "--name", "@bot", "--token-env", "T")
    assert code == 1 and "telegram account @bot is already connected" in err


def test_keyring_failure_leaves_no_account_and_no_secret(
        cli, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T", TOKEN)
    monkeypatch.setenv("PW", "pw-PLANTED")
    real = memory_keyring.set_password

    def refuse_token(service: str, user: str, value: str) -> None:
        if user.count(":") == 1:  # the token itself: written after the password
            raise KeyringError("locked")
        real(service, user, value)

    monkeypatch.setattr(memory_keyring, "set_password", refuse_token)
    code, _, err = cli("accounts", "add", "email", "--name", "support@acme.example",
                       "--token-env", "T", "--secret", "password=PW")
    assert code == 1 and "cannot store the token" in err and "PLANTED" not in err
    assert memory_keyring.entries == {}
    assert cli("accounts", "list", "--json")[1].strip() == "[]"


# -- browser sign-in --------------------------------------------------------------------


def test_oauth_sign_in_end_to_end_against_the_simulator(
        cli, server: SimServer, oauth: SimOAuth, fake_connectors: None,
        memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = Browser()
    monkeypatch.setattr(account_commands, "open_browser", browser)
    monkeypatch.setenv("CS", CLIENT_SECRET)
    code, out, err = cli("accounts", "add", "reddit", "--name", "u/acme_support",
                         "--base-url", server.url, "--option", "client_id=app-123",
                         "--secret", "client_secret=CS", "--oauth", "--timeout", "20")
    assert code == 0, err
    account_id = int(out)
    (url,) = browser.opened
    assert url.startswith(server.url + "/oauth2/authorize?")  # rebased onto --base-url
    assert f"visit:\n  {url}\n" in err and "Ctrl+C cancels" in err
    assert "You can close this tab" in browser.landed[0].text
    stored = secrets_of(memory_keyring, account_id)
    assert set(stored) == {"token", "refresh_token", "token_expires_at", "client_secret"}
    assert oauth.account_for(stored["token"]) == "acme_support"
    assert stored["client_secret"] == CLIENT_SECRET
    assert oauth.grants == ["authorization_code"]
    for secret in (stored["token"], stored["refresh_token"], CLIENT_SECRET):
        assert secret not in out + err
    code, out, _ = cli("accounts", "list", "--json")
    (row,) = json.loads(out)
    assert row["base_url"] == server.url and row["options"] == {"client_id": "app-123"}
    assert cli("accounts", "remove", str(account_id))[0] == 0
    assert memory_keyring.entries == {}


def test_oauth_declined_creates_nothing(
        cli, server: SimServer, fake_connectors: None, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    def decline(url: str) -> bool:
        q = dict(httpx.URL(url).params)
        httpx.get(q["redirect_uri"], params={"error": "access_denied", "state": q["state"]})
        return True

    monkeypatch.setattr(account_commands, "open_browser", decline)
    monkeypatch.setenv("CS", CLIENT_SECRET)
    code, _, err = cli("accounts", "add", "reddit", "--name", "u/acme", "--base-url",
                       server.url, "--option", "client_id=app-123", "--secret",
                       "client_secret=CS", "--oauth", "--timeout", "20")
    assert code == 1
    assert err.endswith("smm-desk: error: sign-in failed: Access was declined on the "
                        "network's consent page.\n")
    assert memory_keyring.entries == {}
    assert cli("accounts", "list", "--json")[1].strip() == "[]"


def test_oauth_with_a_fixed_redirect_port(
        cli, server: SimServer, fake_connectors: None, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch, unused_tcp_port: int) -> None:
    browser = Browser()
    monkeypatch.setattr(account_commands, "open_browser", browser)
    monkeypatch.setenv("CS", CLIENT_SECRET)
    code, out, err = cli("accounts", "add", "reddit", "--name", "u/acme", "--base-url",
                         server.url, "--option", "client_id=app-123", "--secret",
                         "client_secret=CS", "--oauth", "--redirect-port",
                         str(unused_tcp_port), "--timeout", "20")
    assert code == 0, err
    assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{unused_tcp_port}%2Fcallback" in \
        browser.opened[0]


@pytest.mark.parametrize(("network", "argv", "message"), [
    ("telegram", (), "telegram has no browser sign-in here"),
    ("reddit", (), "--oauth needs the app's --option client_id=ID (register one at "
                   "https://www.example.invalid/prefs/apps)"),
    ("reddit", ("--option", "client_id=a", "--timeout", "0"), "--timeout must be positive"),
])
def test_oauth_usage_mistakes(cli, fake_connectors: None, network: str,
                              argv: tuple[str, ...], message: str) -> None:
    code, _, err = cli("accounts", "add", network, "--name", "n", "--oauth", *argv)
    assert code == 1 and message in err.replace("a positive number of seconds", "positive")


def test_oauth_and_a_token_flag_do_not_mix(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["accounts", "add", "reddit", "--name", "n", "--oauth", "--token-stdin"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.fixture
def unused_tcp_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- every real OAuth network, end to end against its simulator ----------------------------


def _oauth_networks() -> list[str]:
    found = []
    for network in catalog.available():
        cls = account_commands._connector(network)
        if cls is not None and cls.oauth is not None and \
                hasattr(catalog.SPECS[network].handler_class()(SimWorld()), "oauth"):
            found.append(network)
    return found


@pytest.mark.parametrize("network", _oauth_networks())
def test_browser_sign_in_then_sync_for_each_oauth_network(
        cli, network: str, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``accounts add NETWORK --oauth`` against the network's own simulator (its
    consent and token endpoints at their real paths), then ``sync --once`` with
    the tokens the sign-in stored: the account stays connected."""
    spec = catalog.SPECS[network]
    world = SimWorld(max_poll_wait=0.5)
    handler = catalog.build(world, network)
    client_id, client_secret = next(iter(handler.oauth.clients.items()))
    browser = Browser()
    monkeypatch.setattr(account_commands, "open_browser", browser)
    with SimServer(world) as server:
        argv = ["accounts", "add", network, "--name", spec.handle, "--base-url", server.url,
                "--oauth", "--timeout", "20", "--option", f"client_id={client_id}"]
        for key, value in catalog.account_options(handler, spec.token).items():
            if key != "client_id":
                argv += ["--option", f"{key}={value}"]
        if client_secret:
            monkeypatch.setenv("SIM_CLIENT_SECRET", client_secret)
            argv += ["--secret", "client_secret=SIM_CLIENT_SECRET"]
        code, out, err = cli(*argv)
        assert code == 0, err
        stored = secrets_of(memory_keyring, int(out))
        assert handler.oauth.account_for(stored["token"]) is not None
        assert browser.opened[0].startswith(server.url + "/")
        assert "You can close this tab" in browser.landed[0].text
        code, _, err = cli("sync", "--once")
        assert code == 0, err
        (row,) = json.loads(cli("accounts", "list", "--json")[1])
        assert row["status"] == "ok", row
