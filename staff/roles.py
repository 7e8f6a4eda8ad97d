"""The two staff roles, one model for the web console and the bot's staff commands."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Reviewers handle reports and read gaps; admins also broadcast, announce dates and
    manage accounts. Ordered: an admin may do everything a reviewer may."""

    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {Role.REVIEWER: 1, Role.ADMIN: 2}[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank
