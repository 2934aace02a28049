"""Sliding-window attempt counters for the public sign-in form (per address, per login)."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class Throttle:
    """At most ``limit`` attempts per ``window`` seconds for each key; memory bounded by ``max_keys``.

    A password check costs ~30 ms of scrypt: unthrottled, ~30 requests/s from one address keep a
    core busy and let names and passwords be guessed. Counts live in the process (one service
    process serves the pages); a restart forgets them, which only helps the legitimate user.

    Args:
        limit: Attempts allowed per key within the window.
        window: Window length in seconds.
        max_keys: Keys remembered at most; the least recently seen are forgotten first, so a flood
            of distinct addresses costs bounded memory.
        clock: Monotonic seconds (tests pass their own).

    >>> ticks = iter([0.0, 1.0, 2.0, 61.0])
    >>> gate = Throttle(limit=2, window=60, clock=lambda: next(ticks))
    >>> [gate.hit("198.51.100.7") for _ in range(4)]
    [True, True, False, True]
    """

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, key: str) -> bool:
        """Count one attempt for ``key``; whether it is within the limit (refused ones are not counted)."""
        now = self.clock()
        times = self._seen.pop(key, None) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        allowed = len(times) < self.limit
        if allowed:
            times.append(now)
        self._seen[key] = times
        while len(self._seen) > self.max_keys:
            self._seen.popitem(last=False)
        return allowed

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again (at least 1)."""
        times = self._seen.get(key)
        if not times:
            return 1
        return max(1, int(times[0] + self.window - self.clock()) + 1)
