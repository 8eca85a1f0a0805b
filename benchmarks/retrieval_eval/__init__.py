"""Retrieval eval: does search put the right item first, for three kinds of query?

    python -m benchmarks.retrieval_eval.build WORK_DIR   # corpus, held-out index, queries
    python -m benchmarks.retrieval_eval.run WORK_DIR     # metrics, tuning, JSON report

Query sets, from real crates (Debian's /usr/share/cargo/registry):
- `docs`: the first sentence of an item's doc comment → that item. The sentence is held
  out of the indexed text of the sampled items, for BM25 and for the embeddings alike
  (`DocsFilter` in rustrag.retrieve.documents removes it before either index reads the
  docs), so the query cannot be matched verbatim;
- `ident`: exact names and path suffixes (`Command::arg`) → the items that carry them;
- `outdated`: names from clap 3 and nom 4 that clap 4 / nom 7 renamed, moved or removed
  with a named replacement (from `rustrag.apidiff`) → the current item. Both versions
  are indexed; the search scope is the new one (the default: newest version per name).

Queries are split dev/test by a seeded hash; fusion is tuned on dev, reported on test.
"""
