"""HTML → readable text with the Lexbor HTML5 parser (selectolax), never regexes.

Blocks become lines, quoted history (``blockquote``, Gmail's ``gmail_quote``,
Yahoo's ``yahoo_quoted``) becomes "> " lines, and a marked signature block
(``gmail_signature``, Outlook's ``id="Signature"``) is preceded by a "-- "
line, so that ``split_body`` separates both exactly as in plain-text mail.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from triage.domain.normalize.html_text import TextWriter
from triage.domain.normalize.limits import (
    MAX_HTML_CHARS,
    MAX_HTML_DEPTH,
    MAX_HTML_NODES,
    MAX_HTML_TAGS,
)
from triage.domain.normalize.vocabulary import HEADER_FIELDS

# Paragraph-like blocks are separated by a blank line, line-like ones by a line break.
# fmt: off
_PARAGRAPH_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "fieldset", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section",
    "table", "ul",
})
_LINE_TAGS = frozenset({"br", "caption", "dd", "div", "dl", "dt", "figcaption", "li", "tbody",
                        "thead", "tr"})
_SKIPPED_TAGS = frozenset({"head", "script", "style", "title", "noscript", "template", "-comment",
                           "svg", "object", "iframe"})
# fmt: on
_UNCOUNTED_TAGS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "td",
        "tr",
        "option",
    }
)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)")
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "protonmail_quote")
_SIGNATURE_CLASSES = ("gmail_signature",)
_SIGNATURE_IDS = frozenset({"signature", "signature_bookmark"})
# Where Outlook (web, desktop, mobile) and Hotmail put the previous message: everything
# from the divider on is history, whether or not it is nested inside the divider.
_DIVIDER_IDS = frozenset({"divrplyfwdmsg", "appendonsend", "stopspelling", "olk_src_body_section"})
# Outlook desktop and Windows Mail rule the header block off with a top border instead.
_FROM_LABEL = re.compile(
    r"\s*\*?(?:from|von|de|van|da|fra|från|od|от|від|lähettäjä|date|sent|gesendet)\s?:",
    re.IGNORECASE,
)


# The field labels of a header block ("Sent:", "Gesendet:", "Objet :", "Emne:"), for tables.
_FIELD_LABEL = re.compile(
    r"(?:^|\s)\*?(?:" + "|".join(re.escape(label) for label in sorted(HEADER_FIELDS, key=len, reverse=True))
    + r")\s?:",
    re.IGNORECASE,
)
# How many nodes the look at a rule's or a block's first text may visit.
_LOOKAHEAD_NODES = 60


def html_to_text(html: str) -> str:
    """The visible text of an HTML body; the work is capped in characters and elements."""
    return html_text(html)[0]


def html_text(html: str) -> tuple[str, bool]:
    """The visible text, and whether a cap cut the HTML or its text short."""
    bounded = bounded_html(html)
    tree = LexborHTMLParser(bounded)
    writer = TextWriter()
    cut = len(bounded) < len(html)
    if tree.root is not None:
        cut = _walk(tree.root, writer) or cut
    return writer.text(), cut or writer.full


def bounded_html(html: str) -> str:
    """The HTML cut before the tag that would pass the tag or nesting cap.

    HTML5 tree building costs time in proportion to nesting depth per tag, so
    50,000 nested <div>s take seconds; no real email nests thousands deep.
    Unclosed <p>/<li>/<td> are counted as closed, as the parser closes them.
    """
    html = html[:MAX_HTML_CHARS]
    depth = 0
    for count, tag in enumerate(_TAG.finditer(html)):
        closing, name = tag.groups()
        if name.lower() not in _UNCOUNTED_TAGS:
            depth = max(depth - 1, 0) if closing else depth + 1
        if count >= MAX_HTML_TAGS or depth > MAX_HTML_DEPTH:
            return html[: tag.start()]
    return html


def _walk(root: LexborNode, writer: TextWriter) -> bool:
    """Write the tree's text; True when the element cap stopped the walk."""
    # An explicit stack, not recursion: hostile markup nests deeper than Python's stack.
    stack: list[tuple[LexborNode, bool]] = [(root, True)]
    visited = 0
    while stack and visited < MAX_HTML_NODES:
        node, entering = stack.pop()
        visited += 1
        if not entering:
            _leave(node, writer)
        elif node.tag == "-text":
            writer.data(node.text_content or "")
        elif _enter(node, writer):
            stack.append((node, False))
            stack.extend((child, True) for child in reversed(_children(node)))
    return bool(stack)


