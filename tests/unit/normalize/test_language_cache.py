"""The decompressed language model kept in TRIAGE_CACHE_DIR answers as the packaged one (ADR 0021)."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.domain.normalize import language

TEXTS = [
    "We would like a demo of the pipeline forecaster for our sales team next week.",
    "Nous aimerions une démonstration de votre produit pour notre équipe commerciale.",
    "Wir möchten gerne eine Vorführung Ihres Produkts für unser Vertriebsteam vereinbaren.",
    "Nos gustaría una demostración de su producto para nuestro equipo de ventas.",
]


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch):
    language._identifier.cache_clear()
    yield monkeypatch
    language._identifier.cache_clear()


def answers() -> list[tuple[str, float]]:
    identifier = language._identifier()
    return [identifier.classify(text) for text in TEXTS]


def test_the_cached_model_is_written_once_and_answers_the_same(fresh: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fresh.delenv("TRIAGE_CACHE_DIR", raising=False)
    packaged = answers()
    fresh.setenv("TRIAGE_CACHE_DIR", str(tmp_path / "cache"))
    language._identifier.cache_clear()
    first = answers()
    [cached] = (tmp_path / "cache").glob("langid-*.npz")
    written = cached.stat().st_mtime_ns
    language._identifier.cache_clear()
    second = answers()
    assert first == packaged and second == packaged
    assert cached.stat().st_mtime_ns == written  # read back, not written again
    assert not list((tmp_path / "cache").glob("*.partial"))


def test_an_unusable_cache_falls_back_to_the_packaged_model(fresh: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    fresh.setenv("TRIAGE_CACHE_DIR", str(blocker / "cache"))
    assert [lang for lang, _ in answers()] == ["en", "fr", "de", "es"]
