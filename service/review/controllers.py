"""Review actions for workshop tools (the pages call the same services)."""

from __future__ import annotations

import difflib
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import Body, FromPath, FromQuery
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import allow, principal
from service.db.mapping import to_schema
from service.db.models import ClusterRow, PitchRow, Revision
from service.errors import bad_request
from service.jobs.queue import Context
from service.review import export, jobs, services
from service.review.schemas import (
    Author,
    ClusterMerge,
    ClusterOut,
    ClusterRename,
    JobAccepted,
    PitchEdit,
    PitchOut,
    PostItMove,
    RevisionOut,
)


def author_of(request: Request[Any, Any, Any]) -> str:
    """The authenticated key's name: a body's ``author`` is ignored (kept for older clients)."""
    return principal(request).name


ActionBody = Annotated[Author | None, Body()]


def expected_version(request: Request[Any, Any, Any], body: int | None = None) -> int | None:
    """The version the client saw: ``If-Match: "3"`` (as the ``ETag`` it got), else the body's ``version``."""
    raw = request.headers.get("if-match", "").strip().removeprefix("W/").strip('"')
    if raw and raw != "*":
        try:
            return int(raw)
        except ValueError:
            raise bad_request("If-Match: expected a version, e.g. \"3\"", "If-Match") from None
    return body


def with_etag(pitch: PitchRow) -> Response[PitchOut]:
    """The pitch, with its version as ``ETag`` for the next ``If-Match``."""
    return Response(pitch_out(pitch), headers={"ETag": f'"{pitch.version}"'})


def pitch_out(p: PitchRow) -> PitchOut:
    """Response body of a pitch."""
    return to_schema(p, PitchOut, text=services.pitch_text(p.sentences))


def cluster_out(c: ClusterRow) -> ClusterOut:
    """Response body of a cluster (its columns, by name)."""
    return to_schema(c, ClusterOut)


def text_diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """Unified diff of the pitch text, one sentence per line."""
    def lines(state: dict[str, Any] | None) -> list[str]:
        return [s["text"] for s in (state or {}).get("sentences", [])] if state and "sentences" in state else \
            [str(state.get("text", state.get("label", "")))] if state else []
    return "\n".join(difflib.unified_diff(lines(before), lines(after), "avant", "après", lineterm=""))


def revision_out(r: Revision) -> RevisionOut:
    """Response body of a revision, with its diff."""
    return to_schema(r, RevisionOut, at=r.created_at, diff=text_diff(r.before, r.after))


class PitchController(Controller):
    """``/api/v1/pitches``."""

    path = "/pitches"
    tags = ["review"]

    @get("/{pitch_id:uuid}", guards=[allow("read")])
    async def read(self, db_session: NamedDependency[AsyncSession],
                   pitch_id: FromPath[uuid.UUID]) -> Response[PitchOut]:
        """The pitch with its sentences, citations, state and any new draft offered beside it (``ETag``: version)."""
        return with_etag(await services.get_pitch(db_session, pitch_id))

    @patch("/{pitch_id:uuid}", guards=[allow("review")])
    async def edit(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                   pitch_id: FromPath[uuid.UUID], data: Annotated[PitchEdit, Body()]) -> Response[PitchOut]:
        """Replace the text: a new version, approval withdrawn. With ``If-Match`` (or ``version``), only if
        nobody changed the pitch since: else 412 (409 for ``version``) with the current pitch."""
        return with_etag(await services.edit_pitch(db_session, pitch_id, data.text, author_of(request),
                                                   expected_version(request, data.version)))

    @post("/{pitch_id:uuid}/approve", guards=[allow("review")])
    async def approve(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                      pitch_id: FromPath[uuid.UUID], data: ActionBody = None) -> Response[PitchOut]:
        """Approve the pitch."""
        expected = expected_version(request, data.version if data else None)
        return with_etag(await services.set_approval(db_session, pitch_id, True, author_of(request), expected))

    @post("/{pitch_id:uuid}/unapprove", guards=[allow("review")])
    async def unapprove(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                        pitch_id: FromPath[uuid.UUID], data: ActionBody = None) -> Response[PitchOut]:
        """Withdraw approval."""
        expected = expected_version(request, data.version if data else None)
        return with_etag(await services.set_approval(db_session, pitch_id, False, author_of(request), expected))

    @post("/{pitch_id:uuid}/accept-proposal", guards=[allow("review")])
    async def accept(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                     pitch_id: FromPath[uuid.UUID], data: ActionBody = None) -> Response[PitchOut]:
        """Replace an edited pitch with the new draft offered beside it."""
        expected = expected_version(request, data.version if data else None)
        return with_etag(await services.accept_proposal(db_session, pitch_id, author_of(request), expected))

    @post("/{pitch_id:uuid}/regenerate", status_code=HTTP_202_ACCEPTED, guards=[allow("review")])
    async def regenerate(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                         jobs_context: NamedDependency[Context], pitch_id: FromPath[uuid.UUID]) -> JobAccepted:
        """Draft this axis again from its current clusters; poll ``GET /jobs/{job_id}`` (429 past the job caps)."""
        job = await jobs.regenerate_later(db_session, jobs_context, pitch_id, principal(request).key_id)
        return JobAccepted(job_id=job.id)

    @get("/{pitch_id:uuid}/history", guards=[allow("read")])
    async def history(self, db_session: NamedDependency[AsyncSession],
                      pitch_id: FromPath[uuid.UUID]) -> list[RevisionOut]:
        """Every version of the pitch: who, when, what, and the diff."""
        pitch = await services.get_pitch(db_session, pitch_id)
        return [revision_out(r) for r in await services.history(db_session, pitch_id, "pitch", pitch.workshop_id)]


