"""Settings every test shares: no test writes to the user's machine-wide cache, and none
starts the background embedding job unless it asks for it (tests/test_retrieve_dense.py
does): on two cores a stray job slows every other test for minutes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    patch = pytest.MonkeyPatch()
    patch.setenv("RUSTRAG_CACHE_DIR", str(Path(tmp_path_factory.mktemp("machine-cache"))))
    patch.setenv("RUSTRAG_NO_EMBED", "1")
    yield
    patch.undo()
