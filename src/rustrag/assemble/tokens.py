"""Token counts for budgets, with a real tokenizer that works offline.

It is MiniLM's WordPiece vocabulary (shipped with rustrag, see rustrag.index.data),
run by the `tokenizers` library. No GPT-style BPE vocabulary ships inside a package we
can depend on (tiktoken downloads its files at run time), so WordPiece is a proxy: on
Rust code it splits identifiers and punctuation finely and tends to count more tokens
than a BPE would, which errs on the safe side of a budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from tokenizers import Tokenizer

from rustrag.index.embedders import find_minilm_tokenizer

TOKENIZER_NAME = "minilm-wordpiece"


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(find_minilm_tokenizer()))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def count_tokens(text: str) -> int:
    if not text:
        return 0
    return len(_tokenizer().encode(text, add_special_tokens=False).ids)


def count_tokens_many(texts: Sequence[str]) -> list[int]:
    """Token counts of several texts in one call (the tokenizer runs them in parallel)."""
    if not texts:
        return []
    encodings = _tokenizer().encode_batch(list(texts), add_special_tokens=False)
    return [len(e.ids) if text else 0 for e, text in zip(encodings, texts, strict=True)]