class ClusterController(Controller):
    """``/api/v1/clusters`` and post-it moves."""

    tags = ["review"]

    @patch("/clusters/{cluster_id:uuid}", guards=[allow("review")])
    async def rename(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                     cluster_id: FromPath[uuid.UUID], data: Annotated[ClusterRename, Body()]) -> ClusterOut:
        """Rename a cluster."""
        expected = expected_version(request, data.version)
        return cluster_out(await services.rename_cluster(db_session, cluster_id, data.label, author_of(request),
                                                         expected))

    @post("/clusters/{cluster_id:uuid}/merge", guards=[allow("review")])
    async def merge(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                    cluster_id: FromPath[uuid.UUID], data: Annotated[ClusterMerge, Body()]) -> ClusterOut:
        """Merge ``other_id`` into this cluster."""
        expected = expected_version(request, data.version)
        return cluster_out(await services.merge_clusters(db_session, cluster_id, data.other_id, author_of(request),
                                                         expected))

    @post("/postits/{postit_id:uuid}/move", guards=[allow("review")])
    async def move(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                   postit_id: FromPath[uuid.UUID], data: Annotated[PostItMove, Body()]) -> ClusterOut:
        """Move a post-it to another cluster of its axis (``null``: to the singular group)."""
        who = author_of(request)
        return cluster_out(await services.move_postit(db_session, postit_id, data.cluster_id, who))

    @get("/clusters/{cluster_id:uuid}/history", guards=[allow("read")])
    async def history(self, db_session: NamedDependency[AsyncSession],
                      cluster_id: FromPath[uuid.UUID]) -> list[RevisionOut]:
        """Renames and merges of a cluster (404 for an id that is not a cluster's, or a deleted one)."""
        cluster = await services.get_cluster(db_session, cluster_id)
        return [revision_out(r) for r in await services.history(db_session, cluster_id, "cluster",
                                                                cluster.workshop_id)]

    @get("/workshops/{workshop_id:uuid}/export", guards=[allow("read")])
    async def export(self, db_session: NamedDependency[AsyncSession], workshop_id: FromPath[uuid.UUID],
                     format: FromQuery[str] = "md", comments: FromQuery[str] = "none") -> Response[bytes]:
        """The reviewed syntheses with approval state and citations: ``md``, ``docx``, ``json`` or ``csv``;
        ``comments=unresolved`` (or ``all``) adds the discussion threads (md, docx, json)."""
        return await export.download(db_session, workshop_id, format, comments)

    @get("/workshops/{workshop_id:uuid}/review", guards=[allow("read")])
    async def review(self, db_session: NamedDependency[AsyncSession],
                     workshop_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        """Everything under review for a workshop (same data as the JSON export)."""
        return await export.reviewed(db_session, workshop_id)
