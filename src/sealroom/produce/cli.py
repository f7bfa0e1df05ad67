"""CLI: ``sealroom produce``, ``verify``, ``decrypt`` and ``produce-keygen`` (thin wrappers)."""

from __future__ import annotations

from pathlib import Path

import click

from sealroom.cli.options import DATASET, DATASET_IN, runner_options
from sealroom.dataset.location import Location
from sealroom.produce.render import DESIGNATIONS, TIMESTAMP_POLICIES


@click.command()
@click.argument("dataset", type=DATASET_IN)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Production folder to write.")
@click.option("--prefix", required=True, help="Bates prefix, e.g. ABC (A-Z, 0-9, _ or -).")
@click.option("--start", type=click.IntRange(min=1), default=None, help="First Bates number [default: state or 1].")
@click.option("--state-file", type=click.Path(path_type=Path), default=None, help="Bates ranges used so far.")
@click.option("--digits", type=click.IntRange(4, 12), default=7, show_default=True, help="Bates number width.")
@click.option("--select", default="all", show_default=True, help="all | hits | a file of conversation ids.")
@click.option(
    "--hits",
    type=DATASET_IN,
    help="scan output: its signals, and its hits when DATASET has none.",
)
@click.option("--designation", type=click.Choice(DESIGNATIONS), default="CONFIDENTIAL", show_default=True)
@click.option("--timestamps", type=click.Choice(TIMESTAMP_POLICIES), default="full", show_default=True)
@click.option("--volume-size", default="10GB", show_default=True, help="Split volumes at this size.")
@click.option("--encrypt-to", default=None, help="age1… recipient(s), comma-separated, or a file of them.")
@click.option("--sign-key", type=click.Path(path_type=Path), default=None, help="Ed25519 private key (PEM).")
@click.option("--key-file", type=click.Path(path_type=Path), default=None, help="Key for DOCIDs [SEALROOM_KEY].")
@click.option("--pdf", is_flag=True, help="Also render transcripts as PDF page images (IMAGES/, Opticon OPT).")
@runner_options
def produce(
    dataset: Location,
    out: Path,
    prefix: str,
    start: int | None,
    state_file: Path | None,
    digits: int,
    select: str,
    hits: Location | None,
    designation: str,
    timestamps: str,
    volume_size: str,
    encrypt_to: str | None,
    sign_key: Path | None,
    key_file: Path | None,
    pdf: bool,
    workers: int | None,
    cluster: str | None,
    restart: bool,
    quiet: bool,
) -> None:
    """Write a Bates-numbered production of DATASET (one document per conversation)."""
    from sealroom.produce.api import produce as run

    r = run(
        dataset,
        out,
        prefix=prefix,
        start=start,
        select=select,
        hits=hits,
        designation=designation,
        volume_size=volume_size,
        encrypt_to=encrypt_to,
        sign_key=sign_key,
        key_file=key_file,
        state_file=state_file,
        show_progress=not quiet,
        timestamps=timestamps,
        digits=digits,
        workers=workers,
        cluster=cluster,
        restart=restart,
        pdf=pdf,
    )
    click.echo(
        f"produced {r.documents} documents {r.begin}-{r.end} in {len(r.volumes)} volume(s) at {r.out}"
        + (" (signed)" if r.signed else "")
    )
    for a in r.archives:
        click.echo(f"encrypted: {a}")


@click.command()
@click.argument("production", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--public-key", type=click.Path(path_type=Path), default=None, help="The producer's public key (PEM).")
@click.option(
    "--against-replacements",
    "log",
    type=DATASET,
    default=None,
    help="Producing side: a replacement log with encrypted originals; fail if an original appears.",
)
@click.option("--originals-key", type=click.Path(path_type=Path), default=None, help="Key of the encrypted originals.")
@click.option("--key-file", type=click.Path(path_type=Path), default=None, help="DOCID key of produce [SEALROOM_KEY].")
def verify(
    production: Path, public_key: Path | None, log: Location | None, originals_key: Path | None, key_file: Path | None
) -> None:
    """Check a production: hashes, signature, Bates continuity, load files, documents, redaction log."""
    from sealroom.produce.errors import VerificationError
    from sealroom.produce.verify import verify_production

    rep = verify_production(production, public_key=public_key)
    if log is not None:
        from sealroom.produce.leaks import docid_function, find_originals, originals_from_log

        if rep.ok:  # the originals search trusts the DAT rows, so only on an intact production
            leaks = find_originals(
                production, originals_from_log(log, originals_key), docid_of=docid_function(key_file)
            )
            rep.problems += leaks.problems
            rep.ok = not rep.problems
            click.echo(f"searched {leaks.documents} documents for {leaks.originals} original values")
    for w in rep.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    for p in rep.problems:
        click.secho(f"✗ {p}", fg="red")
    if not rep.ok:
        raise VerificationError(f"{len(rep.problems)} problem(s) in {production}; first: {rep.problems[0]}")
    signed = f", signature valid ({rep.signature_key} key)" if rep.signed else ", not signed"
    click.secho(f"✓ {production}: {rep.documents} documents, {rep.files} files verified{signed}", fg="green")


@click.command()
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@click.option("--identity", "-i", required=True, type=click.Path(path_type=Path), help="age identity file.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Folder to restore into.")
def decrypt(source: Path, identity: Path, out: Path) -> None:
    """Decrypt a delivery (a folder of *.tar.age archives, or one) into a production folder."""
    from sealroom.produce.crypto import decrypt_delivery

    restored = decrypt_delivery(source, identity, out)
    click.echo(f"restored {len(restored)} item(s) into {out}; now run: sealroom verify {out}")


@click.command("produce-keygen")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--age", "age", is_flag=True, help="An age identity for encrypted delivery, not a signing key.")
def produce_keygen(path: Path, age: bool) -> None:
    """Write an Ed25519 signing key (PATH, PATH.pub.pem) or, with --age, an age identity."""
    if path.exists():
        raise click.ClickException(f"{path} exists; refusing to overwrite a key")
    if age:
        from sealroom.produce.crypto import generate_identity

        recipient = generate_identity(path)
        click.echo(f"wrote {path}; give the producing party this recipient: {recipient}")
        return
    from sealroom.produce.signing import generate_signing_key, load_public_key, public_fingerprint

    priv, pub = generate_signing_key(path)
    click.echo(f"wrote {priv} (private, keep it) and {pub} (fingerprint {public_fingerprint(load_public_key(pub))})")
