from __future__ import annotations

import ast
from pathlib import Path

import ledger.domain

DOMAIN = Path(ledger.domain.__file__).parent

# The domain is pure and synchronous: standard-library value types only, nothing that does
# I/O, talks to a clock, or pulls in a framework.
ALLOWED = {
    "__future__",
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "re",
    "types",
    "typing",
    "zoneinfo",
    "ledger",
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_domain_imports_no_io_framework_or_clock() -> None:
    modules = sorted(DOMAIN.glob("*.py"))
    assert len(modules) > 10
    for module in modules:
        assert imported_roots(module) <= ALLOWED, module.name


def test_the_domain_never_reads_the_wall_clock_or_uses_asyncio() -> None:
    for module in DOMAIN.glob("*.py"):
        text = module.read_text()
        for banned in ("datetime.now(", ".now(", "utcnow(", "date.today(", "async def", "await "):
            assert banned not in text, f"{module.name} uses {banned}"
