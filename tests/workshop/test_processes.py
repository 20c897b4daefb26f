"""Workshops as separate processes: a team's screen in tmux killed and rejoined, team screens served in a browser.

The tmux tests need tmux (.ci/run installs it); the browser test needs Debian's
`chromium` (.ci/run installs it with apt when it can). Each skips with its reason otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from simulator.engine import Decision
from simulator.game.facilitation import Facilitation
from simulator.game.seat import Seat
from simulator.scenario import resolve
from simulator.store import Store

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it with apt when it can)"
)


def _backfire() -> str:
    here = Path(sys.executable).parent / "backfire"
    exe = str(here) if here.exists() else shutil.which("backfire")
    assert exe, "backfire is not installed"
    return exe


class Tmux:
    """One tmux session running a command, read as a person would."""

    def __init__(self, name: str, command: str, width: int = 110, height: int = 32):
        self.name = name
        self.env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command],
            check=True,
            env={**self.env, "TERM": "xterm-256color"},
        )

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True, env=self.env
        ).stdout

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not on screen:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True, env=self.env)

    def pid(self) -> int:
        out = subprocess.run(
            ["tmux", "list-panes", "-t", self.name, "-F", "#{pane_pid}"], capture_output=True, text=True, env=self.env
        ).stdout
        return int(out.split()[0])

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], env=self.env, capture_output=True)


@needs_tmux
def test_a_team_screen_killed_mid_turn_rejoins_and_loses_nothing(tmp_path):
    db = tmp_path / "w.db"
    f = Facilitation(resolve("askjpm"), ["Red", "Blue"], seed=3, size=5000, store=Store(db))
    f.start()
    f.advance()
    code = f.codes["Red"]
    command = f"exec {_backfire()} join {code} --db {db}"  # exec: the pane's process is the team screen itself
    first = Tmux(f"bfk{os.getpid()}", command)
    try:
        first.wait_for("— Red ·")
        first.wait_for("Your team's screen")
        first.keys("s")
        first.wait_for("turn 2/96")
        first.keys("c")
        first.wait_for("Cancel the Q&A — with which message?")
        first.keys("Enter")
        first.wait_for("your move for T+0:15")
        os.kill(first.pid(), signal.SIGKILL)  # mid-turn: the move is sent, the clock has not moved
    finally:
        first.close()
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    seat = Seat(Store(db), code)
    assert seat.pending is not None and seat.pending.action == "cancel" and seat.turn == 1
    again = Tmux(f"bfr{os.getpid()}", command)
    try:
        again.wait_for("— Red ·")
        again.wait_for("Your team's screen")
        again.keys("s")
        shown = again.wait_for("your move for T+0:15")
        assert "cancel:" in shown and "turn 2/96" in shown
        f.sync()
        f.advance()  # the facilitator's clock plays the move the killed screen sent
        again.wait_for("CANCELLED")
        assert f.sessions["Red"].cancelled and not f.sessions["Blue"].cancelled
    finally:
        again.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_gone(pgid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return True
        time.sleep(0.1)
    return False


def test_served_team_screens_end_with_the_session(tmp_path):
    from simulator.errors import BackfireError
    from simulator.tui.serve import Served

    db = tmp_path / "w.db"
    Facilitation(resolve("askjpm"), ["Red"], seed=3, size=5000, store=Store(db))
    port = _free_port()
    with Served(db, "127.0.0.1", port) as served:
        assert served.url == f"http://localhost:{port}"
        page = urllib.request.urlopen(served.url, timeout=10).read().decode()
        assert "Backfire · team screen" in page and 'id="terminal"' in page
        with pytest.raises(BackfireError, match=f"port {port} on 127.0.0.1 is taken"), Served(db, "127.0.0.1", port):
            pass
        pgid = served.process.pid
    assert not _group_alive(pgid), "the server's process group outlived the session"


def test_served_screens_end_even_when_the_facilitator_is_killed(tmp_path):
    """SIGKILL leaves no chance to clean up: the server notices its parent is gone and ends its own group."""
    db = tmp_path / "w.db"
    Store(db)
    port = _free_port()
    script = (
        "import sys, time\n"
        "from simulator.tui.serve import Served\n"
        f"s = Served({str(db)!r}, '127.0.0.1', {port}).__enter__()\n"
        "print(s.process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pgid = int(parent.stdout.readline())
        assert _group_alive(pgid)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _wait_gone(pgid), "the served screens were orphaned"
    finally:
        parent.kill()


class Chromium:
    """Headless Chromium driven over the DevTools protocol (aiohttp's websocket client, no other dependency)."""

    def __init__(self, profile: Path):
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "--window-size=1200,800",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            assert time.monotonic() < deadline, "chromium did not start"
            time.sleep(0.1)
        self.port = int(port_file.read_text().split()[0])
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=10).read())
        self.ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")

    def close(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


async def _drive(ws_url: str, url: str, code: str, shot: Path, seat_seen) -> float:
    import aiohttp

    async with aiohttp.ClientSession() as http, http.ws_connect(ws_url, max_msg_size=0) as ws:
        ids = iter(range(1, 10_000))

        async def call(method: str, **params):
            i = next(ids)
            await ws.send_json({"id": i, "method": method, "params": params})
            async for msg in ws:
                data = json.loads(msg.data)
                if data.get("id") == i:
                    return data.get("result", {})
            raise AssertionError("chromium closed the connection")

        import asyncio
        import base64

        await call("Page.enable")
        await call("Page.navigate", url=url)
        # The page opens a websocket and textual-serve starts `backfire join` for this tab: wait for its code prompt.
        before = seat_seen()
        for _ in range(100):
            await asyncio.sleep(0.3)
            ready = await call(
                "Runtime.evaluate", expression="document.body.classList.contains('-first-byte')", returnByValue=True
            )
            if ready.get("result", {}).get("value"):
                break
        else:
            raise AssertionError("the served team screen never drew")
        await asyncio.sleep(2)  # the code screen is up
        await call("Runtime.evaluate", expression="document.querySelector('.xterm-helper-textarea').focus()")
        await call("Input.insertText", text=code)
        for kind in ("keyDown", "keyUp"):
            await call(
                "Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13, text="\r"
            )
        seen = before
        for _ in range(100):  # the team's screen opens its seat: the store records it
            await asyncio.sleep(0.2)
            seen = seat_seen()
            if seen != before:
                break
        await asyncio.sleep(2)
        for key in ("s",):  # from the briefing to the team's screen
            await call("Input.insertText", text=key)
        await asyncio.sleep(3)
        data = await call("Page.captureScreenshot", format="png")
        shot.write_bytes(base64.b64decode(data["data"]))
        return seen


@needs_chromium
def test_a_browser_tab_enters_a_code_and_opens_the_teams_screen(tmp_path):
    import asyncio

    from simulator.tui.serve import Served

    db = tmp_path / "w.db"
    f = Facilitation(resolve("askjpm"), ["Red", "Blue"], seed=3, size=5000, store=Store(db))
    f.start()
    f.set_decision("Red", Decision("answer", "candid"))
    f.advance()
    code = f.codes["Red"]

    def seat_seen() -> float | None:
        return Store(db).seat(code).seen_at

    port = _free_port()
    shot = tmp_path / "served-team.png"
    with Served(db, "127.0.0.1", port) as served:
        browser = Chromium(tmp_path / "chromium")
        try:
            seen_before = seat_seen()
            seen = asyncio.run(_drive(browser.ws_url, served.url, code, shot, seat_seen))
        finally:
            browser.close()
        pgid = served.process.pid
    assert seen is not None and seen != seen_before, "the served screen never opened Red's seat"
    assert shot.stat().st_size > 20_000, "the screenshot of the team's screen is empty"
    assert _wait_gone(pgid)
    if os.environ.get("BACKFIRE_KEEP_SHOTS"):
        shutil.copy(shot, os.environ["BACKFIRE_KEEP_SHOTS"])
