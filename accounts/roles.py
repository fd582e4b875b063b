"""Staff roles and what each may do."""

from typing import Final, Literal, get_args
from uuid import UUID

import msgspec

Role = Literal["author", "editor", "admin"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)
_RANK: Final[dict[str, int]] = {role: rank for rank, role in enumerate(ROLES)}


def at_least(role: str, minimum: Role) -> bool:
    """Whether `role` includes everything `minimum` may do."""
    return _RANK.get(role, -1) >= _RANK[minimum]


class Principal(msgspec.Struct, frozen=True):
    """The staff member a request is made by."""

    id: UUID
    email: str
    name: str
    role: str
    token_id: UUID

    def has_role(self, minimum: Role) -> bool:
        """Whether this staff member's role includes `minimum`."""
        return at_least(self.role, minimum)
