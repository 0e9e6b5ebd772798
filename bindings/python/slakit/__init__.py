"""slakit: exact SLA/SLO arithmetic for applications built from cloud PaaS
components (Python binding of the C++ engine).

::

    import slakit
    engine = slakit.Engine()
    engine.ingest([("web", "home", 1704067200000 + i * 60_000, i != 3)
                   for i in range(4)])                       # 3 of 4 ok
    engine.declare_objective("web", "availability", target=99.9,
                             window="30d")
    engine.budget("web", "availability", at=1704067440000).availability
    # 0.75

With a configuration (``slakit.yaml``: services, contracts, objectives,
applications, maintenance)::

    engine = slakit.Engine.from_config("slakit.yaml")
    engine.load_csv("results.csv")            # timestamp_ms,service,probe,...
    engine.budget("sql", "availability", at=at)
    engine.burn_rates("sql", "availability", ["5m", "1h"], at=at)
    engine.observe("orders", start=t0, end=t1)   # up/down minutes, who caused
    engine.report("2024-01")                  # the monthly report, a dict
    engine.write_report("2024-01", "report.html")

What is here:
  - :class:`Engine`: ingest (lists of tuples, CSV files), availability,
    budgets, burn rates, composites, reports;
  - :class:`Config`: a parsed ``slakit.yaml``;
  - result types (:class:`Availability`, :class:`Budget`,
    :class:`Composite`, ...), frozen dataclasses;
  - :class:`Error` and one subclass per absl status code
    (:class:`InvalidArgument`, :class:`NotFound`, :class:`OutOfRange`, ...)
    with ``.code`` (``"INVALID_ARGUMENT"``) and ``.message``.

Times are aware datetimes or int milliseconds since the Unix epoch; naive
datetimes raise InvalidArgument. Every number comes from integer counts
over half-open windows ``[start, end)`` of whole minutes, so it can be
recomputed by hand. The work is done by the C++ engine (``slakit._slakit``,
a thin pybind11 module); long calls release the GIL.
"""

from slakit import _errors, _slakit
from slakit._engine import (
    Config,
    Engine,
    EventRow,
    ProbeRow,
    standard_burn_windows,
    theoretical_availability,
)
from slakit._errors import (
    Aborted,
    AlreadyExists,
    Cancelled,
    DataLoss,
    DeadlineExceeded,
    Error,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    NotFound,
    OutOfRange,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    Unimplemented,
    Unknown,
    make_error as _make_error,
)
from slakit._results import (
    Availability,
    Budget,
    ComponentAttribution,
    Composite,
    Objective,
    OwnerAttribution,
    Sli,
)
from slakit._time import Time, WindowLike

_slakit.set_error_factory(_make_error)

__all__ = [
    "Engine",
    "Config",
    "standard_burn_windows",
    "theoretical_availability",
    "Availability",
    "Budget",
    "Composite",
    "ComponentAttribution",
    "OwnerAttribution",
    "Objective",
    "Sli",
    "Time",
    "WindowLike",
    "ProbeRow",
    "EventRow",
]
__all__ += _errors.__all__  # Error and one class per absl status code
