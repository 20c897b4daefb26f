"""Who saw each brand post, kept per post, and the replies drawn as events rather than one trial per viewer."""

from __future__ import annotations

import numpy as np

from simulator.engine import kernels
from simulator.engine.buffers import Buffer


class Viewers:
    """The audience of each brand post that is still fresh: personas whose latest brand post it is.

    A persona who later sees a newer post stays in the older post's list as a stale entry (its
    `saw_brand_post` names the newer one); draws on stale entries are rejected.
    """

    def __init__(self) -> None:
        """No posts yet."""
        self._lists: dict[int, Buffer] = {}

    def add(self, post: int, who: np.ndarray) -> None:
        """Add the personas who saw `post` for the first time (each persona once per post)."""
        if len(who):
            self._lists.setdefault(post, Buffer(np.int32)).append(who.astype(np.int32, copy=False))

    def posts(self) -> list[int]:
        """The posts that still have an audience."""
        return list(self._lists)

    def drop(self, post: int) -> None:
        """Forget the audience of a post nobody reacts to any more."""
        self._lists.pop(post, None)

    def size(self, post: int) -> int:
        """Entries in a post's list (stale ones included)."""
        buf = self._lists.get(post)
        return buf.size if buf is not None else 0

    def events(
        self, rates: dict[int, float], saw: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw Poisson(rate) candidate events for each viewer of each post; return (who, post) of live ones.

        `rates[post]` is an upper bound of any of its viewers' reply rates this turn; events on stale
        entries (the persona's latest post is another) are dropped, so each viewer gets events only
        from the post it would reply to.
        """
        who_parts, posts, counts = [], [], []
        for post, rate in rates.items():
            buf = self._lists.get(post)
            if buf is None or buf.size == 0 or rate <= 0:
                continue
            count = int(rng.poisson(buf.size * rate))
            if count == 0:
                continue
            who = kernels.picked_where(buf.data[: buf.size], rng.integers(0, buf.size, count), saw, post)
            who_parts.append(who)
            posts.append(post)
            counts.append(len(who))
        if not who_parts:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        return np.concatenate(who_parts), np.repeat(np.array(posts, np.int32), counts)
