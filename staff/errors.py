"""What can go wrong with staff accounts; messages are for logs, surfaces translate them."""

from __future__ import annotations


class StaffError(Exception):
    """Base of every staff-account error."""


class AccountNotFound(StaffError):
    """No account has that name or id."""


class DuplicateAccount(StaffError):
    """An account with that name exists already."""


class InvalidAccount(StaffError):
    """A bad name or role."""


class WeakPassword(StaffError):
    """Too short, or too long to be a password someone types."""


class TelegramInUse(StaffError):
    """That Telegram account is linked to another staff account already."""
