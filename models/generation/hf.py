"""transformers runtime: any hub id or folder, and GGUF files dequantised to fp32."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from models.generation import Messages


def load_causal_lm(name: str) -> tuple[Any, Any]:
    """Load tokenizer and causal LM from a packaged name, local path or hub id (GGUF aware)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from models.store import resolve

    resolved = resolve(name)
    kwargs: dict[str, Any] = {"local_files_only": resolved.source != "hub"}
    if resolved.gguf_file:
        kwargs["gguf_file"] = resolved.gguf_file
    tokenizer = AutoTokenizer.from_pretrained(resolved.path, **kwargs)
    model = AutoModelForCausalLM.from_pretrained(resolved.path, dtype=torch.float32, **kwargs)
    model.eval()
    return tokenizer, model


class TransformersGenerator:
    """A chat model run by ``transformers`` (greedy, left-padded batches).

    Args:
        name: Packaged name, local folder / GGUF file, or hub id.
        batch_size: Conversations generated together (CPU decoding is memory-bound,
            so a batch costs little more than one).
        model: An already loaded ``(tokenizer, model)`` pair, e.g. for tests.
    """

    runtime = "transformers"

    def __init__(self, name: str, batch_size: int = 8, model: tuple[Any, Any] | None = None) -> None:
        self.model_id = name
        self.batch_size = batch_size
        self.tokenizer, self.model = model or load_causal_lm(name)
        self.settings: dict[str, Any] = {"runtime": self.runtime, "do_sample": False, "batch_size": batch_size,
                                         "dtype": "float32"}

    def _render(self, messages: Messages) -> str:
        if getattr(self.tokenizer, "chat_template", None):
            return str(self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
        return "\n\n".join(m["content"] for m in messages) + "\n\n"

    def _batch(self, prompts: Sequence[str]) -> Any:
        tok = self.tokenizer
        tok.padding_side = "left"
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token
        return tok(list(prompts), return_tensors="pt", padding=True)

    def chat(self, conversations: Sequence[Messages], max_new_tokens: int) -> list[str]:
        """Greedy replies, ``batch_size`` conversations at a time."""
        import torch

        out: list[str] = []
        for start in range(0, len(conversations), self.batch_size):
            batch = self._batch([self._render(m) for m in conversations[start:start + self.batch_size]])
            with torch.inference_mode():
                ids = self.model.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False,
                                          pad_token_id=self.tokenizer.pad_token_id)
            new = ids[:, batch["input_ids"].shape[1]:]
            out += [str(t) for t in self.tokenizer.batch_decode(new, skip_special_tokens=True)]
        return out

    def first_tokens(self, conversations: Sequence[Messages], k: int = 6) -> list[dict[str, float]]:
        """Top-``k`` first tokens from the next-token distribution."""
        import torch

        out: list[dict[str, float]] = []
        for messages in conversations:
            batch = self._batch([self._render(messages)])
            with torch.inference_mode():
                logits = self.model(**batch).logits[0, -1]
            top = torch.log_softmax(logits.float(), -1).topk(k)
            tokens: dict[str, float] = {}
            for value, index in zip(top.values, top.indices, strict=True):
                # Distinct ids can decode to one text (byte pieces): their probabilities add up.
                text = str(self.tokenizer.decode([int(index)]))
                tokens[text] = float(np.logaddexp(tokens.get(text, -np.inf), float(value)))
            out.append(tokens)
        return out
