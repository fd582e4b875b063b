"""Staff, their tokens and the audit log: for admins, and `/me` for everyone on the staff."""

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import Body, FromPath, QueryParameter

from accounts import audit, staff
from accounts.roles import Principal, Role
from accounts.sign_in import review_mails_of, set_review_mails
from service.auth import requires


class StaffIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new staff member."""

    email: Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
    role: Role
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""


class StaffPatch(msgspec.Struct, forbid_unknown_fields=True):
    """A change of role, or disabling a staff member."""

    role: Role
    disabled: bool | None = None


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new token's label, to tell tokens apart."""

    label: Annotated[str, msgspec.Meta(max_length=200)] = ""


class Me(msgspec.Struct):
    """The staff member the token belongs to, with their review-mail setting."""

    id: UUID
    email: str
    name: str
    role: str
    review_mails: bool


class MePatch(msgspec.Struct, forbid_unknown_fields=True):
    """A change to one's own settings: `review_mails` false stops the mails about drafts in review."""

    review_mails: bool


class StaffController(Controller):
    """`/api/v1/staff`: admins manage staff and tokens."""

    path = "/api/v1/staff"
    tags = ["staff"]
    guards = [requires("admin")]

    @get("/", summary="Every staff member")
    async def list_staff(self) -> list[staff.StaffOut]:
        return await staff.list_staff()

    @post("/", summary="Add a staff member; the answer holds their token, shown this once")
    async def add_staff(self, data: Annotated[StaffIn, Body()]) -> staff.NewToken:
        return await staff.add_staff(data.email, data.role, data.name)

    @patch("/{staff_id:uuid}", summary="Change a role or disable")
    async def change_staff(
        self, staff_id: FromPath[UUID], data: Annotated[StaffPatch, Body()]
    ) -> staff.StaffOut:
        return await staff.change_role(staff_id, data.role, data.disabled)

    @get("/{staff_id:uuid}/tokens", summary="A staff member's tokens")
    async def list_tokens(self, staff_id: FromPath[UUID]) -> list[staff.TokenOut]:
        return await staff.list_tokens(staff_id)

    @post("/{staff_id:uuid}/tokens", summary="Make a new token, shown this once")
    async def issue_token(self, staff_id: FromPath[UUID], data: Annotated[TokenIn, Body()]) -> staff.NewToken:
        return await staff.issue_token(staff_id, data.label)

    @delete("/{staff_id:uuid}/tokens/{token_id:uuid}", summary="Revoke a token")
    async def revoke_token(self, staff_id: FromPath[UUID], token_id: FromPath[UUID]) -> None:
        await staff.revoke_token(token_id, staff_id)


async def _me(user: Principal) -> Me:
    wanted = await review_mails_of(user.id)
    return Me(id=user.id, email=user.email, name=user.name, role=user.role, review_mails=wanted)


class MeController(Controller):
    """`/api/v1/me`: who a token belongs to."""

    path = "/api/v1/me"
    tags = ["staff"]

    @get("/", guards=[requires("author")], summary="The staff member this token belongs to")
    async def me(self, request: Request[Principal, Any, Any]) -> Me:
        return await _me(request.user)

    @patch("/", guards=[requires("author")], summary="Change one's own settings (review mails)")
    async def change_me(self, request: Request[Principal, Any, Any], data: Annotated[MePatch, Body()]) -> Me:
        await set_review_mails(request.user.id, data.review_mails)
        return await _me(request.user)


class AuditController(Controller):
    """`/api/v1/audit`: every write, newest first."""

    path = "/api/v1/audit"
    tags = ["staff"]

    @get("/", guards=[requires("admin")], summary="The audit log of writes")
    async def list_audit(
        self,
        staff_id: Annotated[UUID | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> audit.AuditPage:
        return await audit.list_audit(limit=limit, cursor=cursor, staff_id=staff_id)
