"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

An enterprise is identified by its 18-character code:

    position 1      registration-authority code (登记管理部门代码)
    position 2      entity-type code (机构类别代码), valid per authority
    positions 3-8   region code of the registering authority (GB/T 2260)
    positions 9-17  organisation code (主体标识码, GB 11714)
    position 18     check character

Characters are the 31 of GB 32100-2015 §4.2 (digits and capital letters without I, O, Z, S,
V), each with its value 0..30. The check character (§4.3, Annex B) is

    C18 = 31 - (sum_{i=1..17} value(C_i) * W_i  mod 31),   W_i = 3^(i-1) mod 31,

written as the character of that value, with 31 written as 0. The authority/entity-type pairs
are reference data (`uscc_entity_types`).

Positions 9-17 are an organisation code of GB 11714-1997 with its own check character
(weights 3, 7, 9, 10, 5, 8, 4, 2; C9 = 11 - sum mod 11, 10 written X and 11 written 0; letters
valued A=10 ... Z=35). A code whose organisation code fails that check is still valid under
GB 32100 but gets a warning: codes issued from special code segments may not follow it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import CodeError
from carbonpeak.reference.loader import Reference, default_reference

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
_MODULUS = len(ALPHABET)
WEIGHTS = tuple(pow(3, i, _MODULUS) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_FORBIDDEN = {"I": "1", "O": "0", "Z": "2", "S": "5", "V": "U"}


@dataclass(frozen=True)
class Uscc:
    """A parsed, valid unified social credit code."""

    code: str
    authority: str
    entity_type: str
    region_code: str
    organisation_code: str
    check: str

    @property
    def entity_type_name(self) -> str:
        return str(
            default_reference().record("uscc_entity_types", code=self.code[:2])["entity_type_en"]
        )


@dataclass(frozen=True)
class UsccCheck:
    """The verdict on a candidate code: valid or not, why, and the expected check character."""

    code: str
    valid: bool
    reason: str | None = None
    expected_check: str | None = None
    warnings: tuple[ResultWarning, ...] = ()


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise CodeError(f"{first17!r}: need 17 characters from {ALPHABET}")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(_MODULUS - total % _MODULUS) % _MODULUS]


@lru_cache(maxsize=8)
def _pairs(reference: Reference) -> frozenset[str]:
    """Authority and entity-type pairs of a reference library."""
    return frozenset(str(r["code"]) for r in reference.rows("uscc_entity_types"))


def organisation_check_character(first8: str) -> str:
    """The GB 11714-1997 check character of an 8-character organisation-code body."""
    values = [int(c, 36) for c in first8]
    remainder = 11 - sum(v * w for v, w in zip(values, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def check_uscc(code: str, reference: Reference | None = None) -> UsccCheck:
    """Check a unified social credit code; say exactly what is wrong if it is not valid."""
    ref = reference or default_reference()
    text = code.strip()
    if len(text) != 18:
        return UsccCheck(code, False, f"has {len(text)} characters, a code has 18")
    if any(c.islower() for c in text):
        return UsccCheck(code, False, "uses lower-case letters; codes are written in capitals")
    for position, char in enumerate(text[:17], start=1):
        if char not in _VALUE:
            hint = ""
            if char in _FORBIDDEN:
                hint = f" (the standard leaves out {char}; perhaps {_FORBIDDEN[char]}?)"
            return UsccCheck(
                code, False, f"character {position} {char!r} is not allowed in a code{hint}"
            )
    pair = text[:2]
    if pair not in _pairs(ref):
        return UsccCheck(
            code,
            False,
            f"characters 1-2 {pair!r} are not a registration authority and entity type "
            "of GB 32100-2015",
        )
    if not re.fullmatch(r"\d{6}", text[2:8]):
        return UsccCheck(code, False, f"characters 3-8 {text[2:8]!r} are not a 6-digit region code")
    expected = check_character(text[:17])
    if text[17] != expected:
        return UsccCheck(
            code,
            False,
            f"check character is {text[17]!r}, expected {expected!r}",
            expected_check=expected,
        )
    warnings: tuple[ResultWarning, ...] = ()
    organisation = text[8:17]
    expected_org = organisation_check_character(organisation[:8])
    if organisation[8] != expected_org:
        warnings = (
            warn(
                "domain.uscc.organisation_check",
                organisation=organisation,
                found=organisation[8],
                expected=expected_org,
            ),
        )
    return UsccCheck(code, True, warnings=warnings)


def parse_uscc(code: str, reference: Reference | None = None) -> Uscc:
    """Parse a valid code; raise `CodeError` saying why otherwise."""
    verdict = check_uscc(code, reference)
    if not verdict.valid:
        raise CodeError(
            f"{code.strip()!r} is not a valid unified social credit code: {verdict.reason}"
        )
    text = code.strip()
    return Uscc(text, text[0], text[1], text[2:8], text[8:17], text[17])


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their check character (for generators and tests)."""
    return first17 + check_character(first17)


_TABLE = np.full(256, -1, dtype=np.int64)
for _index, _char in enumerate(ALPHABET):
    _TABLE[ord(_char)] = _index
_WEIGHTS = np.array(WEIGHTS, dtype=np.int64)


def invalid_usccs(codes: Iterable[str], reference: Reference | None = None) -> dict[str, str]:
    """The invalid codes among many, with the reason of each (same as `check_uscc`).

    The check character of every well-formed code is computed at once with NumPy; only the
    codes that fail go through `check_uscc` for their reason."""
    ref = reference or default_reference()
    unique = list(dict.fromkeys(str(c) for c in codes))
    suspects = [c for c in unique if len(c) != 18 or not c.isascii()]
    regular = [c for c in unique if len(c) == 18 and c.isascii()]
    if regular:
        chars = np.frombuffer("".join(regular).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        values = _TABLE[chars]
        ok = (values >= 0).all(axis=1)
        total = (np.where(values[:, :17] >= 0, values[:, :17], 0) * _WEIGHTS).sum(axis=1)
        ok &= values[:, 17] == (_MODULUS - total % _MODULUS) % _MODULUS
        ok &= ((chars[:, 2:8] >= ord("0")) & (chars[:, 2:8] <= ord("9"))).all(axis=1)
        pairs = _pairs(ref)
        ok &= np.array([c[:2] in pairs for c in regular], dtype=bool)
        suspects += [c for c, good in zip(regular, ok, strict=True) if not good]
    out = {}
    for code in suspects:
        verdict = check_uscc(code, ref)
        if not verdict.valid:
            out[code] = str(verdict.reason)
    return out
