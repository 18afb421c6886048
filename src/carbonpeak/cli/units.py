"""`carbonpeak units`: convert a value between units of the unit registry."""

from __future__ import annotations

from typing import Annotated

import typer

from carbonpeak.cli._kit import Alias, JsonOption, out, print_json

app = typer.Typer(name="units", help="Unit conversions.", no_args_is_help=True)
ALIASES: tuple[Alias, ...] = ()


@app.command("convert")
def units_convert(
    value: Annotated[float, typer.Argument(help="The number to convert.")],
    from_unit: Annotated[str, typer.Argument(metavar="FROM", help="Its unit, e.g. tce.")],
    to_unit: Annotated[str, typer.Argument(metavar="TO", help="The unit wanted, e.g. GJ.")],
    as_json: JsonOption = False,
) -> None:
    """Convert a value between units (tce, kgce, GJ, 10^4 Nm3, tCO2, weight_box, ...)."""
    from carbonpeak.domain.units import convert

    result = convert(value, from_unit, to_unit)
    if as_json:
        print_json({"value": value, "from": from_unit, "to": to_unit, "result": result})
        return
    out.print(f"{value:g} {from_unit} = {result:.6g} {to_unit}")
