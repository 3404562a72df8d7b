# SPDX-License-Identifier: MIT
"""Error metrics over tensors and the profiler-accumulator
(lemica-profiler.h), plus a plain-data form of a profiler for moving it
between processes."""

from __future__ import annotations

import ctypes
import enum
from dataclasses import dataclass, field
from typing import Any, Dict, List, NamedTuple, Optional, Tuple, Union

from . import files
from ._core import Handle, check, lib, new_handle, using
from .buffers import Dtype, buffer_pair
from .errors import InvalidValueError, TooLargeError
from .graph import Graph

#: The largest num_steps * max_skip of a profiler (LEMICA_MAX_PROFILER_SLOTS).
MAX_PROFILER_SLOTS = 33554432

# The largest sample count of one segment (uint64_t).
_UINT64_MAX = 2 ** 64 - 1


class Metric(enum.IntEnum):
    """The error between a cached and a reference sample (lemica_metric)."""

    L1 = 0  #: mean |a - b| (the paper's eq. 4; the default)
    MSE = 1  #: mean (a - b)^2
    RELATIVE_L1 = 2  #: sum |a - b| / sum |b|


class Aggregate(enum.IntEnum):
    """How a segment's samples become one edge weight (lemica_aggregate)."""

    MEAN = 0  #: the mean (the paper)
    MAX = 1  #: the largest sample
    #: mean + z * sample standard deviation; a segment with one sample has
    #: variance 0, so it gets its sample (see docs/python.md)
    MEAN_PLUS_Z_STD = 2


def metric_compute(a: Any, b: Any, metric: Metric = Metric.L1,
                   dtype: Optional[Dtype] = None, allow_copy: bool = False) -> float:
    """The metric between a cached sample ``a`` and a reference ``b``.

    ``a`` and ``b`` are numpy arrays or torch CPU tensors of the same shape
    and dtype; contiguous ones are read in place (see :mod:`lemica.buffers`).
    """
    first, second = buffer_pair(a, b, dtype, allow_copy)
    out = ctypes.c_double()
    check(lib().lemica_metric_compute(int(metric), first.address, second.address,
                                      first.count, int(first.dtype), ctypes.byref(out)))
    return out.value


class EdgeStats(NamedTuple):
    """The statistics of one segment's samples.

    ``variance`` is the sample variance (divided by count - 1). A segment
    without samples has count 0, mean and variance 0, min and max NaN.
    """

    count: int
    mean: float
    variance: float
    min: float
    max: float


@dataclass
class ProfileStats:
    """A profiler's statistics as plain Python numbers: picklable, JSON-able.

    ``profiler.to_stats()`` makes one; :meth:`Profiler.add_profile_stats`
    merges one into a profiler (Chan's update in the library). The summary
    carries the variance, rounded once, where the profile file text
    (:meth:`Profiler.dumps`) carries the exact state, so prefer the text
    for moving profiles between processes.

    Attributes:
        num_steps, max_skip, metric: the profiler's shape; merges require
            them to match.
        segments: one ``(from, to, count, mean, variance, min, max)`` tuple
            per segment that has samples, by from then to.
    """

    num_steps: int
    max_skip: int
    metric: int
    segments: List[Tuple[int, int, int, float, float, float, float]] = field(
        default_factory=list)

    def to_dict(self) -> dict:
        """A dict of built-in types (JSON writes doubles exactly)."""
        return {"num_steps": self.num_steps, "max_skip": self.max_skip,
                "metric": int(self.metric), "segments": [list(s) for s in self.segments]}

    @classmethod
    def from_dict(cls, data: dict) -> "ProfileStats":
        """The inverse of :meth:`to_dict`."""
        return cls(int(data["num_steps"]), int(data["max_skip"]), int(data["metric"]),
                   [(int(s[0]), int(s[1]), int(s[2]), float(s[3]), float(s[4]),
                     float(s[5]), float(s[6])) for s in data["segments"]])


