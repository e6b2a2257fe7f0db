"""The language of the newest text, as an ISO 639-1 code (py3langid: docs/adr/0007).

The model ships inside the package and is read once, on first use, never at
import; classification itself is pure arithmetic on the text. How it is read is
``model_loader``: the packaged file here; the ``triage`` CLI installs a reader that
keeps it decompressed between runs (triage_cli.model_cache, ADR 0021).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

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
    return str(language)


def packaged_model() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


#: Reads the model, once (``_identifier`` keeps it); replaced before first use, or never.
model_loader: Callable[[], LanguageIdentifier] = packaged_model


@cache
def _identifier() -> LanguageIdentifier:
    return model_loader()
