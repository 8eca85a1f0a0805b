"""`ask`: context from the index, an OpenAI-compatible chat endpoint, and a check of the
Rust code in the answer.

Public API: `LlmConfig.load`, `ChatClient`, `ask_question`, `AskResult`, `LlmError`.
"""

from rustrag.llm.ask import AskResult, BlockFindings, ask_question
from rustrag.llm.client import ChatClient, LlmError
from rustrag.llm.config import LlmConfig

__all__ = ["AskResult", "BlockFindings", "ChatClient", "LlmConfig", "LlmError", "ask_question"]
