"""`carbonpeak store`: create or migrate the store's schema and verify its audit log.

Today's `db upgrade` and `audit verify` are the same commands.
"""

from __future__ import annotations

import typer

from carbonpeak.cli._kit import Alias, JsonOption, err, out, print_json

app = typer.Typer(
    name="store",
    help="The SQL store: schema and audit log (also: db upgrade, audit verify).",
    no_args_is_help=True,
)


@app.command("upgrade")
def upgrade(as_json: JsonOption = False) -> None:
    """Create or migrate the store's schema (SQLite by default, CARBONPEAK_DATABASE_URL)."""
    from carbonpeak.services.store import upgrade_schema

    done = upgrade_schema()
    if as_json:
        print_json(done)
        return
    out.print(f"{done['database']}: schema {done['from'] or 'empty'} -> {done['to']}")


@app.command("audit-verify")
def audit_verify(as_json: JsonOption = False) -> None:
    """Check the hash chain of the audit log; exit 1 naming the first broken entry."""
    from carbonpeak.services.store import verify_audit

    verdict = verify_audit()
    if as_json:
        print_json(verdict.__dict__)
    elif verdict.ok:
        out.print(f"audit log: {verdict.entries} entries, chain intact")
    else:
        err.print(f"audit log broken at entry {verdict.seq}: {verdict.problem}", markup=False)
    if not verdict.ok:
        raise typer.Exit(1)  # a verdict on the log, not a refused input


ALIASES = (
    Alias(("db", "upgrade"), upgrade, "The SQL store."),
    Alias(("audit", "verify"), audit_verify, "The audit log."),
)
