"""Exceptions raised by slakit: one class per absl status code.

Every failed call of the C++ engine returns an ``absl::Status``; the binding
raises it as the subclass of :class:`Error` named after its code, carrying
the code name and the engine's message::

    try:
        engine.budget("web", "availability")
    except slakit.NotFound as e:
        print(e.code, e.message)   # NOT_FOUND objective 'web/availability' ...

:class:`InvalidArgument` and :class:`OutOfRange` are also ``ValueError``\\ s,
:class:`NotFound` is also a ``LookupError``, so generic handlers work too.
"""

from __future__ import annotations

__all__ = [
    "Error",
    "Cancelled",
    "Unknown",
    "InvalidArgument",
    "DeadlineExceeded",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "ResourceExhausted",
    "FailedPrecondition",
    "Aborted",
    "OutOfRange",
    "Unimplemented",
    "Internal",
    "Unavailable",
    "DataLoss",
    "Unauthenticated",
]


class Error(Exception):
    """Base of every slakit error.

    Attributes:
        code: the absl status code name, e.g. ``"INVALID_ARGUMENT"``.
        message: what was wrong and where, as the engine wrote it.
    """

    code: str = "UNKNOWN"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class Cancelled(Error):
    """CANCELLED: the operation was cancelled."""

    code = "CANCELLED"


class Unknown(Error):
    """UNKNOWN: an error without a better code."""

    code = "UNKNOWN"


class InvalidArgument(Error, ValueError):
    """INVALID_ARGUMENT: a bad spec, record, window, time or format."""

    code = "INVALID_ARGUMENT"


class DeadlineExceeded(Error):
    """DEADLINE_EXCEEDED."""

    code = "DEADLINE_EXCEEDED"


class NotFound(Error, LookupError):
    """NOT_FOUND: an unknown service, SLI, objective, application or file."""

    code = "NOT_FOUND"


class AlreadyExists(Error):
    """ALREADY_EXISTS: an SLI or objective declared twice."""

    code = "ALREADY_EXISTS"


class PermissionDenied(Error):
    """PERMISSION_DENIED: e.g. an unreadable file."""

    code = "PERMISSION_DENIED"


class ResourceExhausted(Error):
    """RESOURCE_EXHAUSTED."""

    code = "RESOURCE_EXHAUSTED"


class FailedPrecondition(Error):
    """FAILED_PRECONDITION: e.g. an objective declared with other terms than
    the configuration's."""

    code = "FAILED_PRECONDITION"


class Aborted(Error):
    """ABORTED."""

    code = "ABORTED"


class OutOfRange(Error, ValueError):
    """OUT_OF_RANGE: a result older than the engine's retention."""

    code = "OUT_OF_RANGE"


class Unimplemented(Error):
    """UNIMPLEMENTED."""

    code = "UNIMPLEMENTED"


class Internal(Error):
    """INTERNAL: e.g. a system error reading a file."""

    code = "INTERNAL"


class Unavailable(Error):
    """UNAVAILABLE."""

    code = "UNAVAILABLE"


class DataLoss(Error):
    """DATA_LOSS: corrupt input."""

    code = "DATA_LOSS"


class Unauthenticated(Error):
    """UNAUTHENTICATED."""

    code = "UNAUTHENTICATED"


_BY_CODE: dict[str, type[Error]] = {
    cls.code: cls
    for cls in (
        Cancelled,
        Unknown,
        InvalidArgument,
        DeadlineExceeded,
        NotFound,
        AlreadyExists,
        PermissionDenied,
        ResourceExhausted,
        FailedPrecondition,
        Aborted,
        OutOfRange,
        Unimplemented,
        Internal,
        Unavailable,
        DataLoss,
        Unauthenticated,
    )
}


def make_error(code: str, message: str) -> Error:
    """The exception for a failed status (called by the native module)."""
    cls = _BY_CODE.get(code)
    if cls is None:
        return Error(message, code)
    return cls(message)
