"""The domain never imports the UI: checked in a fresh interpreter and by import-linter's contracts."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys

import pytest

import simulator

DOMAIN = sorted(
    m.name
    for m in pkgutil.walk_packages(simulator.__path__, "simulator.")
    if not m.name.startswith("simulator.tui") and m.name != "simulator.__main__"
)


def test_domain_modules_found():
    assert "simulator.cli" in DOMAIN and "simulator.scenario.loader" in DOMAIN


def test_importing_the_domain_never_loads_textual():
    code = (
        "import importlib, sys\n"
        f"for name in {DOMAIN!r}: importlib.import_module(name)\n"
        "from simulator.cli.main import build_parser; build_parser()\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.') or m.startswith('simulator.tui'))\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_the_command_line_and_the_app_paint_before_the_heavy_imports():
    """`backfire` and the app's first frame load no numpy, pydantic or YAML: those wait for the first scenario.

    The app paints its loading screen first (`backfire bench app` measures it); a module-level import of the
    schema or the engine in any command family would put half a second in front of every command.
    """
    code = (
        "import sys\n"
        "from simulator.cli.main import build_parser; build_parser()\n"
        "import simulator.tui.app\n"
        "heavy = ('numpy', 'pydantic', 'yaml', 'scipy', 'networkx', 'faker', 'vaderSentiment')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_import_linter_contracts_hold():
    from pathlib import Path

    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if lint is None:
        pytest.skip("import-linter is not installed (it is in the test extra)")
    proc = subprocess.run([lint], capture_output=True, text=True, cwd=str(simulator.__path__[0] + "/.."))
    assert proc.returncode == 0, proc.stdout + proc.stderr
