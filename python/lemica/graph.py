# SPDX-License-Identifier: MIT
"""The error-weighted DAG over the sampling steps (lemica-graph.h) and its
CSV edge-list import (lemica-csv.h)."""

from __future__ import annotations

import ctypes
import os
from typing import Dict, Iterator, Optional, Tuple, Union

from . import files
from ._core import Handle, check, lib, new_handle
from .errors import OutOfRangeError

#: The largest supported number of sampling steps (LEMICA_MAX_STEPS).
MAX_STEPS = 65536
#: The largest supported num_steps * max_skip (LEMICA_MAX_EDGE_SLOTS).
MAX_EDGE_SLOTS = 134217728

Edge = Tuple[int, int]


class Graph(Handle):
    """A DAG over steps 0 .. N-1 whose edge (i, j) is a cache segment.

    The model is called at i and j; its output of step i is reused at
    i+1 .. j-1, and the edge's weight is the error that causes. A new graph
    holds only the span-1 edges, with weight 0; longer edges are added with
    :meth:`set_weight` (or ``graph[i, j] = w``). Weights are finite and
    >= 0; edges span at most ``max_skip`` steps.

    >>> with Graph(50, 8) as graph:
    ...     graph[10, 13] = 0.021
    ...     graph[10, 13]
    0.021
    """

    _free_name = "lemica_graph_free"
    _kind = "graph"
    __slots__ = ()

    def __init__(self, num_steps: int, max_skip: int) -> None:
        """Create a graph with N = ``num_steps`` and K = ``max_skip``
        (clamped to N - 1)."""
        super().__init__(new_handle(lib().lemica_graph_new, num_steps, max_skip))

    @classmethod
    def _adopt(cls, address: int) -> "Graph":
        """Wrap a handle the library created for us (we own it now)."""
        graph = cls.__new__(cls)
        Handle.__init__(graph, address)
        return graph

    @classmethod
    def parse_csv(cls, text: Union[str, bytes], num_steps: int = 0,
                  max_skip: int = 0) -> "Graph":
        """Parse a CSV edge list (header ``i,j,weight``) held in memory.

        ``num_steps`` 0 means 1 + the largest step listed; ``max_skip`` 0
        means the longest listed edge. Errors carry the line number.
        """
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return cls._adopt(new_handle(lib().lemica_graph_parse_csv, data, len(data),
                                     num_steps, max_skip))

    @classmethod
    def load_csv(cls, path: Union[str, os.PathLike], num_steps: int = 0,
                 max_skip: int = 0) -> "Graph":
        """Read a CSV edge list from a file (see :meth:`parse_csv`)."""
        return cls._adopt(new_handle(lib().lemica_graph_load_csv,
                                     files.path_argument(path),
                                     num_steps, max_skip))

    @classmethod
    def load(cls, path: files.PathLike) -> "Graph":
        """Read a graph file (``lemica-graph 1.0``)."""
        return cls.load_with_metadata(path)[0]

    @classmethod
    def load_with_metadata(cls, path: files.PathLike) -> Tuple["Graph", Dict[str, str]]:
        """Read a graph file and its metadata."""
        address, metadata = files.load("lemica_graph_load", (files.path_argument(path),),
                                       True)
        return cls._adopt(address), metadata

    @classmethod
    def loads(cls, text: Union[str, bytes]) -> "Graph":
        """Parse a graph file held in memory."""
        return cls.loads_with_metadata(text)[0]

    @classmethod
    def loads_with_metadata(cls, text: Union[str, bytes]) -> Tuple["Graph", Dict[str, str]]:
        """Parse a graph file held in memory, with its metadata."""
        address, metadata = files.load("lemica_graph_parse", files.text_arguments(text), True)
        return cls._adopt(address), metadata

    def save(self, path: files.PathLike, metadata: Optional[files.Metadata] = None) -> None:
        """Write a graph file atomically, with optional metadata lines."""
        files.save("lemica_graph_save", self, path, metadata)

    def dumps(self, metadata: Optional[files.Metadata] = None) -> str:
        """The graph file's text."""
        return files.dumps("lemica_graph_format", self, metadata)

    def copy(self) -> "Graph":
        """An independent copy."""
        with self._shared() as address:
            return Graph._adopt(new_handle(lib().lemica_graph_copy, address))

    @property
    def num_steps(self) -> int:
        """N, the number of sampling steps."""
        with self._shared() as address:
            return lib().lemica_graph_num_steps(address)

    @property
    def max_skip(self) -> int:
        """K, the longest edge span (after clamping to N - 1)."""
        with self._shared() as address:
            return lib().lemica_graph_max_skip(address)

    @property
    def num_edges(self) -> int:
        """The number of present edges, span-1 edges included."""
        with self._shared() as address:
            return lib().lemica_graph_num_edges(address)

    def set_weight(self, from_step: int, to_step: int, weight: float) -> None:
        """Add edge (from_step, to_step) or change its weight."""
        with self._exclusive() as address:
            check(lib().lemica_graph_set_weight(address, from_step, to_step, weight))

    def get_weight(self, from_step: int, to_step: int) -> float:
        """The weight of a present edge; NotFoundError if it is absent."""
        weight = ctypes.c_double()
        with self._shared() as address:
            check(lib().lemica_graph_get_weight(address, from_step, to_step,
                                                ctypes.byref(weight)))
        return weight.value

    def remove_edge(self, from_step: int, to_step: int) -> None:
        """Remove an edge (absent edges are fine)."""
        with self._exclusive() as address:
            check(lib().lemica_graph_remove_edge(address, from_step, to_step))

    def has_edge(self, from_step: int, to_step: int) -> bool:
        """Whether the edge is present; OutOfRangeError for a bad (i, j)."""
        with self._shared() as address:
            result = lib().lemica_graph_has_edge(address, from_step, to_step)
            check(result)
        return result == 1

    def edges(self) -> Iterator[Tuple[int, int, float]]:
        """Every present edge as (i, j, weight), by i then j."""
        num_steps, max_skip = self.num_steps, self.max_skip
        for from_step in range(num_steps - 1):
            for to_step in range(from_step + 1, min(from_step + max_skip, num_steps - 1) + 1):
                if self.has_edge(from_step, to_step):
                    yield from_step, to_step, self.get_weight(from_step, to_step)

    def __getitem__(self, edge: Edge) -> float:
        return self.get_weight(*edge)

    def __setitem__(self, edge: Edge, weight: float) -> None:
        self.set_weight(edge[0], edge[1], weight)

    def __delitem__(self, edge: Edge) -> None:
        self.remove_edge(*edge)

    def __contains__(self, edge: object) -> bool:
        if not isinstance(edge, tuple) or len(edge) != 2:
            return False
        try:
            return self.has_edge(*edge)
        except OutOfRangeError:
            return False

    def __repr__(self) -> str:
        if self.closed:
            return "<lemica.Graph closed>"
        return (f"<lemica.Graph num_steps={self.num_steps} max_skip={self.max_skip} "
                f"edges={self.num_edges}>")
