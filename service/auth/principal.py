"""Who is calling, and what each role may do: the one table of permissions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service.db.states import Role

ROLES = tuple(Role)

#: What each role may do. ``create``: new workshops; ``write``: the workshop, its axes and post-its;
#: ``synthesize``: start syntheses; ``review``: edit, approve, regroup; ``read``: everything readable.
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"read", "create", "write", "synthesize", "review", "admin"}),
    Role.TOOL: frozenset({"read", "create", "write", "synthesize"}),
    Role.FACILITATOR: frozenset({"read", "synthesize", "review"}),
    Role.VIEWER: frozenset({"read"}),
}


@dataclass(frozen=True)
class Principal:
    """An authenticated API key (directly, or through a review-page session).

    Attributes:
        key_id: The key's id.
        name: Recorded as the author of every change it makes.
        role: One of :data:`ROLES`.
        workshops: Workshops it may see; ``None`` means all (admin, or a key made without scope).
    """

    key_id: uuid.UUID
    name: str
    role: str
    workshops: frozenset[uuid.UUID] | None

    def can(self, permission: str) -> bool:
        """Whether the role grants ``permission``."""
        return permission in PERMISSIONS.get(self.role, frozenset())

    def sees(self, workshop_id: uuid.UUID) -> bool:
        """Whether the workshop is within this key's scope."""
        return self.workshops is None or workshop_id in self.workshops
