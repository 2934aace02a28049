"""Server-rendered review pages under ``/review`` (Jinja, autoescaped; French, English, German: see i18n).

Forms post to the same services as the API and redirect back (POST/redirect/GET).
Reviewers sign in with an API key (``/review/login``); the session cookie is HttpOnly and
SameSite=Strict, and every form carries the session's CSRF token.
"""

from __future__ import annotations

import gettext
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import anyio
import numpy as np
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType, RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from models.language import DEFAULT_LANGUAGE, LANGUAGES, base_language
from models.platform import strip_platform_prompt
from service.auth import signin
from service.auth.guards import allow, principal
from service.auth.sessions import COOKIE, LIFETIME, close_session, csrf, open_session
from service.db.models import AxisRow, Job
from service.db.repositories import axis_pitch, get_one, postit_cards, postit_index
from service.discussion import services as discussion
from service.errors import not_found
from service.pages import i18n
from service.pages.i18n import N_, SOURCE, page_language, translations
from service.review import export, jobs, services
from service.review.axis_map import MapPoint, render_svg, sample
from service.review.conflicts import conflict_page
from service.review.controllers import author_of, text_diff
from service.review.tallies import ItemKind, counts, item_id
from service.settings import Settings
from service.syntheses.overview import workshop_overview
from service.syntheses.schemas import SynthesisCreate
from service.syntheses.services import request_synthesis
from service.workshops.embedding import vectors_of
from service.workshops.services import get_workshop, list_workshops


def static_script(name: str) -> str:
    """A script of ``service/static``, served from this origin (the CSP allows no inline script)."""
    return (Path(__file__).parents[1] / "static" / name).read_text(encoding="utf-8")

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
UNKNOWN = N_("Clé, nom ou mot de passe inconnu, ou accès révoqué.")


def reader_language(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The context of a page that belongs to no workshop: the reader's language, and the others on offer."""
    return {"lang": page_language(request), "languages": LANGUAGES}


def _login_page(request: Request[Any, Any, Any], settings: Settings, next_path: str, error: str | None,
                status: int) -> Template:
    token = signin.login_token(request)
    page = Template("login.html", context={"next": next_path, "error": error, "user": None, "login_csrf": token,
                                           **reader_language(request)}, status_code=status)
    page.set_cookie(signin.LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/review/login",
                    secure=bool(settings.secure_cookies), max_age=3600)
    return page


async def rendered(request: Request[Any, Any, Any], name: str, context: dict[str, Any]) -> Response[str]:
    """A page rendered in a worker thread: a large axis is ~2 MB of HTML, ~0.3 s of Jinja that would
    otherwise hold the event loop (and every other request) while it renders."""
    template = request.app.template_engine.get_template(name)  # type: ignore[union-attr]
    html = await anyio.to_thread.run_sync(lambda: template.render(**context, request=request))
    return Response(html, media_type=MediaType.HTML)


def local_path(target: str | None, default: str = "/review") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirect).

    >>> local_path("/review/axes/1"), local_path("//evil.example/x"), local_path("https://evil.example")
    ('/review/axes/1', '/review', '/review')
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


STANCE_NAMES = {"consensus": N_("consensus"), "divided": N_("divise la salle"), "mixed": N_("avis partagés")}


def describe_stance(consensus: dict[str, Any] | None, words: gettext.NullTranslations | None = None) -> str | None:
    """A key point's agreement and division in words (the page and the map say the same).

    >>> stance = {"label": "divided", "agreement": 0.55, "agrees": 11, "disagrees": 9, "divided": "groups",
    ...           "groups": [0.9, 0.2]}
    >>> describe_stance(stance)
    "divise la salle : 55 % d'accord (11 pour, 9 contre) ; les groupes d'opinion votent autrement : 90 %, 20 %"
    >>> describe_stance(stance, translations("en"))
    'divides the room: 55% agree (11 for, 9 against); the opinion groups vote differently: 90%, 20%'
    """
    if not consensus or not consensus.get("label"):
        return None
    _ = (words or translations(SOURCE)).gettext
    text = _("%(stance)s : %(share)s %% d'accord (%(agrees)s pour, %(disagrees)s contre)") % {
        "stance": _(STANCE_NAMES[consensus["label"]]), "share": round(consensus["agreement"] * 100),
        "agrees": consensus["agrees"], "disagrees": consensus["disagrees"]}
    if consensus.get("divided") == "groups":
        shares = ", ".join("—" if g is None else _("%(share)s %%") % {"share": round(g * 100)}
                           for g in consensus.get("groups", []))
        text += _(" ; les groupes d'opinion votent autrement : %(shares)s") % {"shares": shares}
    return text