class Profiler(Handle):
    """Per-segment error statistics: count, mean, variance, min, max.

    Segments (i, j) with 2 <= j - i <= max_skip take samples; merging
    profilers from different workers gives the statistics of all their
    samples. :meth:`to_graph` turns the statistics into edge weights.

    Profilers pickle (through the profile file text, which keeps the exact
    state), so a Dask or Ray task can return one directly.
    """

    _free_name = "lemica_profiler_free"
    _kind = "profiler"
    __slots__ = ()

    def __init__(self, num_steps: int, max_skip: int, metric: Metric = Metric.L1) -> None:
        """Create an empty profiler for N = ``num_steps``, K = ``max_skip``."""
        super().__init__(new_handle(lib().lemica_profiler_new, num_steps, max_skip,
                                    int(metric)))

    @classmethod
    def _adopt(cls, address: int) -> "Profiler":
        profiler = cls.__new__(cls)
        Handle.__init__(profiler, address)
        return profiler

    @classmethod
    def from_stats(cls, stats: ProfileStats) -> "Profiler":
        """A new profiler holding the statistics of ``stats``."""
        profiler = cls(stats.num_steps, stats.max_skip, Metric(stats.metric))
        try:
            profiler.add_profile_stats(stats)
        except BaseException:
            profiler.close()
            raise
        return profiler

    @classmethod
    def load(cls, path: files.PathLike) -> "Profiler":
        """Read a profile file: the whole state, exactly as saved."""
        return cls.load_with_metadata(path)[0]

    @classmethod
    def load_with_metadata(cls, path: files.PathLike) -> Tuple["Profiler", Dict[str, str]]:
        """Read a profile file and its metadata."""
        address, metadata = files.load("lemica_profiler_load",
                                       (files.path_argument(path),), True)
        return cls._adopt(address), metadata

    @classmethod
    def loads(cls, text: Union[str, bytes]) -> "Profiler":
        """Parse a profile file held in memory."""
        return cls.loads_with_metadata(text)[0]

    @classmethod
    def loads_with_metadata(cls, text: Union[str, bytes]
                            ) -> Tuple["Profiler", Dict[str, str]]:
        """Parse a profile file held in memory, with its metadata."""
        address, metadata = files.load("lemica_profiler_parse", files.text_arguments(text),
                                       True)
        return cls._adopt(address), metadata

    def save(self, path: files.PathLike, metadata: Optional[files.Metadata] = None) -> None:
        """Write a profile file atomically."""
        files.save("lemica_profiler_save", self, path, metadata)

    def dumps(self, metadata: Optional[files.Metadata] = None) -> str:
        """The profile file's text: every segment's exact state (count, mean,
        sum of squared deviations, min, max), so that profiles saved on
        different machines merge exactly as the profilers would have."""
        return files.dumps("lemica_profiler_format", self, metadata)

    def copy(self) -> "Profiler":
        """An independent copy, samples included."""
        with self._shared() as address:
            return Profiler._adopt(new_handle(lib().lemica_profiler_copy, address))

    @property
    def num_steps(self) -> int:
        """N."""
        with self._shared() as address:
            return lib().lemica_profiler_num_steps(address)

    @property
    def max_skip(self) -> int:
        """K, after clamping to N - 1."""
        with self._shared() as address:
            return lib().lemica_profiler_max_skip(address)

    @property
    def metric(self) -> Metric:
        """The metric :meth:`add_buffers` computes."""
        with self._shared() as address:
            return Metric(lib().lemica_profiler_metric(address))

    @property
    def num_measured(self) -> int:
        """The number of segments with at least one sample."""
        with self._shared() as address:
            return lib().lemica_profiler_num_measured(address)

    def add_buffers(self, from_step: int, to_step: int, cached: Any, reference: Any,
                    dtype: Optional[Dtype] = None, allow_copy: bool = False) -> None:
        """Add one sample to segment (from_step, to_step) from two tensors.

        ``cached`` is the final sample of the replay with the segment
        cached, ``reference`` that of the full pass; the library computes
        the profiler's metric over them in place (no copy for contiguous
        input). On error the profiler is unchanged.
        """
        first, second = buffer_pair(cached, reference, dtype, allow_copy)
        with self._exclusive() as address:
            check(lib().lemica_profiler_add_buffers(address, from_step, to_step,
                                                    first.address, second.address,
                                                    first.count, int(first.dtype)))

    def add_error(self, from_step: int, to_step: int, error: float) -> None:
        """Add one sample the engine computed itself (on its GPU, say)."""
        with self._exclusive() as address:
            check(lib().lemica_profiler_add_error(address, from_step, to_step, error))

    def add_stats(self, from_step: int, to_step: int, stats: EdgeStats) -> None:
        """Merge a summary of samples into one segment."""
        count = int(stats.count)
        # ctypes would keep only the low 64 bits of the count (2**64 + 5
        # samples would become 5, -1 would become 2**64 - 1): refuse what
        # uint64_t cannot hold with the errors the library gives for a
        # count past 2^64 - 1 and for a negative value.
        if count > _UINT64_MAX:
            raise TooLargeError(-13, "LEMICA_ERR_TOO_LARGE",
                                f"segment ({from_step}, {to_step}): a count of "
                                f"{count} samples is above 2^64 - 1")
        if count < 0:
            raise InvalidValueError(-3, "LEMICA_ERR_INVALID_VALUE",
                                    f"segment ({from_step}, {to_step}): the count "
                                    f"{count} is negative")
        with self._exclusive() as address:
            check(lib().lemica_profiler_add_stats(address, from_step, to_step,
                                                  count, stats.mean, stats.variance,
                                                  stats.min, stats.max))

    def edge_stats(self, from_step: int, to_step: int) -> EdgeStats:
        """The statistics of segment (from_step, to_step)."""
        count = ctypes.c_uint64()
        values = [ctypes.c_double() for _ in range(4)]
        with self._shared() as address:
            check(lib().lemica_profiler_edge_stats(address, from_step, to_step,
                                                   ctypes.byref(count),
                                                   *[ctypes.byref(v) for v in values]))
        return EdgeStats(count.value, *(v.value for v in values))

    def segments(self) -> List[Tuple[int, int]]:
        """Every segment that can take samples: 2 <= j - i <= K."""
        num_steps, max_skip = self.num_steps, self.max_skip
        return [(i, j) for i in range(num_steps)
                for j in range(i + 2, min(i + max_skip, num_steps - 1) + 1)]

    def merge(self, other: "Profiler") -> None:
        """Add every sample of ``other`` (same N, K and metric).

        Holds this profiler exclusively and ``other`` shared, locked in a
        fixed order, so ``a.merge(b)`` and ``b.merge(a)`` on two threads
        cannot deadlock; ``p.merge(p)`` holds ``p`` once, exclusively.
        """
        with using((self, True), (other, False)) as (address, other_address):
            check(lib().lemica_profiler_merge(address, other_address))

    def to_graph(self, aggregate: Aggregate = Aggregate.MEAN, z: float = 0.0,
                 require_all: bool = False) -> Graph:
        """A graph whose measured segments are weighted by ``aggregate``.

        Unmeasured segments are absent unless ``require_all``, which makes
        them an error (StateError naming the segment). With
        ``MEAN_PLUS_Z_STD``, a segment measured once has variance 0 in the
        library, so its weight is its one sample whatever ``z``.
        """
        with self._shared() as address:
            return Graph._adopt(new_handle(lib().lemica_profiler_to_graph, address,
                                           int(aggregate), z, 1 if require_all else 0))

    def to_stats(self) -> ProfileStats:
        """The measured segments' statistics as plain numbers.

        For moving a profile between processes, :meth:`dumps` (the profile
        file's text) is exact and faster; this form is for code that wants
        the numbers (JSON, dataframes). It reads every segment with
        ``lemica_profiler_edge_stats``: N * K calls, about 0.7 s for
        N = 1000, K = 100 (1 ms for N = 50, K = 8).
        """
        stats = ProfileStats(self.num_steps, self.max_skip, int(self.metric))
        for from_step, to_step in self.segments():
            edge = self.edge_stats(from_step, to_step)
            if edge.count:
                stats.segments.append((from_step, to_step) + tuple(edge))
        return stats

    def add_profile_stats(self, stats: ProfileStats) -> None:
        """Merge a :class:`ProfileStats` (from :meth:`to_stats`) into this
        profiler. All-or-nothing: on error the profiler is unchanged."""
        if (stats.num_steps, stats.max_skip, int(stats.metric)) != \
                (self.num_steps, self.max_skip, int(self.metric)):
            raise ValueError(
                f"profile of N={stats.num_steps}, K={stats.max_skip}, "
                f"metric={Metric(stats.metric).name} does not match this profiler's "
                f"N={self.num_steps}, K={self.max_skip}, metric={self.metric.name}")
        # Fill an empty profiler first and merge it in one library call:
        # a bad entry then fails before this profiler is touched, and the
        # merge itself is all-or-nothing in the library.
        incoming = Profiler(self.num_steps, self.max_skip, self.metric)
        with incoming:
            for entry in stats.segments:
                incoming.add_stats(entry[0], entry[1], EdgeStats(*entry[2:]))
            self.merge(incoming)

    def __reduce__(self):
        # The profile file text carries the exact state (sum of squared
        # deviations, not the rounded variance).
        return (Profiler.loads, (self.dumps(),))

    def __repr__(self) -> str:
        if self.closed:
            return "<lemica.Profiler closed>"
        return (f"<lemica.Profiler num_steps={self.num_steps} max_skip={self.max_skip} "
                f"metric={self.metric.name} measured={self.num_measured}>")
