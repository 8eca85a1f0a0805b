"""Keeping the index current and safe: parse cache, change detection, snapshots, watch,
integrity checks and status (see ARCHITECTURE.md, "Staying current")."""
