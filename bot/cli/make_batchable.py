"""``facexplain models make-batchable``: a dynamic-batch copy of a fixed-batch export."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="make-batchable")
@click.argument("model", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the copy [default: MODEL with a _batch suffix, beside it].")
@click.option("--check-batch", type=int, default=36, show_default=True,
              help="Batch size the copy is checked at (besides 1).")
def command(model: Path, output: Path | None, check_batch: int) -> None:
    """Write a dynamic-batch copy of MODEL (an export whose batch is fixed by its input shape
    and a Reshape constant), check that batches of 1 and --check-batch give MODEL's outputs,
    and record MODEL's sha256 beside the copy so MODEL's calibration applies to it."""
    from core.batchable import make_batchable, provenance_path

    target = output or model.with_name(f"{model.stem}_batch{model.suffix}")
    if target.resolve() == model.resolve():
        raise click.UsageError("the output must not overwrite MODEL")
    record = make_batchable(model, target, check_batch=check_batch)
    click.echo(f"wrote {target} (sha256 {record.sha256[:12]}...)")
    click.echo(f"outputs at batch 1 and {check_batch}: max difference "
               f"{record.max_abs_difference:.1e} from {model.name}")
    click.echo(f"recorded in {provenance_path(target).name}: it stands for {model.name} "
               f"(sha256 {record.source_sha256[:12]}...), whose calibration applies")
    click.echo(f"use it: FACEXPLAIN_RECOGNIZER_MODEL={target.name} "
               "FACEXPLAIN_RECOGNIZER_BATCH_SIZE=<the fastest measured batch>")
