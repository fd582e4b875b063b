"""Bearer-token authentication and the role guards of API.md."""

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from accounts.roles import Principal, Role
from accounts.staff import authenticate
from content.schemas import Actor


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    """Resolve `Authorization: Bearer` to a staff member; no header means an anonymous request."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization")
        if header is None:
            return AuthenticationResult(user=None, auth=None)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("use `Authorization: Bearer <token>`")
        principal = await authenticate(token.strip())
        if principal is None:
            raise NotAuthorizedException("the token is unknown, revoked or its owner disabled")
        return AuthenticationResult(user=principal, auth=principal.token_id)


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def requires(role: Role) -> Guard:
    """A guard: 401 without a token, 403 when the staff member's role is below `role`."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal: Principal | None = connection.user
        if principal is None:
            raise NotAuthorizedException("a staff token is required")
        if not principal.has_role(role):
            raise PermissionDeniedException(f"this needs the {role} role or higher")

    guard.__name__ = f"requires_{role}"
    return guard


def staff_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The staff member making the request, if any."""
    user: Principal | None = connection.user
    return user


def actor_of(principal: Principal) -> Actor:
    """The domain's view of a staff member: who they are and what they may change."""
    return Actor(
        id=principal.id,
        name=principal.name,
        can_edit_any=principal.has_role("editor"),
        can_publish=principal.has_role("editor"),
    )
