"""``atelier keys create|list|revoke``: API keys in the database ``ATELIER_DATABASE_URL`` names."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from service.auth.principal import ROLES
from service.db.states import Role


def add_keys(sub: Any) -> None:
    """Register ``atelier keys``."""
    keys = sub.add_parser("keys", help="create, list or revoke API keys")
    ksub = keys.add_subparsers()
    create = ksub.add_parser("create", help="make a key; it is printed once, alone on the last line")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--workshop", action="append", default=[], type=uuid.UUID,
                        help="scope the key to this workshop (repeat); a tool key also gets the ones it creates")
    create.add_argument("--name", default="", help="recorded as the author of its changes")
    create.set_defaults(func=_create)
    listing = ksub.add_parser("list", help="every key: id, role, name, scope, revoked (never a secret)")
    listing.set_defaults(func=_list)
    revoke = ksub.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("id", type=uuid.UUID)
    revoke.set_defaults(func=_revoke)


def in_database(work: Callable[[Any], Awaitable[int]]) -> int:
    """Migrate the database, then run ``work(session)`` in one committed transaction."""
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from service.db.migrate import private_home, upgrade
    from service.settings import Settings

    settings = Settings.from_env()
    private_home(settings.home)
    upgrade(settings.db_url)

    async def main() -> int:
        engine = create_async_engine(settings.db_url)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _create(args: argparse.Namespace) -> int:
    from service.auth.keys import create_key

    async def work(session: Any) -> int:
        row, plaintext = await create_key(session, args.role, args.name, args.workshop)
        scope = ", ".join(str(w) for w in args.workshop) or ("every workshop" if args.role != Role.TOOL else "its own")
        print(f"created {args.role} key {row.id} ({scope}); store it now, it is not shown again:")
        print(plaintext)
        return 0

    try:
        return in_database(work)
    except ValueError as err:
        print(f"atelier keys create: {err}", file=sys.stderr)
        return 2


def _list(args: argparse.Namespace) -> int:
    from service.auth.keys import list_keys

    async def work(session: Any) -> int:
        for row in await list_keys(session):
            scope = ",".join(row.workshop_ids) or "-"
            state = "revoked" if row.revoked else "active"
            print(f"{row.id}\t{row.role}\t{state}\t{row.name or '-'}\tatk_{row.prefix}_…\t{scope}")
        return 0

    return in_database(work)


def _revoke(args: argparse.Namespace) -> int:
    from service.auth.keys import revoke

    async def work(session: Any) -> int:
        if not await revoke(session, args.id):
            print(f"atelier: error: no key {args.id}", file=sys.stderr)
            return 2
        print(f"revoked {args.id}")
        return 0

    return in_database(work)


def add_users(sub: Any) -> None:
    """Register ``atelier users``."""
    users = sub.add_parser("users", help="review-page users (name and password)")
    usub = users.add_subparsers()
    create = usub.add_parser("create", help="a user who signs in on /review with a name and a password")
    create.add_argument("--name", required=True, help="the sign-in name, also the author of their changes")
    create.add_argument("--role", default=Role.FACILITATOR.value, choices=[Role.FACILITATOR, Role.VIEWER])
    create.add_argument("--workshop", action="append", default=[], type=uuid.UUID, help="scope (repeat)")
    create.add_argument("--password-stdin", action="store_true", help="read the password from stdin (else prompt)")
    create.set_defaults(func=_create_user)


def _create_user(args: argparse.Namespace) -> int:
    import getpass

    from service.auth.passwords import create_user

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Mot de passe : ")

    async def work(session: Any) -> int:
        try:
            row = await create_user(session, args.name, password, args.role, args.workshop)
        except ValueError as err:
            print(f"atelier: error: {err}", file=sys.stderr)
            return 2
        print(f"created {args.role} user {args.name!r} ({row.id}); revoke with `atelier keys revoke {row.id}`")
        return 0

    return in_database(work)
