"""The engine imports no Django and no project app, and ortools only when it solves."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

SOLVER = REPO / "scheduling" / "solver"
APPS = {"django", "accounts", "config", "courses", "partners", "enrollment"}


def test_no_django_or_app_import_anywhere_in_the_engine():
    paths = list(SOLVER.rglob("*.py"))
    assert SOLVER / "rules" / "unplaced.py" in paths  # the rule modules are walked too
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for n in names:
                top = n.split(".")[0]
                assert top not in APPS, f"{path.name} imports {n}"
                assert not n.startswith("scheduling.") or n.startswith("scheduling.solver")


def test_importing_the_engine_does_not_load_ortools():
    code = (
        "import sys; import scheduling.solver, scheduling.solver.model, scheduling.solver.ctt, "
        "scheduling.solver.lns, scheduling.solver.synth, scheduling.solver.rules; "
        "assert not any(m.startswith(('ortools', 'django')) for m in sys.modules), 'loaded'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=Path(REPO), check=True)
