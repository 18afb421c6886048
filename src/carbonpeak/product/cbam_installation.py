"""What the installation is, as the operator gives it for the EU CBAM communication
(`cbam_template.Installation`), completed from the enterprise's region where it is silent."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from carbonpeak.domain.codes import region_by_code
from carbonpeak.errors import N_, CarbonpeakError, InputError, Place, Problem
from carbonpeak.product.cbam_template import Installation
from carbonpeak.reference.loader import Reference

CHINA = "China"  # the template's country name of code CN (c_CodeLists F59, Translations C1537)


def installation(
    fields: Mapping[str, object], region_code: str | None = None, reference: Reference | None = None
) -> Installation:
    """The installation as the operator gives it (`cbam_template.Installation`'s fields; blank
    ones left out); where it names no city or country, the enterprise's region gives them: a
    GB/T 2260 region is in China, and a prefecture is the city (its English name). A bad field
    is an `InputError` placed on it."""
    given = {k: v for k, v in fields.items() if v is not None and str(v).strip()}
    if region_code:
        given.setdefault("country", CHINA)
        try:
            region = region_by_code(region_code, reference)
        except CarbonpeakError:  # a code the regions table does not know: no city
            region = None
        if region is not None and region.level == "prefecture" and region.name_en:
            given.setdefault("city", region.name_en)
    try:
        return Installation.model_validate(given)
    except ValidationError as error:
        raise InputError(
            [
                Problem.of(Place(field=field), N_("{}: {}"), field, e["msg"])
                for e in error.errors()
                for field in [".".join(str(part) for part in e["loc"]) or "installation"]
            ]
        ) from None