#: Post-its listed per group on the axis page unless the reader asks for the whole group.
MEMBERS_SHOWN = 50


async def axis_view(session: AsyncSession, axis_id: uuid.UUID, expand: str | None = None) -> dict[str, Any]:
    """Everything the axis page shows; ``expand`` names the one group listed in full.

    Only what is shown is read in full: an index of the axis (id, votes, embedder), then the texts
    of the listed, drawn and cited post-its and the vectors of the drawn ones. Reading all of a
    20,000-post-it axis held the event loop ~5 s.
    """
    axis = await get_one(session, AxisRow, axis_id)
    workshop = await get_workshop(session, axis.workshop_id)
    lang = base_language(workshop.language, DEFAULT_LANGUAGE)
    words = translations(lang)
    index = await postit_index(session, workshop.id, axis.id)
    clusters = await services.axis_clusters(session, axis.id)
    pitch = await axis_pitch(session, axis.id)
    key_points, themes = await services.axis_key_points(session, pitch, axis.name)
    room = await counts(session, workshop.id)
    for k in key_points:
        k["stance_text"] = describe_stance(k.get("consensus"), words)
        k["room"] = room.get(item_id(axis.id, ItemKind.KEY_POINT, k["text"]))
    by_cluster = {k["cluster_id"]: k for k in key_points if k.get("cluster_id")}
    job = await session.get(Job, pitch.job_id) if pitch and pitch.job_id else None
    layout = await anyio.to_thread.run_sync(_layout, index, clusters, by_cluster, expand,
                                            words.gettext("Idées singulières"))
    cited = {c for item in [*key_points, *(pitch.sentences if pitch else [])] for c in item.get("citations") or []}
    postits = {str(p.id): p for p in await postit_cards(session, [*layout["wanted"], *cited])}
    drawing, shown = await draw_map(session, layout["drawn"], {i: p.text for i, p in postits.items()},
                                    workshop.language, words.gettext("Carte des idées"),
                                    words.gettext("Idées singulières"))
    groups = [{**g, "members": [postits[i] for i in g["members"] if i in postits]} for g in layout["groups"]]
    threads, former = await discussion.axis_threads(session, axis.id, [c.id for c in clusters],
                                                    pitch.id if pitch else None)
    return {"threads": threads, "former": former,
            "open_threads": discussion.open_threads([*former, *(m for t in threads.values() for m in t)]),
            "kp_by_cluster": {c.id: by_cluster[c.key] for c in clusters if c.key in by_cluster},
            "workshop": workshop, "axis": axis, "clusters": clusters, "groups": groups, "pitch": pitch,
            "postits": postits, "key_points": key_points, "themes": {t["id"]: t["name"] for t in themes},
            "kp_number": {k["id"]: n for n, k in enumerate(key_points, 1)},
            "sentence_room": [room.get(item_id(axis.id, ItemKind.SENTENCE, x["text"]))
                              for x in (pitch.sentences if pitch else [])],
            "job": job, "lang": lang,
            "map": drawing if shown else None,
            "not_mapped": layout["not_mapped"], "not_drawn": layout["mapped"] - shown, "shown_limit": shown}


def embedded_ids(index: Sequence[Any]) -> set[str]:
    """Ids of the post-its embedded by the axis's most used embedder: a map is one model's space."""
    models = [r.embedding_model for r in index if r.embedding_model]
    main = max(set(models), key=models.count) if models else None
    return {str(r.id) for r in index if main and r.embedding_model == main}


async def draw_map(session: AsyncSession, drawn: Sequence[MapPoint], texts: Mapping[str, str], language: str,
                   title: str, band: str, standalone: bool = False) -> tuple[Markup, int]:
    """The map of the ``drawn`` points that have a text and a stored vector (texts as pages show
    them; the drawing off the event loop), and how many it shows."""
    stored = await vectors_of(session, [p.postit_id for p in drawn])
    shown = [replace(p, text=strip_platform_prompt(texts[p.postit_id], language))
             for p in drawn if p.postit_id in stored and p.postit_id in texts]
    vectors = np.stack([stored[p.postit_id] for p in shown]) if shown else np.zeros((0, 1))
    drawing = await anyio.to_thread.run_sync(lambda: render_svg(shown, vectors, title=title, band=band,
                                                                standalone=standalone))
    return drawing, len(shown)


