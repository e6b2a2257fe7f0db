"""Weak secrets are refused at start-up, naming the variable (never the value).

"aaaaaaaaaaaaaaaa" is sixteen characters and guessable in one try; so is "abababababababab".
A secret must be long enough, not one character repeated, and carry enough entropy, estimated
from its own character frequencies (Shannon entropy × length): ``openssl rand -hex 24`` has
about 190 bits by this estimate, a 16-character random hex string 40 to 64; "abcdabcdabcdabcd"
32.
"""

from __future__ import annotations

import math
from collections import Counter

MIN_LENGTH = 16
MIN_ESTIMATED_BITS = 36.0


def estimated_bits(secret: str) -> float:
    counts = Counter(secret)
    total = len(secret)
    return -total * sum(n / total * math.log2(n / total) for n in counts.values()) if total else 0.0


def weakness(secret: str, min_length: int = MIN_LENGTH) -> str | None:
    """Why the secret is weak (for an error message: it never quotes the secret), else None."""
    if len(secret) < min_length:
        return f"shorter than {min_length} characters"
    if len(set(secret)) == 1:
        return "one character repeated"
    if estimated_bits(secret) < MIN_ESTIMATED_BITS:
        return f"too predictable (about {estimated_bits(secret):.0f} bits; at least {MIN_ESTIMATED_BITS:.0f})"
    return None


def require_strong(name: str, secret: str, min_length: int = MIN_LENGTH) -> None:
    """SystemExit naming the variable: start-up fails loudly (style.md habit 3)."""
    why = weakness(secret, min_length)
    if why is not None:
        raise SystemExit(f"{name} is a weak secret: {why}. Generate one: openssl rand -hex 32")
