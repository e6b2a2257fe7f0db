"""Each process's settings class holds every variable its own modules read (ADR 0038).

A process loads only its class, so a module reading ``settings.triage_x`` that its process does
not compose would fail with AttributeError on the path that reads it — perhaps only in
production. This reads the sources: every ``settings.<name>`` a module names must be an
attribute of the class of each process that runs it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from triage.platform.settings import (
    AdminSettings,
    AuditSettings,
    CliSettings,
    CrmSinkSettings,
    ExtractSettings,
    GmailFetchSettings,
    IngestSettings,
    RouteSettings,
    StageSettings,
)
from triage.platform.settings.groups import Group

ROOT = Path(__file__).resolve().parents[3]
PLATFORM = "libs/triage/src/triage/platform"
INGEST, CRM = "services/ingest/src/triage_ingest", "services/crm-sink/src/triage_crm_sink"
CRM_LIB = "libs/crm/src/triage_crm"
STAGES = (GmailFetchSettings, ExtractSettings, RouteSettings, CrmSinkSettings, AuditSettings)

#: module (or folder) -> the process classes it runs with
RUNS_WITH: dict[str, tuple[type[Group], ...]] = {
    f"{PLATFORM}/runtime.py": (StageSettings, *STAGES),
    f"{PLATFORM}/service.py": (StageSettings, *STAGES),
    f"{PLATFORM}/pipeline_config.py": (CliSettings,),
    f"{PLATFORM}/slack.py": (AuditSettings,),
    f"{PLATFORM}/gmail.py": (GmailFetchSettings, CliSettings),
    f"{PLATFORM}/mailbox_file.py": (IngestSettings, AdminSettings, *STAGES),
    f"{PLATFORM}/admin.py": (IngestSettings, AdminSettings, *STAGES),
    f"{INGEST}/main.py": (IngestSettings,),
    f"{INGEST}/app.py": (IngestSettings,),
    f"{INGEST}/push.py": (IngestSettings,),
    f"{INGEST}/fetch.py": (GmailFetchSettings,),
    f"{INGEST}/cursors.py": (GmailFetchSettings,),
    "services/extract/src": (ExtractSettings,),
    "services/route/src": (RouteSettings,),
    "services/audit/src": (AuditSettings,),
    f"{CRM}/main.py": (CrmSinkSettings,),
    f"{CRM}/queue_notices.py": (CrmSinkSettings,),
    f"{CRM_LIB}/backends.py": (CrmSinkSettings, AdminSettings),
    "services/admin/src": (AdminSettings,),
    "cli/src": (CliSettings,),
}


def is_setting(name: str) -> bool:
    """A variable or a method of some group (a local named ``settings`` may be something else)."""
    return name in CliSettings.model_fields or hasattr(CliSettings, name)


def read_names(where: str) -> set[str]:
    path = ROOT / where
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    found = {name for file in files for name in re.findall(r"(?<!platform\.)\bsettings\.([a-z]\w*)", file.read_text())}
    return {name for name in found if is_setting(name)}


@pytest.mark.parametrize("where", sorted(RUNS_WITH))
def test_every_setting_a_module_reads_is_in_its_process_class(where: str) -> None:
    names = read_names(where)
    assert names, f"{where} reads no settings: a stale entry"
    missing = {cls.__name__: sorted(n for n in names if n not in cls.model_fields and not hasattr(cls, n)) for cls in RUNS_WITH[where]}
    assert {cls: names for cls, names in missing.items() if names} == {}
