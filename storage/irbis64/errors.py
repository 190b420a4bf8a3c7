"""What can go wrong talking to an IRBIS64 server, as exceptions callers can tell apart.

The line that matters most to callers is between `IrbisUnavailable` (nothing reached the
server, or it answered nonsense to a read: safe to try again later) and `IrbisAnswerLost`
(the request went out and no answer came: a write may have happened, so it is reported
as unconfirmed and never repeated blindly). They are deliberately siblings, so catching
one never swallows the other.
"""

from __future__ import annotations

# Return codes of the IRBIS64 server (negative means an error), as its documentation
# and ManagedIrbis's error table name them.
DESCRIPTIONS = {
    -100: "MFN outside the database",
    -140: "MFN outside the database",
    -201: "no previous version of the record",
    -300: "database locked exclusively",
    -400: "error opening MST or XRF",
    -600: "record logically deleted",
    -601: "record physically deleted",
    -602: "record locked for input",
    -603: "record logically deleted",
    -605: "record physically deleted",
    -607: "autoin.gbl error",
    -608: "record version error (changed meanwhile)",
    -1111: "server execution error",
    -2222: "protocol error",
    -3333: "client not registered",
    -3334: "client not logged in",
    -3335: "wrong client identifier",
    -3336: "no access to this workstation's commands",
    -3337: "client already registered",
    -3338: "client not allowed",
    -4444: "wrong password",
    -5555: "file does not exist",
    -6666: "server overloaded",
    -7777: "administrator thread error",
    -8888: "general error",
}

NOT_REGISTERED = -3333
ALREADY_REGISTERED = -3337
WRONG_PASSWORD = -4444
MFN_OUT_OF_RANGE = -140
RECORD_LOCKED = -602
LOGICALLY_DELETED = (-600, -603)
PHYSICALLY_DELETED = (-601, -605)
VERSION_ERROR = -608


class IrbisError(Exception):
    """An error answer (`code` < 0) or a failure to get one (`code` 0)."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code

    @classmethod
    def from_code(cls, code: int, context: str) -> IrbisError:
        description = DESCRIPTIONS.get(code, "unknown error")
        return cls(f"{context}: IRBIS error {code} ({description})", code)


class IrbisUnavailable(IrbisError):
    """No connection, a timeout before the request was sent, or an answer that is not
    IRBIS (for a write, a garbled answer is `IrbisAnswerLost` instead)."""


class IrbisAnswerLost(IrbisError):
    """The request was sent and no answer came within the timeout: it may have been done."""


class WrongPassword(IrbisError):
    """The server refused the user name or password (-4444, or -3333 at registration)."""


class RecordLocked(IrbisError):
    """Someone else (the desk) holds the record's lock (-602)."""


class VersionConflict(IrbisError):
    """The record was changed since it was read (-608): re-read it before writing."""


class NoSuchRecord(IrbisError):
    """The MFN is outside the database (-140) or the record was physically deleted."""


# A read that got no answer, whichever way: catch this to fall back to cached data.
NO_ANSWER = (IrbisUnavailable, IrbisAnswerLost)
