"""`carbonpeak validate`: check a unified social credit code, a region code, an industry code."""

from __future__ import annotations

from typing import Annotated

import typer

from carbonpeak.cli._kit import Alias, JsonOption, err, out, print_json

app = typer.Typer(name="validate", help="Check identifiers and codes.", no_args_is_help=True)
ALIASES: tuple[Alias, ...] = ()


@app.command("uscc")
def validate_uscc(
    code: Annotated[str, typer.Argument(help="An 18-character unified social credit code.")],
    as_json: JsonOption = False,
) -> None:
    """Check a unified social credit code (GB 32100-2015): `valid`, or why not (exit 2)."""
    from carbonpeak.domain.uscc import check_uscc

    verdict = check_uscc(code)
    if as_json:
        print_json(
            {
                "code": code,
                "valid": verdict.valid,
                "reason": verdict.reason,
                "expected_check": verdict.expected_check,
                "warnings": list(verdict.warnings),
            }
        )
    elif verdict.valid:
        out.print("valid")
        for warning in verdict.warnings:
            err.print(f"warning: {warning}", markup=False)
    else:
        err.print(f"invalid: {verdict.reason}", markup=False)
    if not verdict.valid:
        raise typer.Exit(2)  # the verdict "invalid", printed above (or in the JSON)


@app.command("region")
def validate_region(
    code: Annotated[str, typer.Argument(help="A 6-digit GB/T 2260 region code.")],
    as_json: JsonOption = False,
) -> None:
    """Resolve a GB/T 2260 region code to its names and province (exit 2 if unknown)."""
    from carbonpeak.domain.codes import region_by_code

    region = region_by_code(code)
    if as_json:
        print_json(region.__dict__)
        return
    parent = f", in {region_by_code(region.parent_code).name_zh}" if region.parent_code else ""
    out.print(f"{region.region_code} {region.name_zh} ({region.name_en}), {region.level}{parent}")


@app.command("industry")
def validate_industry(
    code: Annotated[str, typer.Argument(help="A GB/T 4754-2017 code, e.g. 3110 or C.")],
    as_json: JsonOption = False,
) -> None:
    """Resolve a GB/T 4754-2017 industry code to its names and parents (exit 2 if unknown)."""
    from carbonpeak.domain.codes import industry_by_code

    industry = industry_by_code(code)
    chain = []
    parent = industry.parent_code
    while parent:
        item = industry_by_code(parent)
        chain.append(item)
        parent = item.parent_code
    if as_json:
        print_json({**industry.__dict__, "parents": [i.__dict__ for i in chain]})
        return
    english = f" ({industry.name_en})" if industry.name_en else ""
    out.print(f"{industry.industry_code} {industry.name_zh}{english}, {industry.level}")
    for item in chain:
        out.print(f"  in {item.industry_code} {item.name_zh}")
