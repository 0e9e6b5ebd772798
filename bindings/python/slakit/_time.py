"""Time values at the binding edge: aware datetimes or epoch milliseconds.

The engine counts integer milliseconds since the Unix epoch. Python callers
may pass either an ``int`` of milliseconds or an aware ``datetime``; a naive
datetime is refused, because its zone would be a guess.
"""

from __future__ import annotations

import datetime as _dt
from typing import Union

from slakit._errors import InvalidArgument

#: A time: an aware datetime, or int milliseconds since the Unix epoch.
Time = Union[_dt.datetime, int]
#: A rolling window ("30d", "5m"), a calendar window ("month",
#: "week@Europe/Paris"), or a timedelta of whole seconds (rolling).
WindowLike = Union[str, _dt.timedelta]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_MS = _dt.timedelta(milliseconds=1)


def to_ms(value: object, what: str = "time") -> int:
    """Epoch milliseconds of an aware datetime or an int (floored to the
    millisecond); InvalidArgument for anything else, naive datetimes
    included."""
    if isinstance(value, bool):
        raise InvalidArgument(f"{what}: expected an aware datetime or epoch "
                              f"milliseconds (int), got bool")
    if isinstance(value, int):
        return value
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidArgument(
                f"{what}: naive datetime {value.isoformat()} has no time "
                f"zone; give an aware datetime (tzinfo=datetime.timezone.utc) "
                f"or epoch milliseconds")
        return (value - _EPOCH) // _MS
    raise InvalidArgument(f"{what}: expected an aware datetime or epoch "
                          f"milliseconds (int), got {type(value).__name__}")


def from_ms(ms: int) -> _dt.datetime:
    """The aware UTC datetime of epoch milliseconds."""
    return _EPOCH + _dt.timedelta(milliseconds=ms)


def duration_text(value: object, what: str = "window") -> str:
    """A duration or window as the engine spells it: strings pass through,
    a timedelta becomes whole seconds ("3600s")."""
    if isinstance(value, str):
        return value
    if isinstance(value, _dt.timedelta):
        if value % _dt.timedelta(seconds=1):
            raise InvalidArgument(f"{what}: {value} is not a whole number of "
                                  f"seconds")
        return f"{value // _dt.timedelta(seconds=1)}s"
    raise InvalidArgument(f"{what}: expected a str such as '30d' or a "
                          f"timedelta, got {type(value).__name__}")


def timedelta_ms(value: object, what: str) -> int:
    """Milliseconds of a timedelta (exact); InvalidArgument otherwise."""
    if not isinstance(value, _dt.timedelta):
        raise InvalidArgument(f"{what}: expected a timedelta, got "
                              f"{type(value).__name__}")
    if value % _MS:
        raise InvalidArgument(f"{what}: {value} is not a whole number of "
                              f"milliseconds")
    return value // _MS
