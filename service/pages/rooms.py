"""The room's pages: ``/p/{code}`` for phones (forms: works without JavaScript), and the projector
page (``/room/{code}``, a facilitator's session) whose tallies refresh every second by polling.

Polling, not server-sent events: a room is tens to a few hundred phones and one projector; one
small JSON read a second by the projector costs nothing, survives proxies that buffer streams,
and needs no long-lived connection per projector in the service.

A phone's token lives in an HttpOnly cookie scoped to its room's path, SameSite=Strict: a form on
another site cannot post with it (the review pages' CSRF rule, without a token to carry).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
import segno
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import allow, principal
from service.db.models import AxisRow, ParticipantRow, RoomRow, Workshop
from service.db.repositories import get_one, postit_cards, postit_index
from service.errors import bad_request
from service.pages.i18n import page_language, translations
from service.pages.review import draw_map, embedded_ids, static_script
from service.review.axis_map import MapPoint, sample
from service.review.services import axis_clusters
from service.rooms import services
from service.rooms.controllers import gate
from service.rooms.schemas import RoomPostItIn, RoomTallies, VoteIn
from service.settings import Settings
from service.workshops.embedding import queue_embedding
from service.workshops.services import get_workshop

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
COOKIE = "atelier_participant"


def _phone_path(code: str) -> str:
    return f"/p/{services.normal_code(code)}"


async def _phone(request: Request[Any, Any, Any], session: AsyncSession,
                 code: str) -> tuple[RoomRow, ParticipantRow | None]:
    room = await services.room_by_code(session, code)
    token = request.cookies.get(COOKIE, "")
    found = await services.participant(session, code, token) if token else None
    return room, found[1] if found else None


def qr_svg(url: str) -> Markup:
    """The participants' address as an inline SVG QR code (segno; medium error correction)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=6, dark="#222", light="#fff",
                                                         svgclass="qr", lineclass=None, title=url))


