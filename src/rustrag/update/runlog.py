"""What each run leaves behind for `rustrag status`: a `last_run` meta row and a line in a
rotating log file (index_dir/logs/rustrag.log, 1 MB, 3 old files kept)."""

from __future__ import annotations

import json
import logging
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, Protocol

from rustrag.model import Problem
from rustrag.store import Store

META_LAST_RUN = "update.last_run"
LOG_DIR = "logs"
LOG_FILE = "rustrag.log"
_LOG_BYTES = 1_000_000
_LOG_BACKUPS = 3
# The warnings of the last run are kept for `status`; past this many only the count is.
_KEPT_WARNINGS = 200


class RunSummary(Protocol):
    problems: list[Problem]
    seconds: float

    def to_json(self) -> dict[str, object]: ...


def log_path(index_dir: Path) -> Path:
    return Path(index_dir) / LOG_DIR / LOG_FILE


def index_logger(index_dir: Path) -> logging.Logger:
    """The logger writing to this index's rotating log file (one handler per file)."""
    path = log_path(index_dir)
    logger = logging.getLogger(f"rustrag.index.{path}")
    if not logger.handlers:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            path, maxBytes=_LOG_BYTES, backupCount=_LOG_BACKUPS, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def record_run(store: Store, index_dir: Path, report: RunSummary) -> None:
    """Store the run's summary (its own small write, after the crates' transactions:
    a kill before it only loses the summary, never index data) and log it."""
    summary: dict[str, Any] = dict(report.to_json())
    summary["finished_at"] = time.time()
    summary["warnings"] = [
        {"file": p.file, "line": p.line, "reason": p.reason, "severity": p.severity}
        for p in report.problems[:_KEPT_WARNINGS]
    ]
    summary["warning_count"] = len(report.problems)
    store.set_meta(META_LAST_RUN, json.dumps(summary))
    logger = index_logger(index_dir)
    logger.info(
        "index run: %s",
        json.dumps({k: v for k, v in summary.items() if k != "warnings"}),
    )
    for problem in report.problems[:_KEPT_WARNINGS]:
        logger.warning("%s", problem)


def last_run(store: Store) -> dict[str, Any] | None:
    text = store.get_meta(META_LAST_RUN)
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
