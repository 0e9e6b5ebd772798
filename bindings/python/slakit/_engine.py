"""The slakit engine and configuration, as Python objects.

See the package docstring (``help(slakit)``) for an overview. Every method
here converts its arguments, calls the native module once and wraps the
answer; the arithmetic is the C++ engine's.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import pathlib
import tempfile
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

from slakit import _slakit as _native
from slakit._errors import FailedPrecondition, InvalidArgument, NotFound
from slakit._results import (
    Availability,
    Budget,
    Composite,
    ComponentAttribution,
    Objective,
    OwnerAttribution,
    Sli,
)
from slakit._time import (
    Time,
    WindowLike,
    duration_text,
    from_ms,
    timedelta_ms,
    to_ms,
)

__all__ = ["Config", "Engine", "theoretical_availability",
           "standard_burn_windows"]

PathLike = Union[str, "os.PathLike[str]"]

#: A probe result: ``(service, probe, time, ok)``,
#: ``(service, probe, time, ok, latency_ms)``, ``(sli_id, time, ok)`` or
#: ``(sli_id, time, ok, latency_ms)``; time an aware datetime or epoch ms.
ProbeRow = Sequence[Any]
#: Event counts for an event-ratio SLI: ``(service, sli, time, good,
#: total)`` or ``(sli_id, time, good, total)``.
EventRow = Sequence[Any]

_BUDGETING_OUT = {
    "Occurrences": "occurrences",
    "Timeslices": "timeslices",
    "RatioTimeslices": "ratio_timeslices",
}
_REPORT_FORMATS = {
    ".json": "json",
    ".csv": "csv",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
_MINUTE_MS = 60_000


def _utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _objective(d: Mapping[str, Any]) -> Objective:
    return Objective(
        service=d["service"],
        name=d["name"],
        target=d["target_percent"],
        window=d["window"],
        budgeting=_BUDGETING_OUT.get(d["budgeting"], d["budgeting"]),
        slis=tuple(d["slis"]),
        slice=_dt.timedelta(milliseconds=d["slice_ms"]),
        slice_threshold=d["slice_threshold"],
        alerting=d["alerting"],
    )


def _month_text(month: Union[str, _dt.date]) -> str:
    if isinstance(month, _dt.date):  # datetime too
        return f"{month.year:04d}-{month.month:02d}"
    if isinstance(month, str):
        return month
    raise InvalidArgument(f"month: expected 'YYYY-MM' or a date, got "
                          f"{type(month).__name__}")


def standard_burn_windows() -> list[str]:
    """The look-back windows of every burn-rate report, shortest first:
    ``['5m', '30m', '1h', '2h', '6h', '1d', '3d']``."""
    return list(_native.standard_burn_windows())


def theoretical_availability(expression: str,
                             availability: Mapping[str, float]) -> float:
    """The theoretical availability of a composite expression from its
    components' availabilities (fractions in [0, 1]), assuming independent
    failures::

        theoretical_availability("all_of(web, any_of(sql, queue))",
                                 {"web": 0.9995, "sql": 0.9999,
                                  "queue": 0.999})   # 0.99949990005

    Raises InvalidArgument for a bad expression or value, NotFound for a
    component without an entry.
    """
    return _native.theoretical_availability(expression, dict(availability))


class Config:
    """A parsed ``slakit.yaml``: services (owner, contract, objectives),
    applications, maintenance windows, time zone. Immutable; thread-safe.

    Build one with :meth:`parse` (text) or :meth:`load` (a path); errors
    raise InvalidArgument listing every problem as
    ``source:line:column: field.path: what is wrong`` (NotFound for a
    missing file).
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.Config) -> None:
        """Internal: use :meth:`parse` or :meth:`load`."""
        if not isinstance(native, _native.Config):
            raise TypeError("use slakit.Config.parse(text) or "
                            "slakit.Config.load(path)")
        self._native = native

    @classmethod
    def parse(cls, text: str, source: str = "<string>") -> "Config":
        """Parses YAML text; ``source`` names it in error messages."""
        return cls(_native.Config.parse(text, source))

    @classmethod
    def load(cls, path: PathLike) -> "Config":
        """Reads and parses a file."""
        return cls(_native.Config.load(os.fspath(path)))

    @property
    def timezone(self) -> str:
        """The IANA time zone of calendar periods (reports, "month")."""
        return self._native.timezone

    @property
    def services(self) -> tuple[str, ...]:
        """Service names, in file order."""
        return tuple(s["name"] for s in self._native.services())

    @property
    def applications(self) -> dict[str, str]:
        """Application name -> composite expression
        (``"all_of(web, any_of(sql, queue))"``), in file order."""
        return {a["name"]: a["expression"]
                for a in self._native.applications()}

    def objectives(self, name: str) -> list[Objective]:
        """The objectives of a service or application; NotFound if neither
        has that name."""
        for group in (self._native.services(), self._native.applications()):
            for item in group:
                if item["name"] == name:
                    return [_objective(o) for o in item["objectives"]]
        raise NotFound(f"'{name}' is neither a service nor an application of "
                       f"the configuration")

    def as_dict(self) -> dict[str, Any]:
        """A summary: ``{"timezone", "services": [{name, tenant, owner,
        catalog, commitment_percent, objectives, probes}], "applications":
        [{name, tenant, expression, components, objectives}]}``."""
        return {
            "timezone": self.timezone,
            "services": self._native.services(),
            "applications": self._native.applications(),
        }

    def __repr__(self) -> str:
        return (f"slakit.Config(timezone={self.timezone!r}, "
                f"services={list(self.services)!r}, "
                f"applications={list(self.applications)!r})")