def _layout(index: Sequence[Any], clusters: Sequence[Any], by_cluster: dict[str, Any],
            expand: str | None, singular: str) -> dict[str, Any]:
    """Which post-its the page lists per group and draws on the map (pure: runs in a worker thread);
    ``singular`` names the singular ideas in the page's language."""
    votes = {str(r.id): r.votes for r in index}
    embedded = embedded_ids(index)
    titles = [" — ".join(filter(None, [singular if c.singular else c.label,
                                       by_cluster.get(c.key, {}).get("stance_text")])) for c in clusters]
    points = [MapPoint(pid, "", -1 if c.singular else i, titles[i])
              for i, c in enumerate(clusters) for pid in c.postit_ids if pid in votes]
    mapped = [p for p in points if p.postit_id in embedded]
    drawn = [mapped[i] for i in sample(mapped)]
    groups, wanted = [], {p.postit_id for p in drawn}
    for c in clusters:
        members = sorted((i for i in c.postit_ids if i in votes), key=lambda i: -votes[i])
        # A group lists its most-voted post-its; the rest on demand (a 1,000-member group with a
        # move form each is ~2 MB of page, and the page refreshes during jobs).
        listed = members if str(c.id) == expand else members[:MEMBERS_SHOWN]
        wanted.update(listed)
        groups.append({"cluster": c, "members": listed, "hidden": len(members) - len(listed), "count": len(members),
                       "votes": sum(votes[i] for i in members)})
    return {"groups": groups, "drawn": drawn, "wanted": wanted, "mapped": len(mapped),
            "not_mapped": len(points) - len(mapped)}


