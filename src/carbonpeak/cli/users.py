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
    user = create_user(username, role, password, region or [], enterprise or [])
    if as_json:
        print_json(user)
        return
    out.print(f"user {user['username']} ({user['role']}) added")
