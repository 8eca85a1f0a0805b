"""Creating the schema of a new index and checking the schema of an existing one."""

from __future__ import annotations

from pathlib import Path

from rustrag.store.cozo_db import CozoDb
from rustrag.store.errors import SchemaVersionMismatch
from rustrag.store.schema import (
    INDEXES,
    META,
    META_COMMIT_SEQ,
    META_SCHEMA_VERSION,
    RELATIONS,
    SCHEMA_VERSION,
)


def existing_relations(db: CozoDb) -> set[str]:
    return {str(row[0]) for row in db.query("::relations")}


def stored_schema_version(db: CozoDb) -> str | None:
    rows = db.query("?[value] := *meta{key: $key, value}", {"key": META_SCHEMA_VERSION})
    return str(rows[0][0]) if rows else None


def ensure_schema(db: CozoDb, index_dir: Path) -> None:
    """Create whatever part of the schema is missing; refuse an index of another version.

    The version row is written last, so a process killed half-way through creating the
    schema leaves an index without a version, which the next writer simply completes.
    """
    present = existing_relations(db)
    if META.name in present:
        found = stored_schema_version(db)
        if found is not None and found != SCHEMA_VERSION:
            raise SchemaVersionMismatch(index_dir, found, SCHEMA_VERSION)
        if found is None and present - {META.name} - _schema_names():
            # relations this schema does not know: written by something else
            raise SchemaVersionMismatch(index_dir, None, SCHEMA_VERSION)
    for relation in RELATIONS:
        if relation.name not in present:
            db.execute(relation.create_script())
    for index in INDEXES:
        if index.full_name not in present:
            db.execute(index.create_script())
    if stored_schema_version(db) is None:
        db.execute(
            "?[key, value] <- [[$version_key, $version], [$seq_key, '0']] :put meta {key => value}",
            {
                "version_key": META_SCHEMA_VERSION,
                "version": SCHEMA_VERSION,
                "seq_key": META_COMMIT_SEQ,
            },
        )


def check_schema(db: CozoDb, index_dir: Path) -> bool:
    """For readers: False when there is no index yet; raises on a version mismatch."""
    if META.name not in existing_relations(db):
        return False
    found = stored_schema_version(db)
    if found is None:
        return False
    if found != SCHEMA_VERSION:
        raise SchemaVersionMismatch(index_dir, found, SCHEMA_VERSION)
    return True


def _schema_names() -> set[str]:
    return {r.name for r in RELATIONS} | {i.full_name for i in INDEXES}
