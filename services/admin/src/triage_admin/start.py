"""The ``triage-admin`` console script: ``triage-admin check`` (the start-up check, no Kafka or
PostgreSQL: ADR 0031), else the admin process (``triage_admin.main``)."""

import importlib
from importlib import resources

from triage.platform.check import check_requested, run_check
from triage.platform.settings import AdminSettings


def admin_data(settings: AdminSettings) -> str:
    """The admin's modules (so every dependency it declares is installed, the CRM writer triage_crm
    among them), the UI's templates (each one parsed) and static files, from the installed package."""
    from jinja2 import Environment, FileSystemLoader

    importlib.import_module("triage_admin.main")
    root = resources.files("triage_admin")
    templates = Environment(loader=FileSystemLoader(str(root / "templates")))
    names = templates.list_templates()
    for name in names:
        templates.get_template(name)
    static = [item.name for item in (root / "static").iterdir() if item.is_file()]
    if not names or not static:
        raise FileNotFoundError(f"{root}: the admin UI's templates/ or static/ are missing")
    return f"admin UI: {len(names)} templates, {len(static)} static files"


def main() -> None:
    if check_requested():
        raise SystemExit(run_check("admin", AdminSettings, admin_data))
    from triage_admin.main import main as serve  # FastAPI, uvicorn: only when it serves

    serve()


if __name__ == "__main__":
    main()
