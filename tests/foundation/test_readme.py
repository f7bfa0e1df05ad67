from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_readme_cli_reference_is_current() -> None:
    """The README's CLI reference is generated from the commands; regenerate it after a change with
    ``python scripts/cli_reference.py``."""
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "cli_reference.py"), "--check"], cwd=REPO)
    assert result.returncode == 0


def test_readme_quickstart_has_exactly_two_commands_and_ci_runs_the_second() -> None:
    readme = (REPO / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in quickstart.splitlines() if line.strip() and not line.startswith("#")]
    assert commands == ["pip install -e . && sealroom demo", "bash scripts/test-all.sh"]
    assert "bash scripts/test-all.sh" in (REPO / ".ci" / "run").read_text()
