"""Keys and how the game works."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown


class HelpScreen(ModalScreen[None]):
    """Keys and how the game works."""

    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)


HELP = """\
# Backfire — help

Every turn is a stretch of a hashtag storm (15 minutes in most cases; the briefing
says) on a synthetic crowd. Choose a move,
and the crowd reacts. At the end your run is scored against what the brand really
did, **on the same crowd**, and the debrief quotes what the sources say.

| key | move |
|---|---|
| `w` or space | wait one turn |
| `a` | answer the highlighted post (then pick a tone, or write it) |
| `p` | pause: go quiet for a while (with a holding line you can write) |
| `c` | cancel: call the Q&A off, delete the post… as the case says (then pick a message, or write it) |
| `↑` `↓` | move through the feed |
| `r` | show only your posts, the posts you answered and the crowd's replies (again: every post) |
| `f` | wait out the remaining turns |
| `ctrl+p` | command palette: every action by name |
| `?` | this help · `q` quit |

**Your own words.** In any move that posts, `Tab` moves to the box where you
write the post yourself (`ctrl+e` starts from the highlighted wording). As you
type, the game says how the crowd will read it: its posture (apology, denial,
holding line…), whether it answers the post you reply to, how much it provokes,
and the option it will be played as. `ctrl+s` posts it. The crowd replies to
what you wrote, quoting it, and the debrief shows how it was read.

Real posts quoted by the sources are marked **REAL POST** with their source, under the author and handle the source gives (or "Real post, author not named"). A reply is marked ↳ with the post of yours it answers.
Events (press stories, alerts) are marked **⚑ EVENT**. Press `Esc` to close.
"""
