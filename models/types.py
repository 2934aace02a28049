"""Plain data types shared by the pipeline, the service and the evaluation.

These are deliberately dumb dataclasses: no behaviour beyond (de)serialisation,
so the service can map them to database rows and the CLI to JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.consensus import Stance

SINGULAR_LABEL = "Idées singulières"


class Verdict(StrEnum):
    """What a sentence's check says of it against the post-its it cites."""

    SUPPORTED = "supported"  # close to a cited post-it and judged to say the same thing
    CONTRADICTED = "contradicted"  # close, but the judge reads another meaning (an inversion)
    UNSUPPORTED = "unsupported"  # speaks of something no cited post-it speaks of


VERDICTS = tuple(Verdict)


class Stage(StrEnum):
    """A step of the pipeline, in order, as its progress callback names it."""

    EMBEDDING = "embedding"
    CLUSTERING = "clustering"
    DRAFTING = "drafting"
    SCORING = "scoring"


STAGES = tuple(Stage)


@dataclass(frozen=True)
class PostIt:
    """One participant contribution.

    Attributes:
        id: Stable identifier (unique within a workshop).
        text: What the participant wrote.
        axis: Strategic axis it was written under; ``None`` when unknown.
        votes: Votes (dots, likes) it received.
        author: Author or table, free text.
        agrees: Agree votes, where the platform records opinions (Polis); ``None`` for dot votes.
        disagrees: Disagree votes, likewise.
        groups: ``(agrees, disagrees)`` within each opinion group (see ``models.consensus``).
    """

    id: str
    text: str
    axis: str | None = None
    votes: int = 0
    author: str | None = None
    agrees: int | None = None
    disagrees: int | None = None
    groups: tuple[tuple[int, int], ...] = ()


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
    kept_from_review: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Serialise in the ``synthesis.json`` shape."""
        return {
            "id": self.id,
            "label": self.label,
            "keywords": list(self.keywords),
            "postit_ids": list(self.postit_ids),
            "representative_ids": list(self.representative_ids),
            "weight": {"count": self.count, "votes": self.votes},
            "kept_from_review": list(self.kept_from_review),
        }


@dataclass
class Citation:
    """A post-it cited by a pitch sentence, with the similarity that supports it."""

    postit_id: str
    similarity: float


@dataclass
class Sentence:
    """One drafted sentence (a key point or a pitch sentence) and what it rests on.

    Attributes:
        text: The sentence.
        citations: Post-it ids it rests on.
        support: Best similarity with a cited post-it (kept for reading; it never decides alone).
        supported: ``verdict == "supported"`` (the older boolean, kept for clients).
        key_points: Key point ids a pitch sentence draws on (empty for key points).
        verdict: ``supported``, ``contradicted`` or ``unsupported`` (see ``models.verification``).
        quoted: A post-it's own words, quoted: its group's best post-it taken as is (it already was
            a key point), a singular idea, or the fallback of a draft that failed the checks.
        template: A pitch sentence of fixed wording (``prompts/pitch/compose``), not the model's.
    """

    text: str
    citations: list[str]
    support: float = 0.0
    supported: bool = False
    key_points: list[str] = field(default_factory=list)
    verdict: str = Verdict.UNSUPPORTED
    quoted: bool = False
    template: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Serialise in the ``synthesis.json`` shape."""
        return {
            "text": self.text,
            "citations": list(self.citations),
            "support": round(float(self.support), 4),
            "supported": bool(self.supported),
            "key_points": list(self.key_points),
            "verdict": self.verdict,
            "quoted": self.quoted,
            "template": self.template,
        }


@dataclass
class KeyPoint:
    """One key point of an axis: a cluster (or a voted singular idea) in one cited sentence.

    Attributes:
        id: ``<cluster id>`` based, unique within the synthesis.
        cluster_id: The cluster it speaks for; ``None`` for a singular idea.
        sentence: The verified sentence (text, citations, support, verdict).
        count: Post-its in its group.
        votes: Votes in its group.
        stance: Agreement and division from agree/disagree votes; ``None`` without them.
        theme: The id of the theme it is grouped under; ``None`` where the axis has no themes.
    """

    id: str
    cluster_id: str | None
    sentence: Sentence
    count: int = 1
    votes: int = 0
    stance: Stance | None = None
    theme: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Serialise in the ``synthesis.json`` shape."""
        s = self.sentence
        return {"id": self.id, "cluster_id": self.cluster_id, "text": s.text, "citations": list(s.citations),
                "support": round(float(s.support), 4), "verdict": s.verdict, "quoted": s.quoted,
                "weight": {"count": self.count, "votes": self.votes},
                "consensus": self.stance.to_dict() if self.stance else None, "theme": self.theme}


@dataclass
class Theme:
    """A named group of an axis' key points (the human syntheses' second level).

    Attributes:
        id: ``th-<axis slug>-<n>``, unique within the synthesis.
        name: A short noun phrase ("Alimentation locale").
        key_points: Ids of its key points, heaviest first.
    """

    id: str
    name: str
    key_points: list[str]

    def to_dict(self) -> dict[str, Any]:
        """Serialise in the ``synthesis.json`` shape."""
        return {"id": self.id, "name": self.name, "key_points": list(self.key_points)}


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
    key_points: list[KeyPoint] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Serialise in the ``synthesis.json`` shape."""
        return {
            "name": self.name,
            "description": self.description,
            "clusters": [c.to_dict() for c in self.clusters],
            "singular_postit_ids": list(self.singular_postit_ids),
            "routed_postit_ids": list(self.routed_postit_ids),
            "key_points": [k.to_dict() for k in self.key_points],
            "themes": [t.to_dict() for t in self.themes],
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
