"""Staff accounts for the web console: who may log in, with which role, and their passwords.

No web imports here: `web/` logs people in with it and `greenbot staff …` manages it.
"""

from staff.accounts import StaffAccounts
from staff.errors import (
    AccountNotFound,
    DuplicateAccount,
    InvalidAccount,
    StaffError,
    WeakPassword,
)
from staff.models import Role, StaffAccount
from staff.passwords import MIN_PASSWORD, hash_password, needs_rehash, verify_password

__all__ = [
    "MIN_PASSWORD",
    "AccountNotFound",
    "DuplicateAccount",
    "InvalidAccount",
    "Role",
    "StaffAccount",
    "StaffAccounts",
    "StaffError",
    "WeakPassword",
    "hash_password",
    "needs_rehash",
    "verify_password",
]
