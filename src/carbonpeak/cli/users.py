"""`carbonpeak users`: the users of the platform."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from carbonpeak.cli._kit import Alias, JsonOption, fail, out, print_json

app = typer.Typer(name="users", help="Users of the platform.", no_args_is_help=True)
ALIASES: tuple[Alias, ...] = ()


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, regulator, enterprise or automaker.")],
    region: Annotated[
        list[str] | None, typer.Option(help="Region code a regulator oversees (repeatable).")
    ] = None,
    enterprise: Annotated[
        list[str] | None, typer.Option(help="USCC of an enterprise the user acts for (repeatable).")
    ] = None,
    duty: Annotated[
        list[str] | None,
        typer.Option(
            help="A duty of an admin or regulator: reference_editor or reference_reviewer "
            "(repeatable)."
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a user; the password is read from standard input, never from the command line."""
    from carbonpeak.services.users import create_user

    if not password_stdin:
        fail("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\n")
    user = create_user(username, role, password, region or [], enterprise or [], duty or [])
    if as_json:
        print_json(user)
        return
    out.print(f"user {user['username']} ({user['role']}) added")


@app.command("keys")
def keys(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's keys.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the API keys (never the keys themselves): owner, name, expiry, last use, revoked,
    and the enterprise a key is narrowed to."""
    from carbonpeak.services.tokens import keys_in_store

    found = keys_in_store(user)
    if as_json:
        print_json({"items": found})
        return
    for key in found:
        state = "revoked" if key["revoked_at"] else f"expires {key['expires_at']:%Y-%m-%d}"
        used = f"{key['last_used_at']:%Y-%m-%d %H:%M}" if key["last_used_at"] else "never"
        scope = f", for {key['enterprise_id']}" if key["enterprise_id"] else ""
        out.print(
            f"{key['key_id']:>6}  {key['username']:<20} {key['name']:<24} {state}, used {used}"
            f"{scope}"
        )


@app.command("revoke-key")
def revoke_key(
    key_id: Annotated[
        int, typer.Argument(help="The key's id (from `carbonpeak users keys`).", min=1)
    ],
    as_json: JsonOption = False,
) -> None:
    """Revoke an API key by its id; effective within seconds in every server process."""
    from carbonpeak.services.tokens import revoke_in_store

    key = revoke_in_store(key_id)
    if as_json:
        print_json(key)
        return
    out.print(f"API key {key['key_id']} of {key['username']} ({key['name']}) revoked")


@app.command("unlock")
def unlock(
    username: Annotated[str, typer.Argument(help="The account that waits.")],
    as_json: JsonOption = False,
) -> None:
    """End an account's wait after failed logins at once (its failures are forgotten)."""
    from carbonpeak.services.users import unlock as unlock_account

    done = unlock_account(username)
    if as_json:
        print_json(done)
        return
    out.print(f"{username}: {done['failures_cleared']} failed logins forgotten; it may log in")
