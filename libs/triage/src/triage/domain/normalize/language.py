"""The language of the newest text, as an ISO 639-1 code (py3langid: docs/adr/0007).

The model ships inside the package and is read once, on first use, never at
import; classification itself is pure arithmetic on the text. Reading it means
decompressing 68 MB of LZMA (~0.35 s of CPU): a long-running service pays that once,
a CLI command every time, so with ``TRIAGE_CACHE_DIR`` set (the ``triage`` CLI sets it)
the decompressed model is kept there and read back in ~0.05 s (ADR 0021).
"""

from __future__ import annotations

import lzma
import os
import shutil
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import _to_array

from triage.domain.normalize.limits import LANGUAGE_SAMPLE_CHARS

#: Fewer letters than this say too little ("Thanks!", "ok") to name a language.
MIN_LETTERS = 12
#: Letters that make one sentence: below this, the next text is read too.
ENOUGH_LETTERS = 60
#: Below this probability the answer is a guess, and no language beats a wrong one.
#: (One short sentence scores 0.3-0.5 for its right language over 140 labels.)
MIN_PROBABILITY = 0.3


def detect_language(*texts: str | None) -> str | None:
    """The language of the texts, the first one first; later ones add material when short."""
    sample, letters = "", 0
    for text in texts:
        if letters >= ENOUGH_LETTERS:
            break
        piece = (text or "")[:LANGUAGE_SAMPLE_CHARS]
        sample, letters = f"{sample}\n{piece}", letters + _letters(piece)
    return _classify(sample[:LANGUAGE_SAMPLE_CHARS]) if letters >= MIN_LETTERS else None


def _letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


def _classify(sample: str) -> str | None:
    language, probability = _identifier().classify(sample)
    if probability < MIN_PROBABILITY or len(language) != 2:
        return None
    return language


@cache
def _identifier() -> LanguageIdentifier:
    cache_dir = os.environ.get("TRIAGE_CACHE_DIR")
    if cache_dir:
        try:
            return _from_npz(_decompressed_model(Path(cache_dir)))
        except (OSError, ValueError, KeyError):
            pass  # an unwritable or damaged cache: the packaged model, as without one
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _decompressed_model(cache_dir: Path) -> Path:
    """The packaged model decompressed once into ``cache_dir`` (named by version and size)."""
    packaged = MODEL_DIR / MODEL_FILE
    target = cache_dir / f"langid-{version('py3langid')}-{packaged.stat().st_size}.npz"
    if not target.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_dir, suffix=".partial", delete=False) as tmp:
            try:
                with lzma.open(packaged) as source:
                    shutil.copyfileobj(source, tmp, length=1 << 20)
                tmp.close()
                os.replace(tmp.name, target)  # whole or absent: two processes may race here
            finally:
                Path(tmp.name).unlink(missing_ok=True)
    return target


def _from_npz(path: Path) -> LanguageIdentifier:
    """What ``LanguageIdentifier.from_model_file`` builds, from an uncompressed npz."""
    with np.load(path, allow_pickle=False) as data:
        return LanguageIdentifier(
            np.asarray(data["ptc"]), np.asarray(data["pc"]), data["classes"].tolist(),
            _to_array(data["nextmove"]), data["out_feat"].tolist(), norm_probs=True,
            tk_row=_to_array(data["nextmove_row"]))
