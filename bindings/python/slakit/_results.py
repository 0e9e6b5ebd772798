"""Result and spec types of slakit: small frozen dataclasses.

Every number comes from the engine's integer counts over half-open
intervals ``[start, end)``; ratios are computed from them, so each can be
recomputed by hand (``availability == good / total``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt

__all__ = [
    "Sli",
    "Objective",
    "Availability",
    "Budget",
    "ComponentAttribution",
    "OwnerAttribution",
    "Composite",
]


@dataclasses.dataclass(frozen=True)
class Sli:
    """A declared service-level indicator: one series of per-minute counts.

    ``kind`` is ``"probe_success"`` (a result is good when ok),
    ``"latency_threshold"`` (ok and latency <= ``latency_threshold_ms``) or
    ``"event_ratio"`` (good and total counts pushed by the application).
    """

    id: int
    service: str
    name: str
    kind: str
    latency_threshold_ms: float


@dataclasses.dataclass(frozen=True)
class Objective:
    """An objective (SLO) over some SLIs of a service, or of an
    application's composite minutes.

    ``target`` is a percent in (0, 100); ``window`` a rolling ("30d") or
    calendar ("month@Europe/Paris") window; ``budgeting`` one of
    ``"occurrences"``, ``"timeslices"``, ``"ratio_timeslices"``; ``slis``
    empty means every probe-success SLI of the service.
    """

    service: str
    name: str
    target: float
    window: str
    budgeting: str
    slis: tuple[str, ...]
    slice: _dt.timedelta
    slice_threshold: float
    alerting: bool


@dataclasses.dataclass(frozen=True)
class Availability:
    """Good and total results over ``[start, end)`` (bounds floored to the
    minute). ``availability`` is good / total, 1.0 without data."""

    good: int
    total: int
    availability: float
    start: _dt.datetime
    end: _dt.datetime

    @property
    def bad(self) -> int:
        """total - good."""
        return self.total - self.good


@dataclasses.dataclass(frozen=True)
class Budget:
    """An objective's error budget over its resolved window ``[start, end)``.

    For occurrences, good and total are events; for timeslices, slices; for
    an application, composite minutes (up, up + down). ``allowed_bad`` is
    (1 - target) * total, ``consumed`` bad / allowed_bad (0 without data),
    ``remaining`` 1 - consumed (negative when overspent). ``target`` is a
    percent.
    """

    service: str
    objective: str
    target: float
    budgeting: str
    start: _dt.datetime
    end: _dt.datetime
    good: int
    total: int
    bad: int
    availability: float
    allowed_bad: float
    consumed: float
    remaining: float


@dataclasses.dataclass(frozen=True)
class ComponentAttribution:
    """One component of an application over an observed interval.

    ``down_minutes``: minutes it was down (whatever the composite did);
    ``sole_minutes``: composite down minutes it caused alone;
    ``shared_minutes``: composite down minutes it caused with others.
    """

    name: str
    owner: str
    down_minutes: int
    sole_minutes: int
    shared_minutes: int


@dataclasses.dataclass(frozen=True)
class OwnerAttribution:
    """Composite down minutes by owner ("provider" or "application").

    ``exclusive_minutes`` are the minutes this owner alone is answerable
    for (every component that caused them is this owner's).
    """

    sole_minutes: int
    shared_minutes: int
    exclusive_minutes: int


@dataclasses.dataclass(frozen=True)
class Composite:
    """An application observed minute by minute over ``[start, end)``.

    ``up_minutes + down_minutes + no_data_minutes == minutes``;
    ``availability`` is up / (up + down), 1.0 without data. ``states`` has
    one character per minute: ``U`` up, ``D`` down, ``?`` no data.
    Invariant: ``down_minutes == provider.exclusive_minutes +
    application_owner.exclusive_minutes + mixed_owner_minutes +
    unattributed_minutes``.
    """

    application: str
    expression: str
    start: _dt.datetime
    end: _dt.datetime
    minutes: int
    up_minutes: int
    down_minutes: int
    no_data_minutes: int
    availability: float
    components: tuple[ComponentAttribution, ...]
    provider: OwnerAttribution
    application_owner: OwnerAttribution
    shared_only_minutes: int
    mixed_owner_minutes: int
    unattributed_minutes: int
    states: str

    def component(self, name: str) -> ComponentAttribution:
        """The attribution of one component; KeyError when absent."""
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(name)
