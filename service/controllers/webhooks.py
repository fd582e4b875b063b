"""Webhooks for admins: `/api/v1/webhooks`, the website's endpoints, their delivery log, ping, redeliver."""

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import Body, FromPath, QueryParameter

from content.webhooks import deliveries, endpoints
from content.webhooks.schemas import DeliveryOut, DeliveryPage, EndpointIn, EndpointOut, EndpointPatch
from service.auth import requires
from service.settings import Settings
from tasks.enqueue import enqueue_webhook_delivery

Limit = Annotated[int, QueryParameter(ge=1, le=100, description="page size, 1..100")]


def _allow_private(request: Request[Any, Any, Any]) -> bool:
    settings: Settings = request.app.state.settings
    return settings.webhook_private_allowed


async def _queue(request: Request[Any, Any, Any], delivery: DeliveryOut) -> None:
    # Sent by the worker, never in the request; were this job lost, the sweep finds the delivery owed.
    await enqueue_webhook_delivery(request.app.state.queue, delivery.id, delivery.attempts)


class WebhookController(Controller):
    """`/api/v1/webhooks`: where the website wants to hear of changes, and what it was sent."""

    path = "/api/v1/webhooks"
    tags = ["webhooks"]
    guards = [requires("admin")]

    @get("/", summary="Every webhook endpoint")
    async def list_endpoints(self) -> list[EndpointOut]:
        return await endpoints.list_endpoints()

    @post(
        "/",
        summary="Register an endpoint",
        description="The answer holds the signing `secret` (`whsec_…`); it is never shown again.",
    )
    async def create_endpoint(
        self, request: Request[Any, Any, Any], data: Annotated[EndpointIn, Body()]
    ) -> EndpointOut:
        return await endpoints.create_endpoint(data, allow_private=_allow_private(request))

    @get("/{endpoint_id:uuid}", summary="One endpoint (without its secret)")
    async def get_endpoint(self, endpoint_id: FromPath[UUID]) -> EndpointOut:
        return await endpoints.get_endpoint(endpoint_id)

    @patch("/{endpoint_id:uuid}", summary="Change an endpoint; `enabled: true` turns a disabled one back on")
    async def change_endpoint(
        self,
        request: Request[Any, Any, Any],
        endpoint_id: FromPath[UUID],
        data: Annotated[EndpointPatch, Body()],
    ) -> EndpointOut:
        return await endpoints.change_endpoint(endpoint_id, data, allow_private=_allow_private(request))

    @delete("/{endpoint_id:uuid}", summary="Remove an endpoint with its delivery log")
    async def delete_endpoint(self, endpoint_id: FromPath[UUID]) -> None:
        await endpoints.delete_endpoint(endpoint_id)

    @get("/{endpoint_id:uuid}/deliveries", summary="The delivery log, newest first")
    async def list_deliveries(
        self,
        endpoint_id: FromPath[UUID],
        limit: Limit = 20,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> DeliveryPage:
        return await deliveries.list_deliveries(endpoint_id, limit=limit, cursor=cursor)

    @post(
        "/{endpoint_id:uuid}/deliveries/{delivery_id:uuid}/redeliver",
        status_code=202,
        summary="Send a delivery's event again (a new delivery, with fresh retries)",
    )
    async def redeliver(
        self, request: Request[Any, Any, Any], endpoint_id: FromPath[UUID], delivery_id: FromPath[UUID]
    ) -> DeliveryOut:
        delivery = await deliveries.redeliver(endpoint_id, delivery_id)
        await _queue(request, delivery)
        return delivery

    @post("/{endpoint_id:uuid}/ping", status_code=202, summary="Send the endpoint a test event")
    async def ping(self, request: Request[Any, Any, Any], endpoint_id: FromPath[UUID]) -> DeliveryOut:
        delivery = await deliveries.ping(endpoint_id)
        await _queue(request, delivery)
        return delivery
