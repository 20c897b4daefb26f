"""The synthetic crowd: personas and their follower graph (depends on the scenario layer only)."""

from simulator.audience.crowd import Audience, build_audience
from simulator.audience.graph import FollowerGraph

__all__ = ["Audience", "FollowerGraph", "build_audience"]
