"""Where the chat endpoint is: flags, then environment, then `.rustrag/config.toml`.

[llm]
base_url = "http://127.0.0.1:11434/v1"   # Ollama; llama.cpp's server: http://host:8080/v1
model = "qwen2.5-coder:7b"
api_key = ""                             # or api_key_env = "MY_KEY_VARIABLE"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_FILE = Path(".rustrag") / "config.toml"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the setting to fix."""


@dataclass(slots=True, frozen=True)
class LlmConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 120.0

    @classmethod
    def load(
        cls,
        root: Path,
        *,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> LlmConfig:
        environ = os.environ if env is None else env
        section = _file_section(root / CONFIG_FILE)
        key_env = section.get("api_key_env")
        url = (
            base_url
            or environ.get("RUSTRAG_LLM_BASE_URL")
            or environ.get("OPENAI_BASE_URL")
            or section.get("base_url")
        )
        chosen_model = model or environ.get("RUSTRAG_LLM_MODEL") or section.get("model")
        key = (
            api_key
            or environ.get("RUSTRAG_LLM_API_KEY")
            or environ.get("OPENAI_API_KEY")
            or (environ.get(str(key_env)) if key_env else None)
            or section.get("api_key")
        )
        if not url:
            raise ConfigError(
                "no chat endpoint: set RUSTRAG_LLM_BASE_URL (e.g. http://127.0.0.1:11434/v1 "
                f"for Ollama) or base_url under [llm] in {root / CONFIG_FILE}"
            )
        if not chosen_model:
            raise ConfigError(
                f"no model: set RUSTRAG_LLM_MODEL or model under [llm] in {root / CONFIG_FILE}"
            )
        timeout = float(section.get("timeout", 120.0))
        return cls(str(url).rstrip("/"), str(chosen_model), str(key) if key else None, timeout)


def _file_section(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}; fix or remove the file") from exc
    section = data.get("llm", {})
    if not isinstance(section, dict):
        raise ConfigError(f"[llm] in {path} must be a table")
    return section
