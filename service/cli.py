"""The `scmi` command line: run, serve, worker, migrate, staff, subscribers, campaigns."""

import asyncio
import csv
import io
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import prometheus_client
import uvicorn

from accounts import staff as staff_accounts
from accounts.invites import invite_staff
from accounts.roles import ROLES
from core.csv_cells import safe_row
from core.errors import DomainError
from newsletters.campaign_schemas import CampaignOut, Counts
from newsletters.campaigns.states import campaign_id_of, get_campaign, list_campaigns
from newsletters.consent import Origin
from newsletters.exporting import export_csv
from newsletters.importing import ImportReport, import_csv
from service.database import (
    DatabaseUrlError,
    bind_engine,
    close_engine,
    engine_from_url,
    migrate,
    prepare_engine,
)
from service.logs import configure_logging
from service.settings import Settings, SettingsError
from tasks.queue import connect_queue
from tasks.worker import build_worker

T = TypeVar("T")


async def _with_database(settings: Settings, action: Callable[[], Awaitable[T]]) -> T:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = engine_from_url(settings.resolved_database_url, log_sql=settings.log_sql)
    bind_engine(engine)
    await prepare_engine(engine)
    try:
        return await action()
    finally:
        await close_engine(engine)


def _run(settings: Settings, action: Callable[[], Awaitable[T]]) -> T:
    """Run a database action; the domain's refusals become one clear line, not a traceback."""
    try:
        return asyncio.run(_with_database(settings, action))
    except (DomainError, DatabaseUrlError) as error:
        raise click.ClickException(str(error)) from None


@click.group()
@click.pass_context
def main(context: click.Context) -> None:
    """SCMI newsroom: content API, feeds and newsletters."""
    try:
        context.obj = Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    configure_logging(context.obj.log_level)


def _refuse_unsafe_production(settings: Settings) -> None:
    """Every long-running entry point (run, serve, worker) refuses production with the development key."""
    try:
        settings.check_production()
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None


def _serve(settings: Settings, host: str, port: int, *, with_worker: bool) -> None:
    from service.app import create_app

    app = create_app(settings, with_worker=with_worker)
    # service.logs already configured logging; uvicorn's access line would repeat ours unmasked.
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again with this handler back in
    # place: a stop that was asked for and went well ends with status 0, as supervisors expect.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        app,
        host=host,
        port=port,
        http="httptools",
        loop="uvloop",
        # TRUSTED_PROXIES decides whom to believe (service.client_address), not uvicorn's own list.
        proxy_headers=False,
        log_config=None,
        access_log=False,
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
def run(settings: Settings, host: str, port: int) -> None:
    """Everything in one process: migrate, then serve the API with a worker inside."""
    _refuse_unsafe_production(settings)
    settings = settings.served_at(host, port)
    _run(settings, lambda: migrate(quiet=True))
    click.echo(f"SCMI newsroom on http://{host}:{port} (database {settings.resolved_database_url})")
    _serve(settings, host, port, with_worker=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the API only; run `scmi worker` beside it (needs REDIS_URL)."""
    _refuse_unsafe_production(settings)
    if settings.embedded_queue:
        raise click.UsageError(
            "`scmi serve` needs REDIS_URL so that workers can take its jobs; try `scmi run`"
        )
    _serve(settings.served_at(host, port), host, port, with_worker=False)


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.pass_obj
def worker(settings: Settings, burst: bool) -> None:
    """Run an arq worker on REDIS_URL."""
    _refuse_unsafe_production(settings)
    if settings.embedded_queue:
        raise click.UsageError("`scmi worker` needs REDIS_URL; `scmi run` has a worker built in")

    async def work() -> None:
        if settings.worker_metrics_port:
            prometheus_client.start_http_server(settings.worker_metrics_port, addr="127.0.0.1")
        queue = await connect_queue(settings.redis_url, patient=True)
        arq_worker = build_worker(
            queue,
            settings,
            burst=burst,
            handle_signals=True,
            completion_wait=round(settings.worker_shutdown_grace),
        )
        try:
            await arq_worker.async_run()
        except asyncio.CancelledError:
            pass  # arq cancels its main task once the signal's grace period is over: a clean stop
        finally:
            await arq_worker.close()
            await queue.aclose()

    _run(settings, work)


@main.command("migrate")
@click.pass_obj
def migrate_command(settings: Settings) -> None:
    """Apply pending database migrations."""
    _run(settings, lambda: migrate(quiet=True))
    click.echo(f"database is up to date ({settings.resolved_database_url})")


@main.group()
def staff() -> None:
    """Manage staff accounts and their tokens."""


@staff.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="", help="Display name (defaults to the part before @).")
@click.pass_obj
def staff_add(settings: Settings, email: str, role: str, name: str) -> None:
    """Add a staff member and print their token once."""
    result = _run(settings, lambda: staff_accounts.add_staff(email, role, name))
    click.echo(f"added {result.staff.email} as {result.staff.role}", err=True)
    click.echo("token (shown once, keep it safe):", err=True)
    click.echo(result.token)


@staff.command("invite")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="", help="Display name (defaults to the part before @).")
@click.option(
    "--lang", type=click.Choice(["ka", "en"]), default="ka", help="The console's language for them."
)
@click.pass_obj
def staff_invite(settings: Settings, email: str, role: str, name: str, lang: str) -> None:
    """Invite a staff member to the console: print a one-time welcome link (valid 72 hours)."""
    invitation = _run(settings, lambda: invite_staff(email, role, name, lang))
    click.echo(
        f"invited {invitation.email} as {invitation.role}; the link works once, for 72 hours:", err=True
    )
    click.echo(f"{settings.public_url}/console/welcome/{invitation.token}")


@staff.command("list")
@click.pass_obj
def staff_list(settings: Settings) -> None:
    """List staff members."""
    for member in _run(settings, staff_accounts.list_staff):
        state = " (disabled)" if member.disabled else ""
        click.echo(f"{member.id}  {member.role:<6}  {member.email}{state}")


@staff.command("token")
@click.argument("email")
@click.option("--label", default="")
@click.pass_obj
def staff_token(settings: Settings, email: str, label: str) -> None:
    """Make a new token for a staff member and print it once."""

    async def issue() -> Any:
        members = {member.email: member for member in await staff_accounts.list_staff()}
        member = members.get(staff_accounts.normalise_email(email))
        if member is None:
            raise click.ClickException(f"{email} is not on the staff")
        return await staff_accounts.issue_token(member.id, label)

    click.echo(_run(settings, issue).token)


@main.group()
def subscribers() -> None:
    """Import and export newsletter subscribers."""


@subscribers.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--basis", required=True, help="The legal basis of these addresses (e.g. partnership agreement)."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write refused rows here as CSV.",
)
@click.pass_obj
def subscribers_import(settings: Settings, file: Path, basis: str, report_path: Path | None) -> None:
    """Import FILE (CSV: email,name,organisation,lang,lists), showing progress; safe to run again."""
    size = file.stat().st_size

    async def run_import() -> ImportReport:
        with (
            file.open("rb") as raw,
            click.progressbar(length=size, label="importing", file=sys.stderr) as bar,
        ):
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            done = 0

            def progress(_: int) -> None:
                nonlocal done
                position = raw.tell()  # bytes the reader has consumed so far
                bar.update(position - done)
                done = position

            origin = Origin(source="import-cli")
            result = await import_csv(
                text, secret_key=settings.secret_key, basis=basis, origin=origin, on_progress=progress
            )
            bar.update(size - done)
            return result

    started = time.perf_counter()
    report = _run(settings, run_import)
    seconds = time.perf_counter() - started
    click.echo(
        f"rows {report.rows}: accepted {report.accepted} (created {report.created}, "
        f"updated {report.updated}, unchanged {report.unchanged}), "
        f"refused {report.refused} in {seconds:.1f} s "
        f"({report.rows / seconds if seconds else 0:.0f} rows/s)"
    )
    for refusal in report.refusals[:20]:
        click.echo(f"  line {refusal.line}: {refusal.email or '(empty)'}: {refusal.reason}")
    if report.refused > 20:
        click.echo(f"  ... and {report.refused - 20} more" + (f" (see {report_path})" if report_path else ""))
    if report_path is not None:
        with report_path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "email", "reason"])
            writer.writerows(safe_row([r.line, r.email, r.reason]) for r in report.refusals)


@subscribers.command("export")
@click.option("--include-left", is_flag=True, help="Also unsubscribed, bounced and complained addresses.")
@click.pass_obj
def subscribers_export(settings: Settings, include_left: bool) -> None:
    """Write subscribers as CSV to standard output, streamed."""

    async def run_export() -> None:
        out = sys.stdout.buffer
        async for chunk in export_csv(include_left=include_left):
            out.write(chunk)
        out.flush()

    _run(settings, run_export)


@main.command()
@click.option("--if-empty", is_flag=True, help="Only load into a database with no entries and no staff.")
@click.pass_obj
def demo(settings: Settings, if_empty: bool) -> None:
    """Load bilingual demo content (topics, lists, entries, templates, a draft); safe to run again."""
    from service.demo.loader import database_is_empty, load_demo

    async def load() -> str:
        await migrate(quiet=True)
        if if_empty and not await database_is_empty():
            return "the database has content already: demo not loaded"
        report = await load_demo(settings)
        lines = [
            f"demo: added {report.topics} topics, {report.lists} lists, "
            f"{report.entries} entries, {report.assets} media files, {report.templates} templates, "
            f"{report.campaigns} draft campaign{'' if report.campaigns == 1 else 's'}"
        ]
        if report.staff_created:
            lines.append(
                f"made staff member {report.staff_created} (editor, no token): "
                f"`scmi staff token {report.staff_created}` gives one"
            )
        return "\n".join(lines)

    click.echo(_run(settings, load))


@main.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def export_command(settings: Settings, directory: Path) -> None:
    """Back up everything (content, media, staff, audit log, subscribers and consent) into DIRECTORY."""
    from content.media.storage import open_storage
    from service.backups import export_archive

    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(f"{directory} is not empty; export into a new directory")
    report = _run(settings, lambda: export_archive(directory, open_storage(settings.media_storage)))
    click.echo(
        f"exported {sum(report.rows.values())} rows of {len(report.rows)} tables and "
        f"{report.media_files} media files to {directory}"
    )
    click.echo(
        "the archive holds personal data (subscribers, consent records, staff): keep it safe", err=True
    )


@main.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_obj
def import_command(settings: Settings, directory: Path) -> None:
    """Restore an archive made by `scmi export` into an empty database (staff then need new tokens)."""
    from content.media.storage import open_storage
    from service.backups import import_archive

    async def restore() -> Any:
        await migrate(quiet=True)
        return await import_archive(directory, open_storage(settings.media_storage))

    report = _run(settings, restore)
    click.echo(
        f"imported {sum(report.rows.values())} rows of {len(report.rows)} tables and "
        f"{report.media_files} media files from {directory}"
    )


@main.group("campaigns")
def campaigns_group() -> None:
    """List and follow newsletter campaigns."""


FINISHED_STATES = frozenset({"sent", "cancelled", "draft"})


def _counts_line(counts: Counts) -> str:
    return (
        f"{counts.recipients} recipients, {counts.sent} sent, {counts.failed} failed, "
        f"{counts.bounced} bounced, {counts.complained} complained, {counts.pending} pending, "
        f"{counts.skipped} skipped"
    )


@campaigns_group.command("list")
@click.pass_obj
def campaigns_list(settings: Settings) -> None:
    """Every campaign, newest first: slug, status, subject (ka / en) and counts."""
    for campaign in _run(settings, list_campaigns):
        subject = f"{campaign.subject['ka']} / {campaign.subject['en']}"
        click.echo(f"{campaign.slug}  {campaign.status:<9}  {subject}  ({_counts_line(campaign.counts)})")


@campaigns_group.command("watch")
@click.argument("campaign")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between looks.")
@click.pass_obj
def campaigns_watch(settings: Settings, campaign: str, interval: float) -> None:
    """A progress bar of CAMPAIGN (its slug or id) until it is sent or cancelled."""

    async def watch() -> CampaignOut:
        campaign_id = await campaign_id_of(campaign)
        state = await get_campaign(campaign_id)
        done = 0
        with click.progressbar(
            length=max(state.counts.recipients, 1), label=state.slug, show_pos=True
        ) as bar:
            while True:
                counts = state.counts
                bar.length = max(counts.recipients, 1)
                finished = counts.sent + counts.failed + counts.bounced + counts.skipped
                bar.update(finished - done)
                done = finished
                if state.status in FINISHED_STATES:
                    return state
                await asyncio.sleep(interval)
                state = await get_campaign(campaign_id)

    final = _run(settings, watch)
    click.echo(f"{final.status}: {_counts_line(final.counts)}")
