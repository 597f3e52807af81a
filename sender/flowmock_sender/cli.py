"""`flowmock send`: build a payload from a real input, check it, and deliver it (or print it with --dry-run).

Exit codes: 0 delivered (or deliberately not sent: --dry-run, or the notification policy said so), 1 rejected or
retries exhausted (with the receiver's error code and message), 2 usage or input errors.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import click

from flowmock_schemas.clikit import fail, read_json_or_fail

from .client import RedactingFilter, Sender
from .errors import InputError, InvalidPayload, RejectedError, SenderError
from .integrations import Integration, load_integrations
from .newman import summarise
from .payloads import activity, backup_collection, monitor_results
from .policy import POLICIES, PolicyState

common = [
    click.option("--url", default=None, help="The notification (callback) URL."),
    click.option("--integration", default=None, help="Use this integration's URL and settings (with --config)."),
    click.option("--config", "config_path", default=None, help="Integrations file (TOML)."),
    click.option("--schema", default=None, help="Schema to check before sending (default: the strict variant)."),
    click.option("--dry-run", is_flag=True, help="Print the payload instead of sending it."),
    click.option("--retries", type=int, default=5, show_default=True, help="Retries on 429 and 5xx."),
    click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per attempt."),
]


def with_common(fn: Any) -> Any:
    for option in reversed(common):
        fn = option(fn)
    return fn


def _integration(opts: dict[str, Any], kind: str | None) -> Integration | None:
    nickname = opts.get("integration")
    if nickname is None:
        return None
    if not opts.get("config_path"):
        fail("--integration needs --config FILE", 2)
    try:
        found = load_integrations(opts["config_path"]).get(nickname)
    except InputError as exc:
        fail(str(exc), 2)
    if found is None:
        fail(f"no integration named {nickname!r} in {opts['config_path']}", 2)
    if kind is not None and found.type != kind and not (kind == "activity" and found.type.endswith("-activity")):
        fail(f"integration {nickname!r} is of type {found.type}, not {kind}", 2)
    return found


def _deliver(payload: Any, schema: str, opts: dict[str, Any], url: str | None) -> None:
    from .payloads import check

    try:
        check(schema, payload)
    except InvalidPayload as exc:
        fail(str(exc), 2)
    if opts["dry_run"]:
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not url:
        fail("say where to send it: --url URL, or --integration NAME --config FILE", 2)
    if opts["retries"] < 0:
        fail("--retries must be >= 0", 2)
    sender = Sender(url, timeout=opts["timeout"], retry=opts["retries"])
    try:
        delivery = sender.send(payload)
    except RejectedError as exc:
        fail(f"rejected: {exc.status} {exc.code}: {exc.error_message}", 1)
    except SenderError as exc:  # retries exhausted, no answer at all: the message says which
        fail(str(exc), 1)
    run = f", run {delivery.run_id}" if delivery.run_id else ""
    click.echo(f"delivered: {delivery.status}{run} after {delivery.attempts} attempt(s)")


@click.group(invoke_without_command=True)
@click.option("--integration", default=None, help="Send for this integration of --config (type decides what).")
@click.option("--config", "config_path", default=None, help="Integrations file (TOML).")
@click.option("--collection", default=None, help="For backup integrations: the collection file.")
@click.option("--newman-report", default=None, help="For monitor integrations: the Newman JSON report.")
@click.option("--dry-run", is_flag=True, help="Print the payload instead of sending it.")
@click.pass_context
def send(ctx: click.Context, /, **opts: Any) -> None:
    """Build and send one of the four Postman payloads to a Power Automate (or flowmock) trigger."""
    for name in ("urllib3.connectionpool", "urllib3.util.retry"):  # their debug lines name the signed URL
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
    if ctx.invoked_subcommand is not None:
        return
    if not opts["integration"]:
        click.echo(ctx.get_help())
        sys.exit(2)
    found = _integration({**opts}, None)
    assert found is not None
    # Each subcommand's options at their defaults; the integration supplies URL, names and policy.
    command, option, what = {
        "backup-collection": (send_backup, "collection", "backs up a collection: give --collection FILE"),
        "monitor-results": (send_monitor_results, "newman_report", "posts monitor results: give --newman-report FILE"),
    }.get(found.type, (None, "", ""))
    if command is not None:
        if not opts[option]:
            fail(f"integration {found.nickname!r} {what}", 2)
        params = {p.name: p.default for p in command.params if p.name}
        params.update(
            {
                option: opts[option],
                "integration": found.nickname,
                "config_path": opts["config_path"],
                "dry_run": opts["dry_run"],
            }
        )
        ctx.invoke(command, **params)
    else:
        fail(
            f"integration {found.nickname!r} posts activity: use `flowmock send activity --integration ...`",
            2,
        )


@send.command("backup")
@click.option("--collection", required=True, help="A Postman Collection v2.1 export (JSON).")
@with_common
def send_backup(collection: str, **opts: Any) -> None:
    """Back up a collection: {"collection": <the collection>}."""
    found = _integration(opts, "backup-collection")
    try:
        payload = backup_collection(read_json_or_fail(collection))
    except InputError as exc:
        fail(f"{collection}: {exc}", 2)
    schema = opts["schema"] or (found.check_schema if found else "backup-collection.strict")
    _deliver(payload, schema, opts, opts["url"] or (found.notification_url if found else None))


@send.command("monitor-results")
@click.option("--newman-report", required=True, help="A Newman JSON report (newman run -r json).")
@click.option("--monitor-name", default=None, help="Default: the integration's monitor, or the collection name.")
@click.option("--monitor-uid", default=None, help="The monitor's uid (<ownerId>-<id>), sent as given.")
@click.option("--monitor-id", default=None, help="The monitor's bare id: sent as <user-id>-<id>.")
@click.option("--user-id", default=None, help="The owner id (UIDs are <ownerId>-<id>).")
@click.option("--user-name", default=None)
@click.option(
    "--policy",
    type=click.Choice(POLICIES),
    default=None,
    help="all (default) or failures; runs are counted per monitor uid, or per monitor name without one.",
)
@click.option("--state", default=None, help="Where the failures policy keeps its counts (default: user state dir).")
@with_common
def send_monitor_results(newman_report: str, **opts: Any) -> None:
    """Post the results of one monitor run, made from a Newman report, under a notification policy."""
    found = _integration(opts, "monitor-results")
    try:
        summary = summarise(read_json_or_fail(newman_report))
    except InputError as exc:
        fail(f"{newman_report}: {exc}", 2)
    monitor_name = opts["monitor_name"] or (found.monitor if found else None) or summary.collection_name
    if opts["monitor_uid"] or opts["monitor_id"]:
        monitor_uid, monitor_id = opts["monitor_uid"], opts["monitor_id"]
    else:
        monitor_uid, monitor_id = (found.monitor_uid, found.monitor_id) if found else (None, None)
    try:
        payload = monitor_results(
            summary,
            monitor_name=monitor_name,
            monitor_uid=monitor_uid,
            monitor_id=monitor_id,
            user_id=opts["user_id"] or (found.user_id if found else "") or "",
            user_name=opts["user_name"] or (found.user_name if found else "") or "",
            collection_uid=found.collection_uid if found else None,
            environment_uid=found.environment_uid if found else None,
        )
    except InputError as exc:
        fail(f"--monitor-uid and --monitor-id: {exc}", 2)
    policy = opts["policy"] or (found.notification_policy if found else "all")
    if not opts["dry_run"]:
        # The sequence of a monitor is its uid's; a monitor known only by name is counted by name, so that
        # separate runs of `send --monitor-name nightly` continue one sequence whatever collection they report.
        key = payload["monitor_uid"] or monitor_name
        try:
            notify = PolicyState(opts["state"]).record(policy, key, summary.succeeded)
        except InputError as exc:
            fail(str(exc), 2)
        if not notify:
            outcome = "succeeded" if summary.succeeded else "failed"
            which = f"uid {key!r}" if payload["monitor_uid"] else f"{key!r} (no uid: counted by name)"
            click.echo(
                f"not sent: the run {outcome} and the '{policy}' policy does not notify this run of monitor {which}"
            )
            return
    schema = opts["schema"] or (found.check_schema if found else "monitor-results.strict")
    _deliver(payload, schema, opts, opts["url"] or (found.notification_url if found else None))


ACTIVITY_FIELDS = (
    "action",
    "model",
    "model_name",
    "model_uid",
    "collection_name",
    "collection_uid",
    "user_id",
    "user_name",
)


@send.command("activity")
@click.option("--kind", type=click.Choice(["collection", "team"]), default="collection", show_default=True)
@click.option("--action", help="create, update, delete, ...  [required]")
@click.option("--model", help="request, folder, collection, ...  [required]")
@click.option("--model-name", help="[required]")
@click.option("--model-uid", help="[required]")
@click.option("--collection-name", help="[required, or the integration's collection]")
@click.option("--collection-uid", help="[required, or the integration's collection_uid]")
@click.option("--user-id", help="[required, or the integration's user_id]")
@click.option("--user-name", help="[required, or the integration's user_name]")
@click.option("--message", default=None, help="Default: phrased as Postman phrases it.")
@with_common
@click.pass_context
def send_activity(ctx: click.Context, /, kind: str, **opts: Any) -> None:
    """Post one collection- or team-activity event."""
    found = _integration(opts, "activity")
    if found is not None:  # the integration's form fills what the command line leaves out
        for option, value in (
            ("collection_name", found.collection),
            ("collection_uid", found.collection_uid),
            ("user_id", found.user_id),
            ("user_name", found.user_name),
        ):
            opts[option] = opts[option] or value or None
    # Checked here rather than by click, which stops at the first missing option: name them all at once.
    missing = [name for name in ACTIVITY_FIELDS if not opts[name]]
    if missing:
        names = ", ".join("'--" + name.replace("_", "-") + "'" for name in missing)
        raise click.UsageError(f"Missing option{'s' if len(missing) > 1 else ''} {names}.", ctx)
    fields = {name: opts[name] for name in (*ACTIVITY_FIELDS, "message")}
    payload = activity(**fields)
    schema_kind = found.type if found else f"{kind}-activity"
    schema = opts["schema"] or (found.check_schema if found else f"{schema_kind}.strict")
    _deliver(payload, schema, opts, opts["url"] or (found.notification_url if found else None))