def _children(node: LexborNode) -> list[LexborNode]:
    children: list[LexborNode] = []
    child = node.child
    while child is not None:
        children.append(child)
        child = child.next
    return children


def _enter(node: LexborNode, writer: TextWriter) -> bool:
    """Open an element; False when its content is not visible."""
    tag = node.tag or ""
    if tag in _SKIPPED_TAGS or tag.startswith("-"):
        return False
    attributes = node.attributes
    if _hidden(attributes):
        return False
    if _is_signature(attributes):
        writer.paragraph()
        writer.line("-- ")
    if tag == "blockquote" or _has_class(attributes, _QUOTE_CLASSES):
        writer.paragraph()
        writer.quote_depth += 1
    elif not writer.history and _is_divider(node, attributes):
        # One level more for the rest of the document: never closed again.
        writer.paragraph()
        writer.history = True
        writer.quote_depth += 1
    if tag in _PARAGRAPH_TAGS:
        writer.paragraph()
        writer.pre_depth += tag == "pre"
    elif tag in _LINE_TAGS:
        writer.newline(blank_if_empty=tag == "br")
        if tag == "li":
            writer.data("- ")
    elif tag in ("td", "th"):
        writer.cell()
    return True


def _leave(node: LexborNode, writer: TextWriter) -> None:
    tag = node.tag or ""
    attributes = node.attributes
    if tag in _PARAGRAPH_TAGS:
        writer.paragraph()
        writer.pre_depth -= tag == "pre"
    elif tag in _LINE_TAGS and tag != "br":
        writer.newline()
    if tag == "blockquote" or _has_class(attributes, _QUOTE_CLASSES):
        writer.paragraph()
        writer.quote_depth -= 1


def _is_divider(node: LexborNode, attributes: dict[str, str | None]) -> bool:
    if (attributes.get("id") or "").lower() in _DIVIDER_IDS:
        return True
    if node.tag == "hr":
        # A horizontal rule over "From: …" (AOL, Comcast, Outlook pasted into divs).
        return bool(_FROM_LABEL.match(_first_text(node, inside=False)))
    if node.tag == "table":
        # Outlook's (and Lotus Notes') header table: "From:" and another field in its cells.
        text = _first_text(node)
        return bool(_FROM_LABEL.match(text)) and len(_FIELD_LABEL.findall(text)) >= 2
    style = (attributes.get("style") or "").replace(" ", "").lower()
    if "border-top" not in style or "solid" not in style:
        return False
    # A ruled block is a header block only when it opens with "From:" (or a translation).
    return bool(_FROM_LABEL.match(_first_text(node)))


def _first_text(node: LexborNode, *, inside: bool = True, limit: int = 200) -> str:
    """The first characters of text inside a node, or (inside=False) after it in document order.

    A bounded walk (at most _LOOKAHEAD_NODES nodes), never a deep text of the subtree: a
    rule or a ruled block may sit above megabytes of markup, and there may be thousands.
    """
    parts: list[str] = []
    size, visited = 0, 0
    stack: list[LexborNode] = [node.child] if inside and node.child is not None else []
    current: LexborNode | None = node
    while visited < _LOOKAHEAD_NODES and size < limit:
        if not stack:
            if inside or current is None:
                break
            # After the node: its next sibling, else its parent's next sibling, and so on.
            while current is not None and current.next is None:
                current = current.parent
            if current is None or current.next is None:
                break
            current = current.next
            stack.append(current)
        item = stack.pop()
        visited += 1
        if item.tag == "-text":
            text = item.text_content or ""
            if text.strip():
                parts.append(text)
                size += len(text)
        elif item.tag not in _SKIPPED_TAGS and not (item.tag or "").startswith("-"):
            children = _children_bounded(item)
            stack.extend(reversed(children))
    return " ".join(parts)[:limit].lstrip()


def _children_bounded(node: LexborNode) -> list[LexborNode]:
    children: list[LexborNode] = []
    child = node.child
    while child is not None and len(children) < _LOOKAHEAD_NODES:
        children.append(child)
        child = child.next
    return children


def _hidden(attributes: dict[str, str | None]) -> bool:
    # Newsletters hide a "preheader" for the inbox preview; nobody sees it in the mail.
    style = (attributes.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "hidden" in attributes


def _is_signature(attributes: dict[str, str | None]) -> bool:
    return (attributes.get("id") or "").lower() in _SIGNATURE_IDS or _has_class(
        attributes, _SIGNATURE_CLASSES
    )


def _has_class(attributes: dict[str, str | None], names: tuple[str, ...]) -> bool:
    classes = attributes.get("class")
    return classes is not None and any(name in classes.split() for name in names)
