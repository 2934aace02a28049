"""Litestar application factory: ``create_app(settings)``.

Nothing here reads the environment at import time. With ``ATELIER_QUEUE_URL`` the app only
stores and enqueues (``atelier worker`` processes hold the models); without it, models load
once in the lifespan, off the event loop, and jobs run in this process on the model lanes.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    EngineConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar, Request, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Response
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from litestar.template.config import TemplateConfig
from sqlalchemy import event
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from models.platform import strip_platform_prompt
from service.auth import signin
from service.auth.controllers import KeyController
from service.auth.hosts import allowed_hosts_middleware
from service.auth.keys import authenticate, ensure_admin_key
from service.auth.middleware import AuthMiddleware
from service.catalog.controllers import ModelController
from service.db.commit import commit_before_send
from service.db.migrate import private_home, upgrade
from service.db.models import PostItRow
from service.db.repositories import repository
from service.db.states import UNFINISHED_EMBEDDINGS
from service.discussion.controllers import CommentController
from service.errors import database_refused, stale_write, validation_failed
from service.imports.controllers import ImportController
from service.jobs.controllers import JobController
from service.jobs.queue import Context, build_queue, process_name
from service.jobs.recovery import sweep_local
from service.ml import DrafterFactory, EmbedderFactory, ModelHub
from service.pages import i18n
from service.pages.discussion import DiscussionPages
from service.pages.review import ReviewPages
from service.pages.rooms import RoomPages
from service.review.conflicts import version_conflict
from service.review.controllers import ClusterController, PitchController
from service.review.services import VersionConflict
from service.rooms.controllers import RoomAdminController, RoomController
from service.rooms.controllers import throttles as room_throttles
from service.settings import Settings
from service.syntheses.controllers import SynthesisController
from service.tasks import recover_local, tasks
from service.workshops.controllers import PostItController, WorkshopController
from service.workshops.vote_controller import VoteController


async def _is_admin(request: Request[Any, Any, Any], session: Any) -> bool:
    """Whether the request carries an admin key (``/health`` is public: details are for operators)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    found = await authenticate(session, token)
    return found is not None and found.can("admin")


