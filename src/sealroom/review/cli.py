"""``sealroom serve | load | users … | audit …``: thin commands over the review library API."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from sealroom.cli.options import DATASET_IN
from sealroom.dataset.location import Location
from sealroom.errors import IntegrityError

DB_OPTION = click.option(
    "--db", "db_url", required=True, envvar="SEALROOM_REVIEW_DB",
    help="database URL: sqlite:///review.db or postgresql://user@host/db",
)  # fmt: skip


def _password(password_file: Path | None, prompt: str) -> str:
    if password_file is not None:
        return password_file.read_text(encoding="utf-8").rstrip("\n")
    if os.environ.get("SEALROOM_PASSWORD"):
        return os.environ["SEALROOM_PASSWORD"]
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


@click.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--secret-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="key file signing session cookies (else SEALROOM_REVIEW_SECRET, else random per start)",
)
@click.option("--https", "secure", is_flag=True, help="mark cookies Secure and send HSTS (behind an HTTPS proxy)")
@click.option("--dataset", type=DATASET_IN, help="de-identified dataset that targeted searches run over")
@click.option(
    "--view-rate",
    default=300,
    show_default=True,
    type=int,
    help="document views per user per minute before 429 (0: no limit)",
)
@click.option("--tags", help="comma-separated coding tags (default: responsive,not-responsive,reproduction,hot,…)")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="server processes (the view rate limit then applies per process)",
)
def serve(
    db_url: str,
    host: str,
    port: int,
    secret_file: Path | None,
    secure: bool,
    dataset: Location | None,
    view_rate: int,
    tags: str | None,
    workers: int,
) -> None:
    """Serve the review app."""
    import uvicorn

    from sealroom.review.app import create_app
    from sealroom.review.settings import ReviewSettings

    settings = ReviewSettings.from_files(
        db_url,
        secret_file=secret_file,
        secure_cookies=secure,
        targeted_dataset=None if dataset is None else str(dataset),
        view_rate_per_minute=view_rate,
    )
    if tags:
        settings.tags = tuple(t.strip().lower() for t in tags.split(",") if t.strip())
    click.echo(f"sealroom review on http://{host}:{port}/ (database: {settings.db_url.split('://', 1)[0]})", err=True)
    if workers <= 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False)
        return
    from sealroom.review.app import SETTINGS_ENV, settings_env
    from sealroom.review.db import open_database

    open_database(settings.db_url)  # migrate once, before the workers start
    os.environ[SETTINGS_ENV] = settings_env(settings)
    uvicorn.run("sealroom.review.app:app_from_env", factory=True, workers=workers, host=host, port=port,
                log_level="warning", access_log=False)  # fmt: skip


@click.command()
@click.argument("production", type=click.Path(exists=True, file_okay=False, path_type=Path))
@DB_OPTION
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="the producing party's Ed25519 public key to check the manifest signature against",
)
def load(production: Path, db_url: str, public_key: Path | None) -> None:
    """Verify a production and load its documents into the review database."""
    from sealroom.review.loader import load_production

    result = load_production(production, db_url, public_key=public_key)
    click.echo(json.dumps(result.to_dict()))


@click.group()
def users() -> None:
    """Manage review accounts (add, disable, list, reset)."""


@users.command("add")
@click.argument("username")
@DB_OPTION
@click.option("--role", required=True, type=click.Choice(["admin", "counsel", "expert", "monitor"]))
@click.option("--aeo", is_flag=True, help="grant an expert access to Attorneys' Eyes Only documents")
@click.option("--totp", is_flag=True, help="require a TOTP second factor (prints the enrolment URI once)")
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="read the password from a file (else SEALROOM_PASSWORD, else a prompt)",
)
def users_add(username: str, db_url: str, role: str, aeo: bool, totp: bool, password_file: Path | None) -> None:
    """Add an account."""
    from sealroom.review.users import add_user

    uri = add_user(db_url, username, _password(password_file, "password"), role, aeo=aeo, totp=totp)
    click.echo(f"added {username} ({role})")
    if uri:
        click.echo(f"TOTP enrolment (shown once): {uri}")


@users.command("disable")
@click.argument("username")
@DB_OPTION
def users_disable(username: str, db_url: str) -> None:
    """Disable an account and end its sessions."""
    from sealroom.review.users import disable_user

    disable_user(db_url, username)
    click.echo(f"disabled {username}")


@users.command("reset")
@click.argument("username")
@DB_OPTION
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def users_reset(username: str, db_url: str, password_file: Path | None) -> None:
    """Set a new password, clear a lockout and re-enable the account."""
    from sealroom.review.users import reset_user

    reset_user(db_url, username, _password(password_file, "new password"))
    click.echo(f"reset {username}")


@users.command("list")
@DB_OPTION
def users_list(db_url: str) -> None:
    """List accounts."""
    from sealroom.review.users import list_users

    for u in list_users(db_url):
        state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
        aeo = " aeo" if u.aeo else ""
        click.echo(f"{u.username}\t{u.role}{aeo}\t{state}{' totp' if u.totp else ''}")


@click.group()
def audit() -> None:
    """Check or export the hash-chained audit log."""


ANCHOR_HELP = "an earlier `audit export` file: its head must still be in the chain (catches truncation)"
SIGN_HELP = "Ed25519 private key (PEM, as produce's key generation writes) to sign the head line"


@audit.command("verify")
@DB_OPTION
@click.option("--anchor", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=ANCHOR_HELP)
def audit_verify(db_url: str, anchor: Path | None) -> None:
    """Walk the hash chain; fail and name the first broken row if any was edited, deleted, inserted or moved."""
    from sealroom.review.audit import verify
    from sealroom.review.db import open_database

    head = json.loads(anchor.read_text(encoding="utf-8").strip().splitlines()[-1]) if anchor else None
    result = verify(open_database(db_url), head)
    if not result.ok:
        raise IntegrityError(result.describe(), code="audit_chain")
    click.echo(result.describe())


@audit.command("export")
@DB_OPTION
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="JSON Lines file (default: stdout)")
@click.option("--sign-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=SIGN_HELP)
def audit_export(db_url: str, out: Path | None, sign_key: Path | None) -> None:
    """Write every audit row as JSON Lines, then a final {"head": …, "rows": …} line to anchor the chain."""
    from sealroom.review.audit import export_rows, sign_head, verify
    from sealroom.review.db import open_database

    db = open_database(db_url)
    fh = open(out, "w", encoding="utf-8") if out else sys.stdout  # noqa: SIM115 - stdout is not ours to close
    try:
        for row in export_rows(db):
            fh.write(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")
        result = verify(db)
        last: dict[str, object] = {"head": result.head, "rows": result.rows, "intact": result.ok}
        if sign_key is not None:
            last.update(sign_head(sign_key, result.head, result.rows))
        fh.write(json.dumps(last) + "\n")
    finally:
        if out:
            fh.close()
