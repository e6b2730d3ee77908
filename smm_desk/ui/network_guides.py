"""Where each network's token, app password or OAuth client comes from.

A few plain sentences per network, shown on the welcome screen, in the
connect dialog and under ``smm-desk accounts add NETWORK --help``. The texts
are marked for Qt's translation system (context ``NetworkGuides``) and
translated when shown; the command line shows them in English.

Facts from ../shared/networks/*.md (each network's "Auth" section) and the
networks' developer documentation named there.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "NetworkGuides"

#: The order the welcome screen and the connect dialog list them in.
NETWORK_ORDER = ("telegram", "vk", "mastodon", "facebook", "instagram", "x", "youtube",
                 "bluesky", "reddit", "email")

_TITLES = {
    "telegram": QT_TRANSLATE_NOOP("NetworkGuides", "Telegram"),
    "vk": QT_TRANSLATE_NOOP("NetworkGuides", "VK"),
    "mastodon": QT_TRANSLATE_NOOP("NetworkGuides", "Mastodon"),
    "facebook": QT_TRANSLATE_NOOP("NetworkGuides", "Facebook Pages"),
    "instagram": QT_TRANSLATE_NOOP("NetworkGuides", "Instagram"),
    "x": QT_TRANSLATE_NOOP("NetworkGuides", "X"),
    "youtube": QT_TRANSLATE_NOOP("NetworkGuides", "YouTube"),
    "bluesky": QT_TRANSLATE_NOOP("NetworkGuides", "Bluesky"),
    "reddit": QT_TRANSLATE_NOOP("NetworkGuides", "Reddit"),
    "email": QT_TRANSLATE_NOOP("NetworkGuides", "Email"),
}

#: What the pasted secret is called on each network.
_SECRET_LABELS = {
    "telegram": QT_TRANSLATE_NOOP("NetworkGuides", "Bot token"),
    "vk": QT_TRANSLATE_NOOP("NetworkGuides", "Community access key"),
    "mastodon": QT_TRANSLATE_NOOP("NetworkGuides", "Access token"),
    "facebook": QT_TRANSLATE_NOOP("NetworkGuides", "Page access token"),
    "instagram": QT_TRANSLATE_NOOP("NetworkGuides", "Access token"),
    "x": QT_TRANSLATE_NOOP("NetworkGuides", "Access token"),
    "youtube": QT_TRANSLATE_NOOP("NetworkGuides", "Access token"),
    "bluesky": QT_TRANSLATE_NOOP("NetworkGuides", "App password"),
    "reddit": QT_TRANSLATE_NOOP("NetworkGuides", "Access token"),
    "email": QT_TRANSLATE_NOOP("NetworkGuides", "Password or app password"),
}

#: What goes in the "Name" field.
_NAME_HINTS = {
    "telegram": QT_TRANSLATE_NOOP("NetworkGuides", "@shop_bot"),
    "vk": QT_TRANSLATE_NOOP("NetworkGuides", "club_acme"),
    "mastodon": QT_TRANSLATE_NOOP("NetworkGuides", "@brand@mastodon.social"),
    "facebook": QT_TRANSLATE_NOOP("NetworkGuides", "Acme Shop (the Page name)"),
    "instagram": QT_TRANSLATE_NOOP("NetworkGuides", "@acme.shop"),
    "x": QT_TRANSLATE_NOOP("NetworkGuides", "@acme_shop"),
    "youtube": QT_TRANSLATE_NOOP("NetworkGuides", "Acme Shop (the channel name)"),
    "bluesky": QT_TRANSLATE_NOOP("NetworkGuides", "acme.bsky.social"),
    "reddit": QT_TRANSLATE_NOOP("NetworkGuides", "u/acme_support"),
    "email": QT_TRANSLATE_NOOP("NetworkGuides", "support@acme.example"),
}

_GUIDES = {
    "telegram": QT_TRANSLATE_NOOP(
        "NetworkGuides",
        "In Telegram, open a chat with @BotFather and send /newbot. Choose a name and a "
        "username that ends in “bot”; BotFather replies with the bot token (it looks like "
        "123456:ABC-…). To answer comments under channel posts, add the bot as an admin of "
        "the channel's discussion group."),
    "vk": QT_TRANSLATE_NOOP(
        "NetworkGuides",
        "In your community, open Manage → API usage → Access tokens and create a key with "
        "access to community messages, management and the wall. On the Long Poll API tab, "
        "switch Long Poll on and tick incoming messages and wall comments. Paste the key "
        "here; it stays valid until you delete it there."),
    "mastodon": QT_TRANSLATE_NOOP(
        "NetworkGuides",
        "On your server, open Preferences → Development → New application. Give it the "
        "scopes read and write:statuses, save it, and copy “Your access token”. Put your "
        "server's address (for example https://mastodon.social) in Base URL."),
    "facebook": QT_TRANSLATE_NOOP(
        "NetworkGuides",
        "Create a Business app at developers.facebook.com with Facebook Login and Messenger, "
        "and sign in with the browser using its client id. Or paste a Page access token made "
        "from a long-lived user token (Graph API Explorer → Get Page access token): it does "
        "not expire. It needs pages_messaging, pages_read_engagement and "
        "pages_manage_engagement."),
    "instagram": QT_TRANSLATE_NOOP(
        "NetworkGuides",
        "Only professional (Business or Creator) accounts can be connected. Create an app at "
        "developers.facebook.com with the Instagram product and sign in with the browser "
        "using its client id, or paste an Instagram user access token. Long-lived tokens "
        "last 60 days; SMM Desk refreshes them before they expire."),
    "x": QT_TRANSLATE_NOOP(
        "NetworkGuides",
        "In the X developer portal, create a project and an app, turn on OAuth 2.0 as a "
        "Native App and add the loopback callback http://127.0.0.1/callback. Give the app's "
        "client id and sign in with the browser as the brand account; the access token is "
        "then refreshed on its own."),
    "youtube": QT_TRANSLATE_NOOP(
        "NetworkGuides",
        "In Google Cloud Console, create a project, enable the YouTube Data API v3 and create "
        "an OAuth client of type Desktop app. Give its client id and client secret and sign "
        "in with the browser as the channel's owner or manager. While the app is in "
        "“Testing”, Google ends its sign-ins after 7 days: publish it for lasting access."),
    "bluesky": QT_TRANSLATE_NOOP(
        "NetworkGuides",
        "In Bluesky, open Settings → Privacy and security → App passwords and add one; allow "
        "access to direct messages if you answer DMs. Use your handle (for example "
        "acme.bsky.social) as the name and paste the app password, never your main password."),
    "reddit": QT_TRANSLATE_NOOP(
        "NetworkGuides",
        "At reddit.com/prefs/apps, create an app of type “installed app” with the redirect "
        "URI http://127.0.0.1:8765/callback — Reddit wants that exact address, so sign in "
        "with loopback port 8765. Give the app's client id and sign in with the browser as "
        "the brand account."),
    "email": QT_TRANSLATE_NOOP(
        "NetworkGuides",
        "Use the mailbox address as the name and its password. Gmail, iCloud, Yahoo and "
        "Outlook with two-step verification want an app password instead, made in the "
        "account's security settings. The IMAP and SMTP servers go in the options."),
}


def _tr(text: object, translate: bool) -> str:
    """``text`` is a QT_TRANSLATE_NOOP marker (typed ``object`` by PySide6)."""
    return QCoreApplication.translate(CONTEXT, str(text)) if translate else str(text)


def title(network: str, translate: bool = True) -> str:
    """The network's name as people write it."""
    text = _TITLES.get(network)
    return _tr(text, translate) if text else network.capitalize()


def secret_label(network: str, translate: bool = True) -> str:
    """What the pasted secret is called (bot token, app password…)."""
    return _tr(_SECRET_LABELS.get(network, QT_TRANSLATE_NOOP("NetworkGuides", "Token")),
               translate)


def name_hint(network: str, translate: bool = True) -> str:
    text = _NAME_HINTS.get(network)
    return _tr(text, translate) if text else ""


def guide_text(network: str, translate: bool = True) -> str:
    """Two to four sentences on where the secret comes from."""
    text = _GUIDES.get(network)
    if text is None:
        return _tr(QT_TRANSLATE_NOOP("NetworkGuides",
                                     "Paste the access token the network gave you."),
                   translate)
    return _tr(text, translate)
