"""The ``sealroom`` command: one thin sub-command per stage over the library API.

Sub-commands are imported only when invoked, so ``sealroom --help`` stays fast and a stage's heavy
dependencies (spaCy, FastAPI, …) load only for that stage.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from sealroom import __version__
from sealroom.errors import SealroomError

# name -> "module:attribute" of a click command or group; one line per stage command.
COMMANDS: dict[str, str] = {
    "info": "sealroom.cli.dataset_commands:info",
    "validate": "sealroom.cli.dataset_commands:validate",
    "keygen": "sealroom.cli.dataset_commands:keygen",
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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sealroom")
def cli() -> None:
    """sealroom: privacy-preserving discovery for AI chat logs.

    ingest → sample → scan → deidentify → classify/report → produce → review, each stage resumable
    and recorded in a manifest.
    """


def main() -> None:
    cli(prog_name="sealroom")


if __name__ == "__main__":
    main()
