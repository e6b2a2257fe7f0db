"""How much work one email may cost: every stage of normalisation is capped here.

A partition must never stall on one message, so each cap bounds a step that
would otherwise grow with hostile input (parts, nesting, text, markup).
"""

from __future__ import annotations

#: MIME parts walked per message; the rest are counted as truncated.
MAX_PARTS = 200
#: Boundary-like lines parsed at all: a MIME bomb is cut before the parser sees it.
MAX_BOUNDARY_LINES = 2_000
#: Characters of decoded body text kept (and split into text/signature/quoted).
MAX_TEXT_CHARS = 200_000
#: Characters of HTML handed to the HTML parser, and elements it visits.
MAX_HTML_CHARS = 2_000_000
MAX_HTML_NODES = 100_000
#: Tags read, and how deep they may nest (tree building slows with depth).
MAX_HTML_TAGS = 50_000
MAX_HTML_DEPTH = 2_000
#: Characters of one header value decoded; longer values are cut.
MAX_HEADER_CHARS = 16_384
MAX_DEFECTS = 50
#: Bytes sampled when a charset must be guessed.
CHARSET_SAMPLE_BYTES = 32_768
#: Characters read to tell the language.
LANGUAGE_SAMPLE_CHARS = 400
# What an LLM extractor gets to read: enough for intent and fields, cheap in tokens.
EXTRACTOR_TEXT_CHARS = 1_500
EXTRACTOR_HISTORY_CHARS = 300
EXTRACTOR_SIGNATURE_CHARS = 300
