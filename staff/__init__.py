"""Staff accounts for the web console: who may log in, with which role, and their passwords;
console sessions, the login throttle, the TOTP second factor and the audit trail of sign-ins.

No web imports here: `web/` logs people in with it and `greenbot staff …` manages it.
"""

from staff.accounts import StaffAccounts
from staff.audit import EventKind, StaffAudit
from staff.challenges import LoginChallenges, Purpose
from staff.errors import (
    AccountNotFound,
    DuplicateAccount,
    InvalidAccount,
    StaffError,
    TelegramInUse,
    WeakPassword,
)
from staff.models import (
    ConsoleSession,
    LoginChallenge,
    LoginCounter,
    RecoveryCode,
    StaffAccount,
    StaffEvent,
)
from staff.passwords import MIN_PASSWORD, hash_password, needs_rehash, verify_password
from staff.roles import Role
from staff.second_factor import Method, SecondFactor
from staff.sessions import ConsoleSessions, EndReason, Lifetimes
from staff.throttle import LoginThrottle, ThrottlePolicy

__all__ = [
    "MIN_PASSWORD",
    "AccountNotFound",
    "ConsoleSession",
    "ConsoleSessions",
    "DuplicateAccount",
    "EndReason",
    "EventKind",
    "InvalidAccount",
    "Lifetimes",
    "LoginChallenge",
    "LoginChallenges",
    "LoginCounter",
    "LoginThrottle",
    "Method",
    "Purpose",
    "RecoveryCode",
    "Role",
    "SecondFactor",
    "StaffAccount",
    "StaffAccounts",
    "StaffAudit",
    "StaffError",
    "StaffEvent",
    "TelegramInUse",
    "ThrottlePolicy",
    "WeakPassword",
    "hash_password",
    "needs_rehash",
    "verify_password",
]
