"""Pure core, thin shell: the domain imports no I/O, services never import each other, and the
libraries import no service: the CRM writer crm-sink and the admin share is a library (ADR 0039)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "libs/triage/src/triage/domain"
#: What the domain may import besides itself: the standard library's pure parts and pydantic.
IO_MODULES = {"socket", "ssl", "subprocess", "http", "urllib", "asyncio", "selectors", "sqlite3",
              "shutil", "tempfile", "multiprocessing", "threading", "os", "io", "pathlib", "glob",
              "mailbox", "smtplib", "imaplib", "poplib", "ftplib", "requests", "httpx"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_domain_imports_only_pure_modules() -> None:
    # Pure parsers for normalisation (docs/adr/0007): they do no network, file or
    # environment I/O on the email's behalf. py3langid reads its own bundled model
    # once, lazily, never at import.
    normalisation = {"selectolax", "charset_normalizer", "py3langid"}
    allowed_third_party = {"pydantic", "triage", "__future__"} | normalisation
    for path in DOMAIN.rglob("*.py"):
        roots = imported_roots(path)
        third_party = {r for r in roots if r not in sys.stdlib_module_names} - allowed_third_party
        assert not third_party, f"{path.name} imports {third_party}"
        assert not roots & IO_MODULES, f"{path.name} imports I/O modules {roots & IO_MODULES}"


def test_the_domain_does_not_import_the_platform() -> None:
    for path in DOMAIN.rglob("*.py"):
        modules = {
            node.module for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module
        } | {
            alias.name for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Import) for alias in node.names
        }
        assert not {m for m in modules if m.startswith("triage.platform")}, f"{path.name} imports the platform"


#: the workspace libraries (libs/*), by the import package each holds
LIBRARIES = {"triage": ROOT / "libs/triage/src/triage", "triage_crm": ROOT / "libs/crm/src/triage_crm"}
#: what each library may import of the workspace: the shared library, never a service (ADR 0039)
LIBRARY_MAY_IMPORT = {"triage": {"triage"}, "triage_crm": {"triage", "triage_crm"}}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return modules | {node.module for node in ast.walk(tree)
                      if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module}


def service_modules() -> dict[str, str]:
    """services/<name> -> its import package (crm-sink -> triage_crm_sink)."""
    return {p.name: f"triage_{p.name.replace('-', '_')}" for p in (ROOT / "services").iterdir() if p.is_dir()}


def test_services_never_import_each_other() -> None:
    services = service_modules()
    assert {"crm-sink", "admin"} <= set(services)
    for name, module in services.items():
        others = set(services.values()) - {module}
        for path in (ROOT / "services" / name).rglob("*.py"):
            across = {m for m in imported_modules(path) if m.split(".")[0] in others}
            assert not across, f"{path} imports another service: {sorted(across)}"


def test_the_libraries_import_no_service_and_only_the_libraries_below_them() -> None:
    """triage imports nothing of the workspace but itself; triage_crm imports triage and itself,
    never a service (nor the CLI): a service installs a library, never the other way round."""
    workspace = {*service_modules().values(), *LIBRARIES, "triage_cli"}
    for library, package in LIBRARIES.items():
        files = sorted(package.rglob("*.py"))
        assert len(files) > 5, f"{package} is where the library lives"
        for path in files:
            used = {m.split(".")[0] for m in imported_modules(path)} & workspace
            assert used <= LIBRARY_MAY_IMPORT[library], f"{path} imports {sorted(used - LIBRARY_MAY_IMPORT[library])}"


def test_the_admin_writes_through_the_crm_library_not_crm_sink() -> None:
    """ADR 0039: the admin builds its CRM backend from triage_crm and imports nothing of
    triage_crm_sink; crm-sink's package holds no admin module, template or static file, and no
    module of the writer (those are the library's)."""
    crm_sink = ROOT / "services/crm-sink/src/triage_crm_sink"
    assert not [p for p in crm_sink.rglob("*") if p.name.startswith("admin") or p.name in ("templates", "static")]
    admin = {m for path in (ROOT / "services/admin").rglob("*.py") for m in imported_modules(path)}
    assert not {m for m in admin if m.split(".")[0] == "triage_crm_sink"}
    assert {"triage_crm.backends", "triage_crm.perform"} <= admin
    assert sorted(p.name for p in crm_sink.glob("*.py")) == ["__init__.py", "handler.py", "main.py",
                                                              "queue_notices.py"]
    assert not (crm_sink / "adapters").exists()

EXTRACTION = DOMAIN / "extraction"
#: ADR 0036: no extraction module past 300 lines, counting every line (blank lines, comments
#: and docstrings included: what `wc -l` shows), so the limit cannot be met by squeezing.
MAX_MODULE_LINES = 300


def test_no_extraction_module_passes_300_lines() -> None:
    lengths = {path.name: len(path.read_text(encoding="utf-8").splitlines())
               for path in EXTRACTION.glob("*.py")}
    assert len(lengths) > 20, "the extraction package is where ADR 0036 put it"
    too_long = {name: lines for name, lines in lengths.items() if lines > MAX_MODULE_LINES}
    assert not too_long, f"split these modules (ADR 0036): {too_long}"


def test_extraction_lives_in_its_package_not_beside_it() -> None:
    flat = sorted(path.name for path in DOMAIN.glob("*.py")
                  if path.stem in {"extract", "evidence"} or path.stem.startswith("extraction_"))
    assert not flat, f"extraction modules belong under domain/extraction/: {flat}"


def test_the_intent_models_weights_are_a_data_file_not_python() -> None:
    # A learned model is data: its weights in intent_model.json, read with importlib.resources;
    # no module holds a table of numbers (the most any has is the rules' few thresholds).
    assert (EXTRACTION / "intent_model.json").is_file()
    for path in EXTRACTION.rglob("*.py"):
        numbers = [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                   if isinstance(node, ast.Constant) and isinstance(node.value, float)]
        assert len(numbers) <= 30, f"{path.name} holds {len(numbers)} float literals: weights?"


@pytest.mark.parametrize("module", ["triage_ingest.main", "triage_extract.main", "triage_route.main"])
def test_a_stage_without_a_database_loads_no_database_driver(module: str) -> None:
    """psycopg, its pool and yoyo cost every process several MB of memory: only the processes
    that write PostgreSQL (crm-sink, audit, the admin) import them."""
    probe = f"import sys, {module}; print(sorted(m for m in ('psycopg', 'psycopg_pool', 'yoyo') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"{module} imports {loaded.strip()}"
