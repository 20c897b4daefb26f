"""The crowd's words: a grammar for posts, persona style, and sentiment measured on text.

No Textual here, and no engine: the feed (engine/feed.py) composes posts with
these parts, from its own seeded generator.
"""

from simulator.language.grammar import Alternative, Grammar, Moment
from simulator.language.style import Style, restyle, style_of

__all__ = ["Alternative", "Grammar", "Moment", "Style", "restyle", "style_of"]
