"""Pitch drafting behind the ``Drafter`` protocol.

Every sentence is built from one group of post-its (a cluster, or the singular
ideas when an axis has no cluster), and cites exactly the post-its it was
written from: citations are a property of how the sentence is produced, not
something we hope a small model remembers to write.

Two backends:

* :class:`ExtractiveDrafter`: no model, deterministic; quotes each group's most
  representative post-it under its label. A baseline and an offline fallback.
* :class:`TransformersDrafter`: a local instruct model (chat template, greedy,
  bounded tokens), one sentence per group, groups batched across axes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from models.types import Axis, PostIt, Sentence
from prompts import Prompt, load_prompt

Progress = Callable[[float], None]


@dataclass
class GroupBrief:
    """What a drafter sees of one group of post-its.

    Attributes:
        label: Cluster label (or "Idées singulières").
        keywords: c-TF-IDF keywords.
        postits: The group's post-its to show, representatives first.
        count: Post-its in the group.
        votes: Votes in the group.
        singular: Whether this is the singular-ideas group.
    """

    label: str
    keywords: list[str]
    postits: list[PostIt]
    count: int
    votes: int
    singular: bool = False


@dataclass
class PitchRequest:
    """One axis to draft: its groups in the order the pitch should follow."""

    axis: Axis
    language: str
    groups: list[GroupBrief] = field(default_factory=list)


class Drafter(Protocol):
    """Anything that drafts cited sentences for axes."""

    name: str
    model_id: str | None
    settings: dict[str, Any]

    def prompt_for(self, language: str) -> Prompt | None:
        """The prompt used for ``language`` (``None`` for model-free drafters)."""
        ...

    def draft(self, requests: Sequence[PitchRequest], progress: Progress | None = None) -> list[list[Sentence]]:
        """Sentences (text + citations) for each request, in order."""
        ...


def _finish(text: str) -> str:
    text = text.strip().rstrip(" ,;:")
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def extractive_sentence(group: GroupBrief, language: str) -> Sentence:
    """The deterministic sentence for one group: label, weight, best post-it."""
    best = group.postits[0]
    quote = _finish(best.text[:1].lower() + best.text[1:]) if best.text else ""
    weight = f"({group.count} post-its, {group.votes} votes)"
    if language.startswith("fr"):
        head = "Idée singulière" if group.singular else f"« {group.label} » {weight}"
        return Sentence(f"{head} : {quote}", [best.id])
    head = "Singular idea" if group.singular else f"“{group.label}” {weight}"
    return Sentence(f"{head}: {quote}", [best.id])


class ExtractiveDrafter:
    """Model-free drafter: one quoted representative per group."""

    name = "extractive"
    model_id: str | None = None

    def __init__(self) -> None:
        self.settings: dict[str, Any] = {}

    def prompt_for(self, language: str) -> Prompt | None:
        """No prompt: nothing is generated."""
        return None

    def draft(self, requests: Sequence[PitchRequest], progress: Progress | None = None) -> list[list[Sentence]]:
        """One sentence per group, citing the quoted post-it."""
        out = [[extractive_sentence(g, r.language) for g in r.groups if g.postits] for r in requests]
        if progress:
            progress(1.0)
        return out


_BULLET = re.compile(r"^\s*(?:[-*•>]+|\d+[.)])\s*")
_LEAD = re.compile(r"^(?:phrase|sentence|réponse|answer|pitch)\s*:\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def cut_loop(text: str) -> str:
    """Drop a phrase that greedy decoding started repeating, and everything after it.

    Banning repeated n-grams at decoding time instead mangles French words split
    into sub-word tokens, so the loop is cut afterwards.

    >>> cut_loop("Relocaliser les industries en France, en France, en France, en")
    'Relocaliser les industries en France'
    """
    parts = text.split(", ")
    seen: set[str] = set()
    for i, part in enumerate(parts):
        key = part.strip().lower()
        repeats = any(k == key or k.endswith(" " + key) for k in seen)
        truncated_repeat = i == len(parts) - 1 and bool(key) and any(k.startswith(key) for k in seen)
        if repeats or truncated_repeat:
            return ", ".join(parts[:i]).rstrip(" ,")
        seen.add(key)
    return text


def clean_generation(raw: str, max_words: int = 45) -> str:
    """First meaningful line of a generation, unquoted, one sentence, loop-free, punctuated.

    >>> clean_generation('Phrase : « Développer les circuits courts. » Autre chose')
    'Développer les circuits courts.'
    """
    for line in raw.splitlines():
        line = _LEAD.sub("", _BULLET.sub("", line.strip())).strip().strip("\"'«»“”*` ").strip()
        if re.search(r"[^\W\d_]{2,}", line):
            first = cut_loop(_SENTENCE_END.split(line, maxsplit=1)[0])
            words = first.split()
            return _finish(" ".join(words[:max_words]))
    return ""


class TransformersDrafter:
    """Local instruct model drafting one sentence per group.

    Args:
        name: Packaged name, local folder / GGUF file, or hub id.
        variant: Prompt variant (``prompts/pitch/<variant>.<lang>.txt``).
        max_new_tokens: Bound on each sentence's tokens.
        batch_size: Prompts generated together (CPU decoding is memory-bound,
            so batching several groups costs little more than one).
        max_postits: Post-its shown (and cited) per group.
        model: An already loaded ``(tokenizer, model)`` pair, e.g. for tests.
    """

    name = "transformers"

    def __init__(self, name: str, variant: str = "default", max_new_tokens: int = 60,
                 batch_size: int = 8, max_postits: int = 6, model: tuple[Any, Any] | None = None) -> None:
        self.model_id: str | None = name
        self.variant = variant
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size
        self.max_postits = max_postits
        self.tokenizer, self.model = model or load_causal_lm(name)
        self.fallbacks = 0
        self.settings: dict[str, Any] = {
            "do_sample": False, "max_new_tokens": max_new_tokens, "batch_size": batch_size,
            "max_postits": max_postits, "variant": variant,
        }

    def prompt_for(self, language: str) -> Prompt | None:
        """The pitch prompt for ``language``."""
        return load_prompt(self.variant, language)

    def _messages(self, request: PitchRequest, group: GroupBrief) -> list[dict[str, str]]:
        lines = "\n".join(f"- {p.text.strip()} ({p.votes} votes)" for p in group.postits[: self.max_postits])
        prompt = load_prompt(self.variant, request.language)
        return prompt.messages(
            axis=request.axis.name, description=request.axis.description or "",
            label=group.label, keywords=", ".join(group.keywords) or "-", postits=lines,
        )

    def _render(self, messages: list[dict[str, str]]) -> str:
        if getattr(self.tokenizer, "chat_template", None):
            return str(self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
        return "\n\n".join(m["content"] for m in messages) + "\n\n"

    def generate(self, prompts: Sequence[str]) -> list[str]:
        """Greedy generation for a batch of rendered prompts (left padded)."""
        import torch

        tok = self.tokenizer
        tok.padding_side = "left"
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token
        batch = tok(list(prompts), return_tensors="pt", padding=True)
        with torch.inference_mode():
            out = self.model.generate(**batch, max_new_tokens=self.max_new_tokens, do_sample=False,
                                      pad_token_id=tok.pad_token_id)
        new = out[:, batch["input_ids"].shape[1]:]
        return [str(t) for t in tok.batch_decode(new, skip_special_tokens=True)]

    def draft(self, requests: Sequence[PitchRequest], progress: Progress | None = None) -> list[list[Sentence]]:
        """One generated sentence per group; a group whose generation is empty is quoted instead."""
        jobs = [(i, g) for i, r in enumerate(requests) for g in r.groups if g.postits]
        texts: list[str] = []
        for start in range(0, len(jobs), self.batch_size):
            chunk = jobs[start:start + self.batch_size]
            texts += self.generate([self._render(self._messages(requests[i], g)) for i, g in chunk])
            if progress:
                progress(min(1.0, (start + len(chunk)) / len(jobs)))
        out: list[list[Sentence]] = [[] for _ in requests]
        for (i, group), raw in zip(jobs, texts, strict=True):
            sentence = clean_generation(raw)
            if not sentence:
                self.fallbacks += 1
                out[i].append(extractive_sentence(group, requests[i].language))
                continue
            cited = [p.id for p in group.postits[: self.max_postits]]
            out[i].append(Sentence(sentence, cited))
        return out


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
