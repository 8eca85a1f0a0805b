"""The messages sent to the model: versions in use, the context, the question."""

from __future__ import annotations

from rustrag.llm.client import Message


def system_prompt(crates: dict[str, str]) -> str:
    """Names the exact dependency versions and asks for those APIs only."""
    if crates:
        listed = "\n".join(
            f"- {extern} {crate_id.partition('@')[2]}"
            for extern, crate_id in sorted(crates.items())
        )
        versions = f"This project is locked to these crate versions:\n{listed}\n"
    else:
        versions = "The project's dependency versions are not known.\n"
    return (
        "You are a Rust expert helping with one specific Cargo project.\n"
        f"{versions}"
        "APIs change between versions and your training data mixes them up. Use only the "
        "items, paths and method signatures shown in the context below for these exact "
        "versions; if what you need is not shown, say so instead of guessing. Put every "
        "piece of Rust code in a ```rust block with its `use` lines."
    )


def messages(crates: dict[str, str], context: str, question: str) -> list[Message]:
    user = f"Context from the project's index:\n\n{context}\n\nQuestion: {question}"
    return [
        {"role": "system", "content": system_prompt(crates)},
        {"role": "user", "content": user},
    ]
