"""Backfire: a crisis-response tabletop simulator for the terminal.

The domain (everything here but `simulator.tui`) never imports Textual.
"""

__version__ = "0.1.0"
