"""A workshop driven end to end: a facilitator's console and two teams' own screens (Pilot apps) over one database."""

from __future__ import annotations

import pytest

from simulator.game.facilitation import Facilitation
from simulator.game.room import RoomReader
from simulator.game.seat import Seat
from simulator.report import build_report, render
from simulator.scenario import resolve
from simulator.store import Store
from tests.conftest import settle


async def poll(*pilots) -> None:
    """Let each app's store poll run (team screens read the store every 0.5 s, the facilitator's console too)."""
    for p in pilots:
        p.app.screen.poll()
        await settle(p)


async def test_two_teams_and_a_facilitator_on_their_own_screens(tmp_path, monkeypatch):
    from simulator.tui.app import make_app
    from simulator.tui.screens import HotWashScreen
    from simulator.tui.screens.board import BoardScreen
    from simulator.tui.screens.briefing import BriefingScreen
    from simulator.tui.screens.team import CodeScreen, TeamScreen
    from simulator.tui.widgets import FeedView

    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "w.db")
    f = Facilitation(resolve("askjpm"), ["Red", "Blue"], seed=4, size=5000, store=Store(db))
    fac = make_app(db=db, facilitation=f)
    red_app = make_app(db=db, joining=True)  # Red types its code, as a served browser tab does
    blue_app = make_app(db=db, seat=Seat(Store(db), f.codes["Blue"]))
    board_app = make_app(db=db, board=RoomReader(Store(db), f.id))
    async with (
        fac.run_test(size=(140, 36)) as pf,
        red_app.run_test(size=(100, 30)) as pr,
        blue_app.run_test(size=(100, 30)) as pb,
        board_app.run_test(size=(140, 36)) as pboard,
    ):
        await settle(pf)
        await settle(pr)
        await settle(pb)
        # Red: a wrong code is refused on the code screen; the right one opens Red's briefing.
        assert isinstance(red_app.screen, CodeScreen)
        await pr.press(*"BLUE-0000", "enter")
        await settle(pr)
        assert isinstance(red_app.screen, CodeScreen)
        assert "no team has the join code" in str(red_app.screen.query_one("#code-problem").render())
        red_app.screen.query_one("#code").value = ""
        await pr.press(*f.codes["Red"].lower(), "enter")
        await settle(pr)
        assert isinstance(red_app.screen, BriefingScreen) and red_app.seat.team == "Red"
        # Each team chooses its opening on its own screen; the facilitator's console reads it.
        await pr.press("s")  # to the team's screen: it waits for the clock
        await settle(pr)
        assert isinstance(red_app.screen, TeamScreen)
        assert "WAITING FOR THE CLOCK" in str(red_app.screen.query_one("#clock").render())
        assert isinstance(blue_app.screen, BriefingScreen)
        await pb.press("down")  # Blue picks the second listed opening
        await settle(pb)
        await pb.press("s")
        await settle(pb)
        await poll(pf)
        assert f.sessions["Blue"].opening == f.scenario.campaign.openings[1].id
        assert f.sessions["Red"].opening == f.scenario.campaign.openings[0].id
        assert any("Blue chose its opening" in line for line in fac.screen.log_lines)
        # The facilitator starts the clock; both teams see their opening post and a live clock.
        await pf.press("space")
        await settle(pf)
        await poll(pr, pb)
        assert f.started
        red_feed = red_app.screen.query_one(FeedView)
        assert "LIVE" in str(red_app.screen.query_one("#clock").render())
        # Red answers the highlighted post... (its own opening is highlighted: it picks which posts)
        await pr.press("w")
        await settle(pr)
        assert str(Seat(Store(db), f.codes["Red"]).pending) == "wait"
        await poll(pf)
        rows = {r.team: r for r in f.board()}
        assert rows["Red"].decided == "team" and rows["Blue"].decided is None
        # "Advance when all have decided": Blue's move makes the clock move on its own.
        await pf.press("g")
        await settle(pf)
        await pb.press("c")
        await settle(pb)
        await pb.press("enter")  # the first cancel message
        await settle(pb)
        await poll(pf)
        await settle(pf)
        assert f.turn == 1 and f.sessions["Blue"].cancelled
        await poll(pr, pb)
        assert "CANCELLED" in str(blue_app.screen.query_one("#clock").render())
        assert "T+0:15" in str(red_app.screen.query_one("#clock").render())
        red_items = red_app.seat.feed(40)
        assert len(red_feed.children) == len(red_items) and any(i.poster >= 0 for i in red_items), (
            "Red reads the crowd's first turn on its own screen"
        )
        # An inject to Red only shows in Red's feed.
        inject = f.scenario.injects[0]
        f.fire_inject(inject.id, "Red")
        await poll(pr, pb)
        assert any(i.inject == inject.id for i in red_app.seat.feed())
        assert not any(i.inject == inject.id for i in blue_app.seat.feed())
        # Red answers a crowd post it highlights on its own screen.
        crowd = next(i for i, item in enumerate(red_app.seat.feed(40)) if item.poster >= 0)
        red_feed.index = crowd
        await settle(pr)
        await pr.press("a")
        await settle(pr)
        await pr.press("enter")
        await settle(pr)
        assert red_app.seat.pending is not None and red_app.seat.pending.action == "answer"
        assert red_app.seat.pending.target == red_app.seat.feed(40)[crowd].id
        # The facilitator overrides nothing; Blue is still deciding: space advances anyway (Blue waits).
        await pf.press("g", "space")
        await settle(pf)
        assert f.turn == 2 and f.sessions["Red"].decisions()[-1].action == "answer"
        # The room board shows both teams, their moves and the inject.
        await poll(pboard)
        room = board_app.screen.room
        assert [c.team for c in room.teams] == ["Red", "Blue"] and room.turn == 2
        assert room.teams[1].decisions[-1][1].startswith("cancel:")
        assert room.injects and room.injects[-1]["team"] == "Red"
        assert isinstance(board_app.screen, BoardScreen)
        # The hot wash, then the report that covers every team's decisions.
        await pf.press("h")
        await settle(pf)
        await pf.press("y")
        await settle(pf)
        await settle(pf)
        assert isinstance(fac.screen, HotWashScreen) and f.over
        await poll(pr)
        assert "OVER" in str(red_app.screen.query_one("#clock").render())
    report = render(build_report(Store(db), f.sessions["Red"].game_id), "md")
    assert "Red" in report and "Blue" in report and "cancel:" in report and "answer:" in report


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_team_screen_fits_small_terminals(tmp_path, size):
    from simulator.tui.app import make_app
    from simulator.tui.screens.team import TeamScreen
    from simulator.tui.widgets import FeedView

    db = str(tmp_path / "w.db")
    f = Facilitation(resolve("askjpm"), ["Red"], seed=4, size=5000, store=Store(db))
    f.start()
    f.advance()
    app = make_app(db=db, seat=Seat(Store(db), f.codes["Red"]))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        assert len(app.screen.query_one(FeedView).children) == len(app.seat.feed(40)) >= 2
        status = app.screen.query_one("#status")
        assert status.region.bottom <= size[1] and "Red · deciding" in str(status.render())


async def test_a_long_written_move_does_not_push_the_boards_numbers_off_the_console(tmp_path):
    """Found in a workshop: a team's written opening widened 'move this turn' for good, hiding the numbers."""
    from textual.widgets import DataTable

    from simulator.tui.app import make_app

    f = Facilitation(resolve("askbg"), ["Red", "Blue"], seed=5, size=3000)
    words = "Bert Pijls answers your account questions today, 1-2pm. Ask us anything using #AskBG"
    f.choose_opening("Red", "", words)
    app = make_app(db=str(tmp_path / "w.db"), facilitation=f)
    async with app.run_test(size=(130, 36)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#board", DataTable)
        move = str(table.get_row_at(0)[2])
        assert len(move) <= 24 and move.endswith("…") and move.startswith('open:"Bert')
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 128  # every column on screen
