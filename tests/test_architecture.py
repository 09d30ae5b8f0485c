"""The shape style.md asks for, held by a test: domains stay pure, contracts stay public."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_DOMAIN = {"fastapi", "starlette", "asyncpg", "aiokafka", "uvicorn", "structlog",
                       "opentelemetry", "goodfaith_runtime", "httpx", "sqlalchemy", "asyncio"}
DOMAINS = sorted(ROOT.glob("services/*/src/*/domain"))


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_there_are_domains_to_check() -> None:
    assert {d.parts[-2] for d in DOMAINS} >= {"ledger", "compliance"}


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.parts[-2])
def test_domain_code_does_no_io_and_imports_no_framework(domain: Path) -> None:
    offenders = {str(f.relative_to(ROOT)): sorted(imported_roots(f) & FORBIDDEN_IN_DOMAIN)
                 for f in domain.rglob("*.py")}
    assert {f: bad for f, bad in offenders.items() if bad} == {}


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.parts[-2])
def test_domain_code_never_reads_the_wall_clock(domain: Path) -> None:
    for path in domain.rglob("*.py"):
        text = path.read_text()
        assert ".now(" not in text and "utcnow" not in text and "time.time(" not in text, path


def test_contracts_import_nothing_from_services_or_runtime() -> None:
    package = ROOT / "libs/events/src/goodfaith_events"
    for path in package.rglob("*.py"):
        roots = imported_roots(path)
        assert not roots & {"goodfaith_runtime", "ledger", "compliance", "outreach", "payments"}
