"""Who is acting and what they may see.

- admin: everything;
- regulator: enterprises whose region lies in one of its region codes (a province code
  covers its prefectures and counties, a prefecture code its counties);
- enterprise and automaker: the enterprises they are scoped to.

Data a caller may not see is reported exactly like data that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true

from carbonpeak.store.models import Enterprise, User


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    role: str
    regions: frozenset[str]
    enterprises: frozenset[str]
    duties: frozenset[str] = frozenset()  # store.models.DUTIES held

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(
            user_id=user.user_id,
            username=user.username,
            role=user.role,
            regions=frozenset(s.code for s in user.scopes if s.kind == "region"),
            enterprises=frozenset(s.code for s in user.scopes if s.kind == "enterprise"),
            duties=frozenset(s.code for s in user.scopes if s.kind == "duty"),
        )

    def covers_region(self, region_code: str) -> bool:
        return self.role == "admin" or any(
            region_code.startswith(_prefix(code)) for code in self.regions
        )

    def can_see(self, enterprise_id: str, region_code: str) -> bool:
        if self.role == "admin":
            return True
        if self.role == "regulator":
            return self.covers_region(region_code)
        return enterprise_id in self.enterprises

    def visible(self) -> ColumnElement[bool]:
        """SQL condition on `Enterprise` for what this actor may see."""
        if self.role == "admin":
            return true()
        if self.role == "regulator":
            if not self.regions:
                return false()
            return or_(*(Enterprise.region_code.startswith(_prefix(c)) for c in self.regions))
        if not self.enterprises:
            return false()
        return Enterprise.enterprise_id.in_(sorted(self.enterprises))


def _prefix(code: str) -> str:
    """The digits of a region code that its subdivisions share (130000 -> 13, 130200 -> 1302)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code
