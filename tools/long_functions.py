"""List every function in ``src/`` longer than a limit (default 80 lines, decorators excluded).

Usage: ``python tools/long_functions.py [--max 80] [PATH ...]``. Exits 1 when any function is
longer, so that ``tools/check.sh`` keeps functions short enough to read in one screen.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path


def long_functions(paths: list[Path], limit: int) -> list[tuple[Path, int, str, int]]:
    """``(file, line, name, length)`` of every function or method longer than ``limit`` lines."""
    found = []
    for root in paths:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for f in files:
            tree = ast.parse(f.read_text(encoding="utf-8"), filename=str(f))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > limit:
                        found.append((f, node.lineno, node.name, length))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max", type=int, default=80, help="most lines a function may have")
    parser.add_argument("paths", nargs="*", type=Path, default=[Path("src")])
    args = parser.parse_args(argv)
    found = long_functions(args.paths, args.max)
    for f, line, name, length in found:
        print(f"{f}:{line}: {name} has {length} lines (most {args.max})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
