"""cfg predicate evaluation over enabled features (three-valued)."""

from __future__ import annotations

import pytest

from rustrag.deps.cfg_eval import evaluate_cfg

FEATURES = {"full", "std"}


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        ('feature = "full"', "enabled"),
        ('feature = "derive"', "disabled"),
        ('not(feature = "derive")', "enabled"),
        ('all(feature = "full", feature = "std")', "enabled"),
        ('all(feature = "full", feature = "derive")', "disabled"),
        ('any(feature = "derive", feature = "std")', "enabled"),
        ("unix", "undecidable"),
        ('target_os = "linux"', "undecidable"),
        ('all(feature = "derive", unix)', "disabled"),  # decided despite the unknown part
        ('any(feature = "full", test)', "enabled"),
        ('any(feature = "derive", test)', "undecidable"),
        ("not(test)", "undecidable"),
        ('feature = "full" && feature = "derive"', "disabled"),  # how parse joins several
        ('feature = "full" && not(feature = "derive")', "enabled"),
        ('all(feature = "full",)', "enabled"),  # trailing comma is valid Rust
        ('all(feature = "full"', "undecidable"),  # broken text: no exception
        ("", "enabled"),
    ],
)
def test_evaluate_cfg(predicate: str, expected: str) -> None:
    assert evaluate_cfg(predicate, FEATURES) == expected
