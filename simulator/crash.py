"""The last line of defence: an unexpected exception becomes one line and a log file, never a traceback on screen.

Not a hiding place. `BACKFIRE_CRASH=raise` (set by the test suite) lets the
exception through, so every path the tests reach that would end here fails
the test instead.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

CRASH_ENV = "BACKFIRE_CRASH"
EXIT_SOFTWARE = 70  # sysexits.h EX_SOFTWARE: an internal error


def raising() -> bool:
    """True when unexpected exceptions must propagate (tests)."""
    return os.environ.get(CRASH_ENV) == "raise"


def write_log(exc: BaseException, context: str) -> Path | None:
    """Write the full traceback to a log file in the data folder; return its path (None if it cannot be written)."""
    from simulator import __version__
    from simulator.store import data_dir

    folder = data_dir() / "logs"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as out:
            out.write(f"backfire {__version__}, Python {sys.version.split()[0]}\n{context}\n\n")
            out.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return path


def one_line(exc: BaseException, context: str) -> str:
    """What the user sees: what failed, where it failed, and where the traceback is."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" in {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    log = write_log(exc, context)
    saved = f"; full traceback in {log}" if log else ""
    return f"internal error{where}: {type(exc).__name__}: {exc}{saved}. Please report it (saved games are safe)."