class RoomPages(Controller):
    """The phone page and its forms; the projector page and the tallies it polls."""

    include_in_schema = False

    @get("/p/{code:str}")
    async def phone(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                    code: FromPath[str]) -> Template:
        """Join, then vote on each key point and sentence, and add a post-it (thumb-sized, no script needed)."""
        room, who = await _phone(request, db_session, code)
        workshop = await get_workshop(db_session, room.workshop_id)
        items = await services.items(db_session, room.workshop_id) if who else []
        mine = await services.my_votes(db_session, who) if who else {}
        return Template("room_phone.html", context={
            "room": room, "workshop": workshop, "items": items, "mine": mine, "joined": who is not None,
            "lang": page_language(request, workshop.language), "user": None})

    @post("/p/{code:str}/join")
    async def join(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                   code: FromPath[str]) -> Redirect:
        """Join from the page: the token goes into the room's cookie."""
        gate(request, "join", request.client.host if request.client else "unknown")
        token = await services.join(db_session, code)
        response = Redirect(_phone_path(code), status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path=_phone_path(code),
                            secure=request.url.scheme == "https", max_age=24 * 3600)
        return response

    @post("/p/{code:str}/vote")
    async def vote(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                   code: FromPath[str], data: Form) -> Redirect:
        """One vote from its button, then back to the item."""
        room, who = await _phone(request, db_session, code)
        if who is None:
            return Redirect(_phone_path(code), status_code=303)
        gate(request, "vote", str(who.id))
        if data.get("vote") not in ("1", "-1", "0"):
            raise bad_request("vote: 1, -1 or 0", "vote")
        cast = msgspec.convert({"item_id": data.get("item_id", "")[:40] or "-", "vote": int(data["vote"])}, VoteIn)
        await services.vote(db_session, room, who, [cast])
        return Redirect(f"{_phone_path(code)}#{data.get('item_id', '')[:40]}", status_code=303)

    @post("/p/{code:str}/postit")
    async def postit(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                     settings: NamedDependency[Settings], code: FromPath[str], data: Form) -> Redirect:
        """A new post-it from the page's form."""
        room, who = await _phone(request, db_session, code)
        if who is None:
            return Redirect(_phone_path(code), status_code=303)
        gate(request, "postit", str(who.id))
        text = data.get("text", "").strip()
        if not text:
            raise bad_request("text: write something", "text")
        _, new = await services.add_postit(db_session, room, RoomPostItIn(text, data.get("axis") or None), settings)
        await queue_embedding(request.app.state.jobs["queue"], [str(i) for i in new])
        return Redirect(f"{_phone_path(code)}#added", status_code=303)

    @get("/room/{code:str}")
    async def projector_address(self, code: FromPath[str]) -> Redirect:
        """The projector's short address: the page itself lives under ``/review`` (the session's cookie path)."""
        return Redirect(f"/review/rooms/{services.normal_code(code)}", status_code=303)

    @get("/review/rooms/{code:str}", guards=[allow("read")])
    async def projector(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                        code: FromPath[str]) -> Template:
        """The QR code, the code, and the tallies per axis, refreshed every 2 s; no participant identity."""
        room = await _seen_room(request, db_session, code)
        workshop = await get_workshop(db_session, room.workshop_id)
        tallies = await services.tallies(db_session, room.workshop_id)
        url = f"{str(request.base_url).rstrip('/')}{_phone_path(code)}"
        return Template("room_projector.html", context={
            "room": room, "workshop": workshop, "tallies": tallies, "qr": qr_svg(url),
            "participant_url": url, "lang": page_language(request, workshop.language),
            "user": principal(request).name})

    @get("/review/rooms/{code:str}/tallies", guards=[allow("read")])
    async def tallies(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                      code: FromPath[str]) -> RoomTallies:
        """What the projector polls."""
        room = await _seen_room(request, db_session, code)
        return await services.tallies(db_session, room.workshop_id)

    @get("/review/rooms/{code:str}/map/{axis_id:uuid}", guards=[allow("read")], media_type="image/svg+xml")
    async def axis_map(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                       code: FromPath[str], axis_id: FromPath[uuid.UUID]) -> Response[bytes]:
        """The axis's map as an image: its post-its by cluster, those not grouped yet in yellow.

        The projector asks for it again (``?v=`` the tallies' ``map_version``) only when it changed;
        the same version is the same picture, so the browser may keep it."""
        room = await _seen_room(request, db_session, code)
        axis = await get_one(db_session, AxisRow, axis_id)
        if axis.workshop_id != room.workshop_id:
            raise NotFoundException(f"axis {axis_id} not found in this room's workshop")
        workshop = await get_workshop(db_session, room.workshop_id)
        svg = await room_map(db_session, workshop, axis, translations(page_language(request, workshop.language)))
        return Response(svg.encode(), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})

    @get("/review/static/room.js", media_type="text/javascript", cache_control=None)
    async def projector_script(self) -> str:
        """The projector's polling script (the CSP allows no inline script)."""
        return static_script("room.js")


async def room_map(session: AsyncSession, workshop: Workshop, axis: AxisRow, words: Any) -> str:
    """The axis's map, standalone SVG: clustered post-its by cluster, the others (new since the last
    synthesis, the room's among them) as new points; as sampled and bounded as the axis page's map."""
    index = await postit_index(session, workshop.id, axis.id)
    clusters = await axis_clusters(session, axis.id)
    embedded = embedded_ids(index)
    singular, new = words.gettext("Idées singulières"), words.gettext("Nouvelle idée, pas encore regroupée")
    points = [MapPoint(pid, "", -1 if c.singular else i, singular if c.singular else c.label)
              for i, c in enumerate(clusters) for pid in c.postit_ids if pid in embedded]
    grouped = {p.postit_id for p in points}
    points += [MapPoint(pid, "", 0, new, new=True) for pid in sorted(embedded - grouped)]
    drawn = [points[i] for i in sample(points)]
    texts = {str(p.id): p.text for p in await postit_cards(session, [p.postit_id for p in drawn])}
    title = f'{words.gettext("Carte des idées")} — {axis.name}'
    drawing, _ = await draw_map(session, drawn, texts, workshop.language, title, singular, standalone=True)
    return str(drawing)


async def _seen_room(request: Request[Any, Any, Any], session: AsyncSession, code: str) -> RoomRow:
    """The open room, if the signed-in key sees its workshop (else the same 404 as no room)."""
    room = await services.room_by_code(session, code)
    if not principal(request).sees(room.workshop_id):
        raise NotFoundException(f"room {services.normal_code(code)} not found")
    return room
