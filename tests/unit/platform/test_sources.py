"""Reading messages from .eml files, folders, mbox files and Maildirs."""

from __future__ import annotations

import mailbox
import uuid
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from triage.platform.sources import SourceError, count_messages, iter_messages


def message(subject: str) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = "jane@acme.com"
    msg["To"] = "sales@lumora.io"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@acme.com>"
    msg.set_content(f"Body of {subject}")
    return msg


def write_eml(path: Path, subject: str) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = message(subject).as_bytes()
    path.write_bytes(raw)
    return raw


def write_mbox(path: Path, subjects: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.mbox(path, create=True)
    for subject in subjects:
        box.add(message(subject))
    box.flush()
    box.close()


def subjects(messages) -> list[str]:
    found = []
    for m in messages:
        for line in m.raw.decode().splitlines():
            if line.startswith("Subject: "):
                found.append(line.removeprefix("Subject: "))
    return found


def test_a_single_eml_file_is_one_message_read_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    raw = write_eml(path, "only")
    [found] = iter_messages([path])
    assert found.raw == raw
    assert found.origin == str(path)


def test_a_folder_is_read_recursively_and_only_eml_and_mbox_files_count(tmp_path: Path) -> None:
    write_eml(tmp_path / "a.eml", "a")
    write_eml(tmp_path / "sub" / "deeper" / "b.EML", "b")
    write_mbox(tmp_path / "sub" / "c.mbox", ["c1", "c2"])
    (tmp_path / "notes.txt").write_bytes(message("not-mail-1").as_bytes())
    (tmp_path / "sub" / "d.json").write_text("{}")
    (tmp_path / "sub" / "e.eml.bak").write_bytes(message("not-mail-2").as_bytes())
    found = list(iter_messages([tmp_path]))
    assert sorted(subjects(found)) == ["a", "b", "c1", "c2"]
    assert len(found) == 4


def test_an_mbox_file_yields_each_of_its_messages_in_order(tmp_path: Path) -> None:
    path = tmp_path / "archive"  # any name: an mbox is recognised by its "From " line
    write_mbox(path, ["first", "second", "third"])
    found = list(iter_messages([path]))
    assert subjects(found) == ["first", "second", "third"]
    assert [m.origin for m in found] == [f"{path}#0", f"{path}#1", f"{path}#2"]
    assert all(not m.raw.startswith(b"From ") for m in found), "the mbox separator is not the message"


def test_a_maildir_yields_each_of_its_messages(tmp_path: Path) -> None:
    path = tmp_path / "Maildir"
    box = mailbox.Maildir(path, create=True)
    keys = [box.add(message("one")), box.add(message("two"))]
    box.close()
    found = list(iter_messages([path]))
    assert sorted(subjects(found)) == ["one", "two"]
    assert sorted(m.origin for m in found) == sorted(f"{path}:{key}" for key in keys)


def test_several_paths_are_read_one_after_the_other(tmp_path: Path) -> None:
    write_eml(tmp_path / "x.eml", "x")
    write_mbox(tmp_path / "y.mbox", ["y1", "y2"])
    found = list(iter_messages([tmp_path / "x.eml", tmp_path / "y.mbox"]))
    assert subjects(found) == ["x", "y1", "y2"]
    assert count_messages([tmp_path / "x.eml", tmp_path / "y.mbox"]) == 3


def test_a_missing_path_is_a_source_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.eml"
    with pytest.raises(SourceError, match="nowhere.eml"):
        list(iter_messages([missing]))


def test_a_missing_path_after_good_ones_still_fails(tmp_path: Path) -> None:
    write_eml(tmp_path / "ok.eml", "ok")
    with pytest.raises(SourceError):
        count_messages([tmp_path / "ok.eml", tmp_path / "gone"])
