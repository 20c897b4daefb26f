"""Team screens in a browser: textual-serve runs `backfire join` (which asks for the code) for each browser tab.

`Served` starts the server in its own process group and ends the whole group
(the server and every team screen it started) when the facilitator's session
ends, so nothing is left running.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

from simulator.errors import BackfireError

START_SECONDS = 15.0  # how long the server may take to listen


def join_command(db: Path) -> str:
    """The command each browser tab runs: a team screen that asks for its code."""
    return shlex.join([sys.executable, "-m", "simulator", "join", "--db", str(db)])


class Served:
    """The team-screen server, running while the `with` block runs; a clear error if it cannot listen."""

    def __init__(self, db: Path, host: str = "127.0.0.1", port: int = 8000, log: Path | None = None):
        self.db, self.host, self.port = Path(db).resolve(), host, port
        self.log = log or self.db.with_suffix(".serve.log")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Where teams open their screens."""
        host = "localhost" if self.host in ("127.0.0.1", "localhost") else self.host
        return f"http://{host}:{self.port}"

    def __enter__(self) -> Served:
        if _listening(self.host, self.port):
            raise BackfireError(f"port {self.port} on {self.host} is taken; pass --port with a free one")
        command = [sys.executable, "-m", "simulator.tui.serve", "--db", str(self.db)]
        command += ["--host", self.host, "--port", str(self.port), "--parent", str(os.getpid())]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + START_SECONDS
        while not _listening(self.host, self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise BackfireError(f"the team-screen server did not start on {self.host}:{self.port}; see {self.log}")
            time.sleep(0.1)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def stop(self) -> None:
        """End the server and every team screen it started: their whole process group."""
        if self.process is None:
            return
        pgid = self.process.pid  # start_new_session: the server leads its own group
        for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and _group_alive(pgid):
                self.process.poll()
                time.sleep(0.05)
            if not _group_alive(pgid):
                break
        self.process.wait(timeout=5)
        self.process = None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's group with the same id
        return True
    # A zombie leader still counts until it is reaped: reap it if it is ours.
    return True


def _listening(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host if host != "0.0.0.0" else "127.0.0.1", port)) == 0


def _watch_parent(parent: int) -> None:
    """End this server and every team screen it started once the facilitator's process is gone (even SIGKILLed)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os.killpg(os.getpgrp(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> None:
    """Run the server (started by `Served`, in its own process group)."""
    from textual_serve.server import Server

    parser = argparse.ArgumentParser(prog="python -m simulator.tui.serve")
    parser.add_argument("--db", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--parent", type=int, help="end the whole group when this process is gone")
    args = parser.parse_args(argv)
    if args.parent:
        threading.Thread(target=_watch_parent, args=(args.parent,), daemon=True).start()
    server = Server(join_command(Path(args.db)), host=args.host, port=args.port, title="Backfire · team screen")
    server.serve()


if __name__ == "__main__":
    main()
