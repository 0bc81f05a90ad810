"""The walking engine as it was before the speed work, for the benchmarks' before/after ratios
in one run (same machine, same load, same network).

:func:`old_graph` loads ``scout/walking/graph.py`` at ``BASELINE_REV`` from git into a module of
its own and builds its ``Graph`` from the current network, beside today's.
"""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Barriers landed, speed work not yet started (issue 18).
BASELINE_REV = "8c43cec"


def old_module(rev: str = BASELINE_REV, path: str = "scout/walking/graph.py") -> Any:
    name = f"baseline_{rev}_{Path(path).stem}"
    if name in sys.modules:
        return sys.modules[name]
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType(name)
    module.__file__ = f"{rev}:{path}"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102
    return module


def old_graph(session: Any, rev: str = BASELINE_REV) -> Any:
    """The current network as the graph of ``rev`` holds it."""
    return old_module(rev)._load(session)
