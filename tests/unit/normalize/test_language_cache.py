"""The decompressed language model kept in TRIAGE_CACHE_DIR answers as the packaged one (ADR 0021)."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.domain.normalize import language
from triage_cli import model_cache

TEXTS = [
    "We would like a demo of the pipeline forecaster for our sales team next week.",
    "Nous aimerions une démonstration de votre produit pour notre équipe commerciale.",
    "Wir möchten gerne eine Vorführung Ihres Produkts für unser Vertriebsteam vereinbaren.",
    "Nos gustaría una demostración de su producto para nuestro equipo de ventas.",
]


def answers(identifier) -> list[tuple[str, float]]:
    return [identifier.classify(text) for text in TEXTS]


def test_the_cached_model_is_written_once_and_answers_the_same(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(tmp_path / "cache"))
    packaged = answers(language.packaged_model())
    assert answers(model_cache.cached_model()) == packaged
    [cached] = (tmp_path / "cache").glob("langid-*")
    written = (cached / "ready").stat().st_mtime_ns
    assert answers(model_cache.cached_model()) == packaged
    assert (cached / "ready").stat().st_mtime_ns == written  # read back, not written again
    assert not list((tmp_path / "cache").glob("*.partial"))


def test_an_unusable_cache_falls_back_to_the_packaged_model(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(blocker / "cache"))
    assert [lang for lang, _ in answers(model_cache.cached_model())] == ["en", "fr", "de", "es"]


def test_the_default_is_the_xdg_cache_and_empty_turns_it_off(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.delenv("TRIAGE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert model_cache.cache_dir() == tmp_path / "triage"
    monkeypatch.setenv("TRIAGE_CACHE_DIR", "")
    assert model_cache.cache_dir() is None


def test_the_cli_installs_the_cache_for_process_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from triage_cli.app import load_command

    monkeypatch.setattr(language, "model_loader", language.packaged_model)
    load_command("dlq")
    assert language.model_loader is language.packaged_model
    load_command("process")
    assert language.model_loader is model_cache.cached_model
