"""The language model kept decompressed between CLI runs (ADR 0021).

py3langid ships its model as 68 MB of LZMA: decompressing it costs ~0.35 s of CPU, which a
service pays once and a CLI command every run. Here it is decompressed once into
``TRIAGE_CACHE_DIR`` (default ``$XDG_CACHE_HOME/triage``, i.e. ``~/.cache/triage``; empty: no
cache) and mapped back, not copied, in a few milliseconds. Written atomically, named by
py3langid's version and the packaged file's size; any error falls back to the packaged model.
"""

from __future__ import annotations

import lzma
import mmap
import os
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from triage.domain.normalize import language


def install() -> None:
    """Make the domain read its language model through the cache (before its first use)."""
    language.model_loader = cached_model


def cache_dir() -> Path | None:
    configured = os.environ.get("TRIAGE_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "triage"


def cached_model() -> LanguageIdentifier:
    directory = cache_dir()
    if directory is not None:
        try:
            return from_directory(decompressed_model(directory))
        except (OSError, ValueError, KeyError):
            pass  # an unwritable or damaged cache: the packaged model, as without one
    return language.packaged_model()


def decompressed_model(directory: Path) -> Path:
    """The packaged model decompressed once into ``directory``: one raw file per table."""
    packaged = MODEL_DIR / MODEL_FILE
    target = directory / f"langid-{version('py3langid')}-{packaged.stat().st_size}"
    if (target / "ready").exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=directory, suffix=".partial"))
    try:
        with tempfile.TemporaryFile() as npz:
            with lzma.open(packaged) as source:
                shutil.copyfileobj(source, npz, length=1 << 20)
            npz.seek(0)
            with np.load(npz, allow_pickle=False) as data:
                np.save(staging / "ptc.npy", data["ptc"])
                np.save(staging / "pc.npy", data["pc"])
                np.save(staging / "classes.npy", data["classes"])
                for name, typecode in RAW.items():
                    (staging / f"{name}.bin").write_bytes(np.ascontiguousarray(data[name], dtype=typecode).tobytes())
        (staging / "ready").touch()
        try:
            os.replace(staging, target)  # whole or absent
        except OSError:
            if not (target / "ready").exists():  # not another process's finished copy
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


#: Tables read element by element from Python: raw native-order files, mapped, not copied.
RAW = {"nextmove": "I", "nextmove_row": "H", "out_feat": "i"}


def from_directory(path: Path) -> LanguageIdentifier:
    """What ``LanguageIdentifier.from_model_file`` builds, from the cache's files (mapped)."""
    tables = {}
    for name, typecode in RAW.items():
        with open(path / f"{name}.bin", "rb") as file:
            tables[name] = memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)).cast(typecode)
    return LanguageIdentifier(
        np.load(path / "ptc.npy", mmap_mode="r"), np.load(path / "pc.npy"),
        np.load(path / "classes.npy").tolist(), tables["nextmove"], tables["out_feat"], norm_probs=True,
        tk_row=tables["nextmove_row"])