def _as_config(config: Union[Config, PathLike]) -> Config:
    if isinstance(config, Config):
        return config
    if isinstance(config, (str, os.PathLike)):
        return Config.load(config)
    raise InvalidArgument(f"config: expected a slakit.Config or a path, got "
                          f"{type(config).__name__}")


class Engine:
    """Per-minute counters of probe results and events, with exact
    availability, error budgets, burn rates, composites and reports.

    ::

        engine = slakit.Engine.from_config("slakit.yaml")
        engine.load_csv("results.csv")
        engine.budget("sql", "availability", at=datetime(2024, 2, 1,
                                                         tzinfo=timezone.utc))
        engine.report("2024-01")          # the monthly report as a dict

    Times are aware datetimes or epoch milliseconds (naive datetimes raise
    InvalidArgument). Windows are rolling (``"30d"``, ``"5m"``, a
    timedelta) or calendar (``"month"``, ``"week@Europe/Paris"``); a window
    "as of" ``at`` ends at ``at`` floored to the minute (a calendar window is
    its period to date). ``at`` defaults to the engine's clock (the wall
    clock unless ``clock=`` is given).

    Results may arrive in any order within the retention, measured back
    from the newest result (never from the clock); older ones raise
    OutOfRange, results later than the real clock plus
    ``future_tolerance`` raise InvalidArgument. Each ingest call is all or
    nothing.

    Thread-safe: ingest and queries may run from several threads; the long
    calls (ingest of a converted batch, load_csv, observe, report) release
    the GIL. Not copyable: an engine owns its data.
    """

    __slots__ = ("_native", "_config", "_clock")

    def __init__(self, *,
                 retention: _dt.timedelta = _dt.timedelta(days=35),
                 future_tolerance: _dt.timedelta = _dt.timedelta(minutes=5),
                 config: Optional[Union[Config, PathLike]] = None,
                 clock: Optional[Callable[[], Time]] = None) -> None:
        """Creates an empty engine.

        Args:
            retention: how far back from the newest result data is kept and
                accepted; at least one minute. Default 35 days.
            future_tolerance: results stamped later than now plus this are
                refused. Default 5 minutes.
            config: a :class:`Config` or a path to ``slakit.yaml``: its
                objectives, contracts and applications become queryable
                (see :meth:`budget`, :meth:`observe`, :meth:`report`).
            clock: a callable returning the time used when ``at`` is not
                given (aware datetime or epoch ms). Default: the wall clock.
        """
        retention_ms = timedelta_ms(retention, "retention")
        if retention_ms < _MINUTE_MS:
            raise InvalidArgument(f"retention: {retention} is shorter than "
                                  f"one minute")
        tolerance_ms = timedelta_ms(future_tolerance, "future_tolerance")
        if tolerance_ms < 0:
            raise InvalidArgument(f"future_tolerance: {future_tolerance} is "
                                  f"negative")
        self._native = _native.Engine(retention_ms, tolerance_ms)
        self._config = _as_config(config) if config is not None else None
        self._clock = clock if clock is not None else _utc_now

    @classmethod
    def from_config(cls, config: Union[Config, PathLike],
                    **options: Any) -> "Engine":
        """An engine that uses ``config`` (a :class:`Config` or a path to
        ``slakit.yaml``); ``options`` as for the constructor."""
        return cls(config=config, **options)

    # ---- configuration

    @property
    def config(self) -> Optional[Config]:
        """The configuration in use, or None."""
        return self._config

    @config.setter
    def config(self, config: Optional[Union[Config, PathLike]]) -> None:
        self._config = _as_config(config) if config is not None else None

    def _require_config(self, what: str) -> Config:
        if self._config is None:
            raise FailedPrecondition(
                f"{what} needs a configuration: Engine.from_config(...) or "
                f"engine.config = slakit.Config.parse(text)")
        return self._config

    # ---- declarations

    def declare_sli(self, service: str, name: str, *,
                    kind: str = "probe_success",
                    latency_threshold_ms: float = 0.0) -> int:
        """Declares an SLI and returns its id.

        ``kind``: ``"probe_success"``, ``"latency_threshold"`` (needs
        ``latency_threshold_ms`` > 0) or ``"event_ratio"``. Raises
        InvalidArgument for a bad spec, AlreadyExists if declared. Probe
        SLIs need no declaration: :meth:`ingest` declares them.
        """
        return self._native.add_sli(service, name, kind,
                                    float(latency_threshold_ms))

    def declare_objective(self, service: str, name: str, *,
                          target: float,
                          window: WindowLike = "30d",
                          slis: Iterable[str] = (),
                          budgeting: str = "occurrences",
                          slice: _dt.timedelta = _dt.timedelta(minutes=1),
                          slice_threshold: float = 1.0,
                          alerting: bool = False) -> int:
        """Declares an objective (SLO) and returns its id.

        Args:
            target: percent in (0, 100), held exactly (99.9 is 999/1000).
            window: rolling ("30d", a timedelta) or calendar ("month",
                "month@Europe/Paris").
            slis: SLI names of the service; empty: every probe-success SLI
                the service has now (SLIs added later are not included).
            budgeting: "occurrences" (good/total events), "timeslices"
                (good slices / slices) or "ratio_timeslices" (mean of slice
                ratios).
            slice: slice length (whole minutes), timeslice methods only.
            slice_threshold: ratio a slice needs to be good, in (0, 1].

        Raises InvalidArgument for a bad target, window or slice; NotFound
        for an unknown service or SLI (a service is known once it has an
        SLI: ingest or declare_sli first); AlreadyExists if declared.
        """
        return self._native.add_objective(
            service, name, list(slis), float(target),
            duration_text(window), budgeting.lower().replace("_", ""),
            timedelta_ms(slice, "slice"), float(slice_threshold),
            bool(alerting))

    def objective(self, service: str, name: str) -> Objective:
        """An objective declared in the engine, else the configuration's
        (of a service or an application); NotFound otherwise."""
        try:
            return _objective(self._native.objective(service, name))
        except LookupError:
            if self._config is None:
                raise
            for o in self._config.objectives(service):
                if o.name == name:
                    return o
            raise

    def services(self) -> list[str]:
        """Names of the services that have an SLI, sorted."""
        return list(self._native.services())

    def slis(self, service: str) -> list[Sli]:
        """The SLIs of a service, sorted by name; NotFound if it has none."""
        return [self._sli(i) for i in self._native.service_slis(service, "")]

    def sli(self, service: str, name: str) -> Sli:
        """One SLI; NotFound if not declared."""
        return self._sli(self._native.find_sli(service, name))

    def _sli(self, sli_id: int) -> Sli:
        service, name, kind, threshold = self._native.sli(sli_id)
        return Sli(sli_id, service, name, kind, threshold)

    # ---- ingest

    def ingest(self, results: Iterable[ProbeRow]) -> int:
        """Ingests probe results, all or nothing; returns how many.

        Each result is a tuple ``(service, probe, time, ok)`` or
        ``(service, probe, time, ok, latency_ms)`` (the probe-success SLI
        ``service/probe`` is declared when missing, unless the batch is
        refused for its names, times or values), or
        ``(sli_id, time, ok[, latency_ms])`` for a declared SLI.
        ``time``: aware datetime or epoch ms; ``ok``: bool or
        0/1; ``latency_ms``: finite, >= 0 (default 0).

        Raises InvalidArgument naming the first bad row
        (``results[3]: time: naive datetime ...``), OutOfRange for a result
        older than the retention, NotFound for an unknown sli_id. The engine
        work runs without the GIL.
        """
        rows = results if isinstance(results, (list, tuple)) else list(results)
        return self._native.ingest(rows, to_ms)

    def ingest_events(self, events: Iterable[EventRow]) -> int:
        """Ingests event counts for declared event-ratio SLIs, all or
        nothing: ``(service, sli, time, good, total)`` or ``(sli_id, time,
        good, total)``, with 0 <= good <= total. Returns how many."""
        rows = events if isinstance(events, (list, tuple)) else list(events)
        return self._native.ingest_events(rows, to_ms)

    def load_csv(self, path: PathLike) -> int:
        """Reads a probe CSV (``timestamp_ms,service,probe,ok,latency_ms``
        with a header) and ingests it whole or not at all; returns the
        number of results. Each (service, probe) becomes a probe-success
        SLI. Errors name the file and line. Runs without the GIL.

        A file spanning more than the retention raises OutOfRange: create
        the engine with a longer ``retention``.
        """
        return self._native.load_csv(os.fspath(path))

    @property
    def newest(self) -> Optional[_dt.datetime]:
        """The newest accepted result time, or None before any."""
        ms = self._native.newest_ms()
        return None if ms is None else from_ms(ms)

    # ---- queries

    def _at(self, at: Optional[Time]) -> int:
        return to_ms(self._clock() if at is None else at, "at")

    def _interval(self, window: WindowLike, at: Optional[Time],
                  start: Optional[Time],
                  end: Optional[Time]) -> tuple[int, int]:
        if start is not None or end is not None:
            if start is None or end is None:
                raise InvalidArgument("give both start and end, or neither "
                                      "(then window and at)")
            lo, hi = to_ms(start, "start"), to_ms(end, "end")
            if hi < lo:
                raise InvalidArgument(f"end {end!r} is before start "
                                      f"{start!r}")
            return lo, hi
        return _native.resolve_window(duration_text(window), self._at(at))

    def availability(self, service: str, probe: Optional[str] = None, *,
                     window: WindowLike = "30d",
                     at: Optional[Time] = None,
                     start: Optional[Time] = None,
                     end: Optional[Time] = None) -> Availability:
        """Good and total results of one probe, or of a service's
        probe-success SLIs pooled, over ``window`` as of ``at`` or over
        ``[start, end)`` (bounds floored to the minute).

        Raises NotFound for an unknown service or probe, InvalidArgument
        for a bad window or time.
        """
        if probe is not None:
            slis = [self._native.find_sli(service, probe)]
        else:
            slis = self._native.service_slis(service, "probe_success")
        lo, hi = self._interval(window, at, start, end)
        lo -= lo % _MINUTE_MS
        hi -= hi % _MINUTE_MS
        good, total = self._native.query(slis, lo, hi)
        return Availability(good, total, good / total if total else 1.0,
                            from_ms(lo), from_ms(hi))

    def budget(self, service: str, objective: str, *,
               at: Optional[Time] = None) -> Budget:
        """The error budget of an objective as of ``at``: one declared with
        :meth:`declare_objective`, else the configuration's (of a service,
        or of an application: then over its composite minutes).

        Raises NotFound for an unknown objective or a service without data.
        """
        d = self._native.evaluate(service, objective, self._at(at),
                                  self._native_config())
        return Budget(
            service=service, objective=objective,
            target=d["target_percent"],
            budgeting=_BUDGETING_OUT.get(d["budgeting"], d["budgeting"]),
            start=from_ms(d["from_ms"]), end=from_ms(d["to_ms"]),
            good=d["good"], total=d["total"], bad=d["bad"],
            availability=d["availability"], allowed_bad=d["allowed_bad"],
            consumed=d["consumed"], remaining=d["remaining"])

    def burn_rates(self, service: str, objective: str,
                   windows: Optional[Iterable[WindowLike]] = None, *,
                   at: Optional[Time] = None) -> dict[WindowLike, float]:
        """Burn rates ``(bad/total) / (1 - target)`` of an objective over
        ``[at - w, at)`` for each window ``w`` (whole minutes; default
        :func:`standard_burn_windows`), keyed by the window as given.
        1.0 spends the budget exactly over the objective's window; 0 without
        data."""
        keys = list(standard_burn_windows() if windows is None else windows)
        texts = [duration_text(w) for w in keys]
        rates = self._native.burn_rates(service, objective, self._at(at),
                                        texts, self._native_config())
        return {k: r[0] for k, r in zip(keys, rates)}

    def observe(self, application: str, *,
                window: WindowLike = "30d",
                at: Optional[Time] = None,
                start: Optional[Time] = None,
                end: Optional[Time] = None) -> Composite:
        """An application of the configuration, minute by minute, over
        ``window`` as of ``at`` or over ``[start, end)`` (floored to the
        minute): up, down and no-data minutes, and who caused each down
        minute (per component: alone or shared; per owner).

        A component's minute is down when its error ratio exceeds its
        contract's ``max_error_ratio`` (any failure without a contract), and
        has no data without results. Raises FailedPrecondition without a
        configuration, NotFound for an unknown application. Runs without
        the GIL.
        """
        config = self._require_config("observe")
        lo, hi = self._interval(window, at, start, end)
        d = self._native.observe(config._native, application, lo, hi)

        def owner(o: Mapping[str, int]) -> OwnerAttribution:
            return OwnerAttribution(o["sole"], o["shared"], o["exclusive"])

        return Composite(
            application=application, expression=d["expression"],
            start=from_ms(d["from_ms"]), end=from_ms(d["to_ms"]),
            minutes=d["minutes"], up_minutes=d["up"],
            down_minutes=d["down"], no_data_minutes=d["no_data"],
            availability=d["availability"],
            components=tuple(
                ComponentAttribution(c["name"], c["owner"], c["down"],
                                     c["sole"], c["shared"])
                for c in d["components"]),
            provider=owner(d["provider"]),
            application_owner=owner(d["application"]),
            shared_only_minutes=d["shared_only"],
            mixed_owner_minutes=d["mixed_owner"],
            unattributed_minutes=d["unattributed"],
            states=d["states"])

    # ---- reports

    def report(self, month: Union[str, _dt.date],
               format: str = "dict") -> Union[dict[str, Any], str]:
        """The monthly compliance report of ``month`` ("2024-01", or a date
        in it) in the configuration's time zone.

        ``format``: "dict" (the JSON report parsed: keys month, timezone,
        period, catalog_version, services, applications, remediation),
        "json", "csv", "markdown" or "html" (text). Declares the
        configuration's objectives in the engine when missing. Raises
        FailedPrecondition without a configuration, InvalidArgument for a
        bad month or format. Runs without the GIL.
        """
        config = self._require_config("report")
        native_format = "json" if format == "dict" else format
        text = self._native.report(config._native, _month_text(month),
                                   native_format)
        return json.loads(text) if format == "dict" else text

    def write_report(self, month: Union[str, _dt.date], path: PathLike,
                     format: Optional[str] = None) -> pathlib.Path:
        """Writes the monthly report to ``path`` (atomically: a temporary
        file in the same directory, then a rename) and returns the path.
        ``format``: json, csv, markdown or html; default from the suffix
        (.json, .csv, .md, .html)."""
        p = pathlib.Path(path)
        if format is None:
            format = _REPORT_FORMATS.get(p.suffix.lower())
            if format is None:
                raise InvalidArgument(
                    f"{p}: cannot tell the report format from the suffix "
                    f"'{p.suffix}'; give format= (json, csv, markdown, html)")
        if format == "dict":
            raise InvalidArgument("format 'dict' cannot be written; use json")
        text = self.report(month, format)
        assert isinstance(text, str)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.",
                                   dir=p.parent if str(p.parent) else ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would stick to the report
            os.replace(tmp, p)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return p

    def _native_config(self) -> Optional[_native.Config]:
        return None if self._config is None else self._config._native

    def __repr__(self) -> str:
        newest = self.newest
        return (f"slakit.Engine(services={len(self.services())}, "
                f"newest={newest.isoformat() if newest else None})")
