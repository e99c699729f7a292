"""Entry point of the ``facexplain`` command."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from bot.cli.lazy import PackageGroup
from core.errors import FacexplainError


class RootGroup(PackageGroup):
    """Turns the project's typed errors into a short message and exit code 2, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FacexplainError as exc:
            prefix = f"Photo {exc.photo}: " if exc.photo else ""
            detail = f" ({exc.detail})" if exc.detail else ""
            raise click.ClickException(f"{prefix}{exc.user_message}{detail}") from exc


@click.group(cls=RootGroup, package="bot.cli.commands")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="facexplain")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """facexplain: explainable face verification you can talk to."""
    from bot.cli.options import Loaded
    from bot.ops.logging import configure_logging, secret_values

    ctx.obj = Loaded.read()  # the settings, read once for the sub-command
    level = logging.WARNING - 10 * min(verbose, 2)
    log_format = ctx.obj.settings.log_format if ctx.obj.settings is not None else "text"
    # personal data and the settings' secrets redacted in either format, at every level
    configure_logging(level, log_format, secret_values(ctx.obj.settings))


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
