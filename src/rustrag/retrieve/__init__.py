"""Retrieval: hybrid search (exact names, BM25, dense vectors, the code graph) over the
indexed items, and the search indexes' upkeep after `rustrag index`.

Entry points: `searcher.search` (via `Workspace.search`), `build.refresh_search_indexes`
(called by the pipeline), `embed_job` (the background embedding process).
"""
