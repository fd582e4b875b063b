"""The typed job API: each job queued under the name the worker knows it by, with its deterministic id."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from arq.jobs import Job

from newsletters.campaigns.runner import BatchJob
from tasks import enqueue
from tasks.queue import connect_queue
from tasks.worker import FUNCTIONS


def test_every_name_the_api_queues_is_a_job_of_the_worker() -> None:
    names = {value for key, value in vars(enqueue).items() if key.isupper() and isinstance(value, str)}
    assert names == {function.name for function in FUNCTIONS}


async def test_jobs_with_a_deterministic_id_are_queued_once() -> None:
    queue = await connect_queue(None)
    try:
        campaign, asset, person, run = uuid4(), uuid4(), uuid4(), uuid4()
        later = datetime.now(UTC) + timedelta(hours=1)
        for _ in range(2):
            await enqueue.enqueue_campaign_start(queue, campaign, later)
            await enqueue.enqueue_renditions(queue, asset)
            await enqueue.enqueue_import(queue, run)
            await enqueue.enqueue_confirmation_mail(queue, person)  # each sign-up asks again
        job = BatchJob(campaign, 1, 0, "start")
        assert await enqueue.enqueue_campaign_batch(queue, job, None)
        assert not await enqueue.enqueue_campaign_batch(queue, job, None)  # its id is taken
        assert await enqueue.enqueue_campaign_batch(queue, job.following(), later)
        await enqueue.enqueue_campaign_test(queue, campaign, ["editor@newsroom.test"], "en")
        await enqueue.enqueue_reconcile(queue)
        queued = sorted((job.function, job.args) for job in await queue.queued_jobs())
        assert queued == sorted(
            [
                (enqueue.START_CAMPAIGN, (str(campaign),)),
                (enqueue.MAKE_RENDITIONS, (str(asset),)),
                (enqueue.IMPORT_SUBSCRIBERS, (str(run),)),
                (enqueue.SEND_CONFIRMATION_MAIL, (str(person),)),
                (enqueue.SEND_CONFIRMATION_MAIL, (str(person),)),
                (enqueue.SEND_CAMPAIGN_BATCH, (str(campaign), 1, 0, "start", 0)),
                (enqueue.SEND_CAMPAIGN_BATCH, (str(campaign), 1, 0, "start", 1)),
                (enqueue.SEND_CAMPAIGN_TEST, (str(campaign), ["editor@newsroom.test"], "en")),
                (enqueue.RECONCILE_CAMPAIGNS, ()),
            ]
        )
        start = await Job(enqueue.campaign_start_job_id(campaign), queue).info()
        assert start is not None and abs(start.score - later.timestamp() * 1000) < 2  # deferred to `later`
    finally:
        await queue.aclose()