@get("/health", tags=["health"])
async def health(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Ready or not (503): database and queue reachable, models loaded where jobs run here.

    Anyone sees ``status`` and ``database``; an admin key also sees models, queue, workers (host and
    pid) and pending counts, which tell an attacker what runs and how busy it is.
    """
    state = request.app.state
    pending: int | None = None
    admin = False
    try:
        async with state.sessions() as session:
            admin = await _is_admin(request, session)
            if admin:
                pending = await repository(session, PostItRow).count(
                    PostItRow.embedding_state.in_(UNFINISHED_EMBEDDINGS))
        database = True
    except Exception:
        database = False
    try:
        queue: dict[str, Any] = await state.jobs["queue"].info()
    except Exception as err:
        queue = {"broker": state.jobs["queue"].broker, "error": type(err).__name__}
    hub: ModelHub = state.models
    local = state.jobs["queue"].broker == "local"
    ok = database and "error" not in queue and (hub.loaded or not local)
    body: dict[str, Any] = {"status": "ok" if ok else "unavailable", "database": database}
    if admin:
        drafter = hub.drafter(None, None) if hub.loaded else None  # already loaded: a dictionary read
        body |= {"role": "all-in-one" if local else "api", "models_loaded": hub.loaded,
                 "embedder": hub.settings.embedder, "generator": drafter.model_id if drafter else None,
                 "drafter": hub.settings.drafter, "pending_embeddings": pending, "queue": queue}
    return Response(body, status_code=200 if ok else HTTP_503_SERVICE_UNAVAILABLE)


#: Routes anyone may call: health, the OpenAPI document, the sign-in page and the pages' script.
# /api/v1/rooms: phones carry their room's own token, checked by the room routes (service/rooms).
PUBLIC_PATHS = ["^/health", "^/api/v1/health", "^/schema", "^/review/login", "^/review/static/", "^/api/v1/rooms/",
                "^/p/", "^/room/"]
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


async def security_headers(response: Response[Any]) -> Response[Any]:
    """No framing, no inline script, no referrer leaks, no MIME sniffing."""
    response.headers.update({"Content-Security-Policy": CSP, "X-Frame-Options": "DENY",
                             "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff"})
    return response


def unauthorized(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    """401 JSON on the API; the sign-in page (with the way back) on the review pages."""
    if request.url.path.startswith("/review"):
        return Redirect(f"/review/login?next={quote(request.url.path)}", status_code=303)
    return Response({"status_code": 401, "detail": exc.detail}, status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="atelier"'})


def _sqlite_pragmas(config: SQLAlchemyAsyncConfig) -> None:
    """WAL and a busy timeout let many clients write to SQLite without 'database is locked'."""
    engine = config.get_engine()

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # WAL's recommended sync level: one fsync per checkpoint, not per commit (a room's taps queued
        # behind each commit's fsync). A power cut may lose the last commits, never corrupts the file.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")  # erased post-its are overwritten, not left in free pages
        cursor.close()


def page_filters(engine: JinjaTemplateEngine) -> None:
    """Filters the pages share: ``shown`` is a post-it as pages show it (its platform prompt stripped);
    ``_``/``ngettext`` translate into the page's ``lang``."""
    engine.engine.filters["shown"] = strip_platform_prompt
    i18n.install(engine.engine)


def database_config(settings: Settings) -> SQLAlchemyAsyncConfig:
    """The database: sessions committed before a response is sent; SQLite tuned for many writers."""
    db = SQLAlchemyAsyncConfig(
        connection_string=settings.db_url,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        # hide_parameters: a failed statement's log line would print its bound values (post-it texts).
        engine_config=EngineConfig(connect_args={"timeout": 30} if settings.db_url.startswith("sqlite") else {},
                                   hide_parameters=True),
    )
    db.before_send_handler = commit_before_send(db.session_scope_key)
    if settings.db_url.startswith("sqlite"):
        _sqlite_pragmas(db)
    return db


def make_lifespan(settings: Settings, db: SQLAlchemyAsyncConfig, hub: ModelHub,
                  jobs: Context) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Start-up and shut-down: migrate, admin key, queue; where jobs run here, models and recovery."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(upgrade, settings.db_url)
        app.state.sessions = jobs["sessions"] = db.create_session_maker()
        async with app.state.sessions() as session, session.begin():
            await ensure_admin_key(session, settings.home)
        await jobs["queue"].start()
        sweeping = None
        if jobs["queue"].broker == "local":  # jobs run here: load the models, pick up what a stop left
            await hub.run(hub.load)
            await recover_local(jobs)
            sweeping = asyncio.create_task(sweep_local(jobs))
        _freeze_startup_objects()
        try:
            yield
        finally:
            if sweeping is not None:  # finished before the database engine is disposed
                sweeping.cancel()
                await asyncio.gather(sweeping, return_exceptions=True)
            await jobs["queue"].stop()
            hub.close()
            # The plugin disposes the engine only under its default state key: a second app in one
            # process (tests) is keyed "db_engine_1", and its pooled aiosqlite connections, never
            # closed, were collected later under another test's closed loop ("Event loop is closed").
            await db.get_engine().dispose()

    return lifespan


def _freeze_startup_objects() -> None:
    """What start-up built (modules, models: millions of objects) lives as long as the process:
    out of the collector's sight, a full collection no longer walks it while holding the GIL
    (~0.3 s during which no request was served). Once per process: a second app in the same
    process (tests) would make the first one's garbage immortal."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def openapi_config() -> OpenAPIConfig:
    """The OpenAPI document at ``/schema``, bearer keys as its security scheme (one per app: Litestar fills it)."""
    return OpenAPIConfig(
        title="Atelier", version="1", path="/schema",
        components=Components(security_schemes={"BearerToken": SecurityScheme(
            type="http", scheme="bearer", description="An API key: `atelier keys create --role ROLE`")}),
        security=[{"BearerToken": []}])


#: The REST API under ``/api/v1``.
API_CONTROLLERS: tuple[Any, ...] = (
    WorkshopController, ImportController, VoteController, PostItController, SynthesisController, JobController,
    PitchController, ClusterController, CommentController, ModelController, KeyController, RoomAdminController,
    RoomController, health)
#: Copied into each app: Litestar keeps the mapping it is given and may add to it (``setdefault``).
EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    NotAuthorizedException: unauthorized, ValidationException: validation_failed, VersionConflict: version_conflict,
    StaleDataError: stale_write, IntegrityError: database_refused, DataError: database_refused}


def create_app(settings: Settings | None = None, embedder_factory: EmbedderFactory | None = None,
               drafter_factory: DrafterFactory | None = None) -> Litestar:
    """Build the service.

    Args:
        settings: Defaults to :meth:`Settings.from_env`, read now.
        embedder_factory: Builds embedders by name (tests pass tiny or fake ones).
        drafter_factory: Builds drafters by (kind, generator).
    """
    settings = settings or Settings.from_env()
    private_home(settings.home)
    # aiosqlite logs every call's arguments at DEBUG (post-it texts): an operator's DEBUG must not.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLogger("aiosqlite").level))
    db = database_config(settings)
    hub = ModelHub(settings, embedder_factory, drafter_factory)
    jobs: Context = {"hub": hub, "settings": settings, "worker_name": process_name()}
    jobs["queue"] = build_queue(settings, tasks(), jobs)
    return Litestar(
        route_handlers=[Router("/api/v1", route_handlers=API_CONTROLLERS), health, ReviewPages, DiscussionPages,
                        RoomPages],
        middleware=[allowed_hosts_middleware(settings.allowed_hosts.split(",")),
                    DefineMiddleware(AuthMiddleware, exclude=PUBLIC_PATHS)],
        exception_handlers=dict(EXCEPTION_HANDLERS),
        after_request=security_headers,
        template_config=TemplateConfig(directory=Path(__file__).parent / "templates", engine=JinjaTemplateEngine,
                                       engine_callback=page_filters),
        plugins=[SQLAlchemyPlugin(config=db)],
        lifespan=[make_lifespan(settings, db, hub, jobs)],
        dependencies={"settings": Provide(lambda: settings, sync_to_thread=False),
                      "jobs_context": Provide(lambda: jobs, sync_to_thread=False)},
        state=State({"models": hub, "jobs": jobs, "login_throttles": signin.throttles(settings),
                     "room_throttles": room_throttles(settings)}),
        openapi_config=openapi_config(),
        request_max_body_size=settings.max_body_bytes,
    )
