"""Full-text search over message text, one function for both engines.

SQLite uses the FTS5 table the first migration creates; PostgreSQL uses the
generated ``text_tsv`` column. The user's words are reduced to plain word
tokens before they reach either engine's query syntax, so no input can be a
syntax error or an injection; every word must match and the last one matches
as a prefix (search as you type).
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

_WORD = re.compile(r"\w+", re.UNICODE)


def query_words(query: str) -> list[str]:
    return _WORD.findall(query)


def search_case_ids(session: Session, query: str, *, limit: int = 500) -> list[int]:
    """Ids of cases with a message matching ``query``, most recent activity first."""
    words = query_words(query)
    if not words:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        match = " ".join(f'"{w}"' for w in words[:-1])
        match = f'{match} "{words[-1]}"*'.strip()
        sql = text(
            "SELECT c.id FROM cases c WHERE c.id IN ("
            " SELECT m.case_id FROM messages_fts f JOIN messages m ON m.id = f.rowid"
            " WHERE messages_fts MATCH :match)"
            " ORDER BY c.last_message_at DESC, c.id DESC LIMIT :limit"
        )
        params: dict[str, object] = {"match": match, "limit": limit}
    elif dialect == "postgresql":
        tsquery = " & ".join([*words[:-1], f"{words[-1]}:*"])
        sql = text(
            "SELECT c.id FROM cases c WHERE c.id IN ("
            " SELECT m.case_id FROM messages m"
            " WHERE m.text_tsv @@ to_tsquery('simple', :q))"
            " ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC LIMIT :limit"
        )
        params = {"q": tsquery, "limit": limit}
    else:  # pragma: no cover - parse_url admits only the two engines
        raise NotImplementedError(dialect)
    return [row[0] for row in session.execute(sql, params)]
