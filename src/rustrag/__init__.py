"""rustrag: a local, offline context engine that keeps LLM assistants current on Rust code."""

__version__ = "0.1.0"
