"""The ``sealroom`` command: one thin sub-command per stage over the library API.

Sub-commands are imported only when invoked, so ``sealroom --help`` stays fast and a stage's heavy
dependencies (spaCy, FastAPI, …) load only for that stage.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from sealroom import __version__
from sealroom.errors import SealroomError

# name -> "module:attribute" of a click command or group; one line per stage command.
COMMANDS: dict[str, str] = {
    "info": "sealroom.cli.dataset_commands:info",
    "validate": "sealroom.cli.dataset_commands:validate",
    "keygen": "sealroom.cli.dataset_commands:keygen",
    "ingest": "sealroom.ingest.cli:ingest",
    "sample": "sealroom.sample.cli:sample",
    "estimate": "sealroom.stats.cli:estimate",
    "corpus": "sealroom.scan.cli:corpus",
    "scan": "sealroom.scan.cli:scan_command",
    "search": "sealroom.scan.cli:search_command",
    "deidentify": "sealroom.deid.cli:deidentify",
    "detect": "sealroom.deid.detect_cli:detect",
    "evaluate": "sealroom.deid.detect_cli:evaluate",
    "classify": "sealroom.classify.cli:classify_command",
    "report": "sealroom.report.cli:report_command",
    "produce": "sealroom.produce.cli:produce",
    "verify": "sealroom.produce.cli:verify",
    "decrypt": "sealroom.produce.cli:decrypt",
    "produce-keygen": "sealroom.produce.cli:produce_keygen",
    "load": "sealroom.review.cli:load",
    "serve": "sealroom.review.cli:serve",
    "users": "sealroom.review.cli:users",
    "audit": "sealroom.review.cli:audit",
    "run": "sealroom.pipeline.cli:run_command",
    "demo": "sealroom.pipeline.cli:demo_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SealroomError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            # an unexpected exception's text or traceback may quote conversation data: only its
            # type is shown unless the operator asks for the traceback inside the hold
            if os.environ.get("SEALROOM_DEBUG") == "1":
                raise
            click.secho(
                f"internal error: {type(exc).__name__} (set SEALROOM_DEBUG=1 for the traceback; "
                "it may contain conversation text)",
                fg="red",
                err=True,
            )
            sys.exit(70)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sealroom")
@click.option(
    "--log-file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="SEALROOM_LOG_FILE",
    help="Append structured events (JSON lines; ids and counts only, never text) to this file.",
)
def cli(log_file: Path | None) -> None:
    """sealroom: privacy-preserving discovery for AI chat logs.

    ingest → sample → scan → deidentify → classify/report → produce → review, each stage resumable
    and recorded in a manifest.
    """
    from sealroom import log

    log.configure(log_file)


def main() -> None:
    cli(prog_name="sealroom")


if __name__ == "__main__":
    main()