class ReviewPages(Controller):
    """``/review``: workshops, axes, pitch history, and the form actions."""

    path = "/review"
    include_in_schema = False

    @get("/", guards=[allow("read")])
    async def index(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> Template:
        """Workshops list."""
        workshops = await list_workshops(db_session, principal(request))
        return Template("index.html", context={"workshops": workshops, "user": author_of(request),
                                               **reader_language(request)})

    @get("/workshops/{workshop_id:uuid}", guards=[allow("read")])
    async def workshop(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                       workshop_id: FromPath[uuid.UUID]) -> Template:
        """A workshop: its axes, pitch states and latest synthesis."""
        view = await workshop_overview(db_session, workshop_id)
        return Template("workshop.html", context={"view": view, "workshop": view.workshop, "user": author_of(request),
                                                   "latest_job": view.latest_job, "live": view.live,
                                                   "lang": page_language(request, view.workshop.language)})

    @get("/axes/{axis_id:uuid}", guards=[allow("read")])
    async def axis(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                   axis_id: FromPath[uuid.UUID], group: FromQuery[str | None] = None) -> Response[str]:
        """Clusters, singular ideas, the cited pitch, the map, and every action (``?group=ID``: one group in full)."""
        view = await axis_view(db_session, axis_id, group)
        return await rendered(request, "axis.html", {**view, "user": author_of(request)})

    @get("/pitches/{pitch_id:uuid}/history", guards=[allow("read")])
    async def history(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                      pitch_id: FromPath[uuid.UUID]) -> Template:
        """Every version of a pitch with the diff to the previous one."""
        pitch = await services.get_pitch(db_session, pitch_id)
        axis = await db_session.get(AxisRow, pitch.axis_id)
        workshop = await get_workshop(db_session, pitch.workshop_id)
        revisions = await services.history(db_session, pitch_id, "pitch", pitch.workshop_id)
        rows = [(r, text_diff(r.before, r.after).splitlines()[2:]) for r in reversed(revisions)]
        return Template("history.html", context={"pitch": pitch, "axis": axis, "rows": rows,
                                                 "user": author_of(request),
                                                 "lang": page_language(request, workshop.language)})

    @get("/workshops/{workshop_id:uuid}/export", guards=[allow("read")])
    async def export(self, db_session: NamedDependency[AsyncSession], workshop_id: FromPath[uuid.UUID],
                     format: FromQuery[str] = "md", comments: FromQuery[str] = "none") -> Response[bytes]:
        """The reviewed syntheses, downloaded from the pages (same as the API's export)."""
        return await export.download(db_session, workshop_id, format, comments)

    @get("/static/axis.js", media_type="text/javascript", cache_control=None)
    async def axis_script(self) -> str:
        """The axis page's script, served from this origin (the CSP allows no inline script)."""
        return static_script("axis.js")

    @get("/static/workshop.js", media_type="text/javascript", cache_control=None)
    async def workshop_script(self) -> str:
        """The workshop page's script: it refreshes the axes' states while a synthesis runs."""
        return static_script("workshop.js")

    @get("/language/{language:str}")
    async def language(self, language: FromPath[str], next: FromQuery[str | None] = None) -> Redirect:
        """Remember the reader's language for the pages that belong to no workshop (a workshop's pages
        always speak the workshop's language)."""
        response = Redirect(local_path(next), status_code=303)
        if language in LANGUAGES:
            response.set_cookie(i18n.COOKIE, language, httponly=True, samesite="lax", path="/review",
                                max_age=365 * 86400)
        return response

    @get("/login")
    async def login_form(self, request: Request[Any, Any, Any], settings: NamedDependency[Settings],
                         next: FromQuery[str | None] = None) -> Template:
        """The sign-in form (an API key, or a name and a password), with its login CSRF token."""
        return _login_page(request, settings, local_path(next), None, 200)

    @post("/login")
    async def login(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                    settings: NamedDependency[Settings], data: Form) -> Response[Any]:
        """Check the key or password, open a session, go back where the reviewer was going."""
        found = await signin.check(request, db_session, data)
        if found is None:
            return _login_page(request, settings, local_path(data.get("next")), UNKNOWN, 401)
        token = await open_session(db_session, found.key_id)
        response: Response[Any] = Redirect(local_path(data.get("next")), status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=bool(settings.secure_cookies),
                            path="/review", max_age=int(LIFETIME.total_seconds()))
        return response

    @post("/logout", guards=[allow("read"), csrf])
    async def logout(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> Redirect:
        """Close the session."""
        await close_session(db_session, request.cookies.get(COOKIE, ""))
        response = Redirect("/review/login", status_code=303)
        response.delete_cookie(COOKIE, path="/review")
        return response

    @post("/workshops/{workshop_id:uuid}/synthesize", guards=[allow("synthesize"), csrf])
    async def synthesize(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                         settings: NamedDependency[Settings], workshop_id: FromPath[uuid.UUID]) -> Redirect:
        """Start a synthesis of the whole workshop (or show the one already running)."""
        await request_synthesis(db_session, request.app.state.jobs, workshop_id, SynthesisCreate(), settings,
                                principal(request).key_id)
        return Redirect(f"/review/workshops/{workshop_id}", status_code=303)

    @post("/pitches/{pitch_id:uuid}/{action:str}", guards=[allow("review"), csrf])
    async def pitch_action(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                           pitch_id: FromPath[uuid.UUID], action: FromPath[str], data: Form) -> Response[Any]:
        """Edit, approve, unapprove, accept the offered draft, or regenerate."""
        user = author_of(request)
        expected = int(data["version"]) if data.get("version", "").isdigit() else None
        try:
            if action == "edit":
                pitch = await services.edit_pitch(db_session, pitch_id, data.get("text", ""), user, expected)
            elif action in ("approve", "unapprove"):
                pitch = await services.set_approval(db_session, pitch_id, action == "approve", user, expected)
            elif action == "accept":
                pitch = await services.accept_proposal(db_session, pitch_id, user, expected)
            elif action == "regenerate":
                pitch = await services.get_pitch(db_session, pitch_id)
                await jobs.regenerate_later(db_session, request.app.state.jobs, pitch_id, principal(request).key_id)
            else:
                raise not_found("action", action)
        except services.VersionConflict as conflict:  # the pages only change pitches
            pitch = await services.get_pitch(db_session, pitch_id)
            workshop = await get_workshop(db_session, pitch.workshop_id)
            return conflict_page(conflict, pitch, data.get("text", ""), user, page_language(request, workshop.language))
        return Redirect(f"/review/axes/{pitch.axis_id}#pitch", status_code=303)

    @post("/clusters/{cluster_id:uuid}/{action:str}", guards=[allow("review"), csrf])
    async def cluster_action(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                             cluster_id: FromPath[uuid.UUID], action: FromPath[str], data: Form) -> Redirect:
        """Rename or merge a cluster."""
        if action == "rename":
            cluster = await services.rename_cluster(db_session, cluster_id, data.get("label", ""), author_of(request))
        elif action == "merge":
            other = uuid.UUID(data["other_id"])
            cluster = await services.merge_clusters(db_session, cluster_id, other, author_of(request))
        else:
            raise not_found("action", action)
        return Redirect(f"/review/axes/{cluster.axis_id}#clusters", status_code=303)

    @post("/postits/{postit_id:uuid}/move", guards=[allow("review"), csrf])
    async def move(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession],
                   postit_id: FromPath[uuid.UUID], data: Form) -> Redirect:
        """Move a post-it to another cluster or to the singular ideas."""
        target = uuid.UUID(data["cluster_id"]) if data.get("cluster_id") else None
        cluster = await services.move_postit(db_session, postit_id, target, author_of(request))
        return Redirect(f"/review/axes/{cluster.axis_id}#clusters", status_code=303)
