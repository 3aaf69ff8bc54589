"""The CI script parses and ends in `make test` (a broken script would fail CI before any test)."""

import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "run"


def test_the_ci_script_is_valid_bash_and_runs_make_test():
    bash = shutil.which("bash")
    assert bash is not None
    subprocess.run([bash, "-n", str(SCRIPT)], check=True)  # noqa: S603 - our own script
    lines = [line.strip() for line in SCRIPT.read_text().splitlines()]
    assert lines[-1] == "make test"
    assert all(not line.startswith("# CI: `if") for line in lines)
