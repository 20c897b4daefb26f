"""A growable 1-D numpy array: the engine's append-only stores (attention chunks, brand posts' audiences)."""

from __future__ import annotations

import numpy as np


class Buffer:
    """A growable 1-D array (amortised O(1) appends, compacted from the front)."""

    def __init__(self, dtype: type, capacity: int = 1024):
        self.data: np.ndarray = np.empty(capacity, dtype)
        self.size = 0

    def append(self, values: np.ndarray) -> int:
        """Append values; return the index of the first."""
        start = self.size
        end = start + len(values)
        if end > len(self.data):
            grown = np.empty(max(end, 2 * len(self.data)), self.data.dtype)
            grown[:start] = self.data[:start]
            self.data = grown
        self.data[start:end] = values
        self.size = end
        return start

    def drop_front(self, count: int) -> None:
        """Forget the first `count` values (indices shift down by `count`)."""
        self.data[: self.size - count] = self.data[count : self.size]
        self.size -= count
