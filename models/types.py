"""Plain data types shared by the pipeline, the service and the evaluation.

These are deliberately dumb dataclasses: no behaviour beyond (de)serialisation,
so the service can map them to database rows and the CLI to JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SINGULAR_LABEL = "Idées singulières"


@dataclass(frozen=True)
class PostIt:
    """One participant contribution.

    Attributes:
        id: Stable identifier (unique within a workshop).
        text: What the participant wrote.
        axis: Strategic axis it was written under; ``None`` when unknown.
        votes: Votes (dots, likes) it received.
        author: Author or table, free text.
    """

    id: str
    text: str
    axis: str | None = None
    votes: int = 0
    author: str | None = None


@dataclass(frozen=True)
class Axis:
    """A strategic axis of the workshop."""

    name: str
    description: str = ""


@dataclass
class Cluster:
    """A group of similar post-its within one axis."""

    id: str
    label: str
    keywords: list[str]
    postit_ids: list[str]
    representative_ids: list[str]
    count: int
    votes: int

    def to_dict(self) -> dict[str, Any]:
        """Serialise in the ``synthesis.json`` shape."""
        return {
            "id": self.id,
            "label": self.label,
            "keywords": list(self.keywords),
            "postit_ids": list(self.postit_ids),
            "representative_ids": list(self.representative_ids),
            "weight": {"count": self.count, "votes": self.votes},
        }


@dataclass
class Citation:
    """A post-it cited by a pitch sentence, with the similarity that supports it."""

    postit_id: str
    similarity: float


@dataclass
class Sentence:
    """One pitch sentence and the post-its it rests on."""

    text: str
    citations: list[str]
    support: float = 0.0
    supported: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Serialise in the ``synthesis.json`` shape."""
        return {
            "text": self.text,
            "citations": list(self.citations),
            "support": round(float(self.support), 4),
            "supported": bool(self.supported),
        }


@dataclass
class Pitch:
    """The drafted pitch of one axis."""

    sentences: list[Sentence]

    @property
    def text(self) -> str:
        """The pitch as one paragraph."""
        return " ".join(s.text for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        """Serialise in the ``synthesis.json`` shape."""
        return {"text": self.text, "sentences": [s.to_dict() for s in self.sentences]}


@dataclass
class AxisSynthesis:
    """Everything the pipeline produced for one axis."""

    name: str
    description: str
    clusters: list[Cluster]
    singular_postit_ids: list[str]
    routed_postit_ids: list[str]
    pitch: Pitch

    def to_dict(self) -> dict[str, Any]:
        """Serialise in the ``synthesis.json`` shape."""
        return {
            "name": self.name,
            "description": self.description,
            "clusters": [c.to_dict() for c in self.clusters],
            "singular_postit_ids": list(self.singular_postit_ids),
            "routed_postit_ids": list(self.routed_postit_ids),
            "pitch": self.pitch.to_dict(),
        }


@dataclass
class Synthesis:
    """The result of one pipeline run."""

    axes: list[AxisSynthesis]
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Serialise in the ``synthesis.json`` shape."""
        return {"axes": [a.to_dict() for a in self.axes], "provenance": dict(self.provenance)}
