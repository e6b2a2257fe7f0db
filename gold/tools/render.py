"""A message spec to RFC 5322 bytes, in one of many MIME shapes, with Gmail's trace headers."""

from __future__ import annotations

import base64
import hashlib
import html
import random
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

SHAPES = (
    "plain7",
    "plain_qp",
    "plain_b64",
    "plain_8bit",
    "latin1_qp",
    "cp1252_qp",
    "flowed",
    "alternative",
    "html_only",
    "mixed_attachment",
    "related_inline",
)


@dataclass
class Mail:
    id: str
    intent: str
    lang: str
    sender_name: str
    sender_addr: str
    to: str
    subject: str
    date: datetime
    body: str
    labels: dict
    notes: str
    shape: str = "plain7"
    cc: str | None = None
    reply_to: str | None = None
    quoted: str | None = None  # an earlier message in the thread, already formatted
    in_reply_to: str | None = None
    auth: tuple[str, str, str] = ("pass", "pass", "pass")
    bulk: bool = False
    list_unsubscribe: bool = False
    auto_submitted: bool = False
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    forward_inner: EmailMessage | None = None  # a forward as message/rfc822
    extra_headers: dict[str, str] = field(default_factory=dict)


def _domain(addr: str) -> str:
    return addr.rsplit("@", 1)[1]


def _msgid(mail: Mail) -> str:
    digest = hashlib.sha1(f"{mail.id}/{mail.sender_addr}".encode()).hexdigest()
    return f"<{digest[:24]}.{mail.id}@mail.{_domain(mail.sender_addr)}>"


def _fake_b64(rng: random.Random, n: int) -> str:
    return base64.b64encode(rng.randbytes(n)).decode()


def trace_headers(msg: EmailMessage, mail: Mail, rng: random.Random) -> None:
    dkim, spf, dmarc = mail.auth
    sender_domain = _domain(mail.sender_addr)
    ip = f"203.0.113.{rng.randint(2, 250)}"
    stamp = format_datetime(mail.date)
    msg["Delivered-To"] = mail.to
    msg["Received"] = (
        f"by 2002:a05:{rng.randint(4096, 65535):x}:{rng.randint(4096, 65535):x} with SMTP id "
        f"{rng.choice('abcdefgh')}{rng.randint(10, 99)}csp{rng.randint(10**6, 10**7)}; {stamp}"
    )
    msg["Return-Path"] = f"<{mail.sender_addr}>"
    msg["Received"] = (
        f"from mail.{sender_domain} (mail.{sender_domain}. [{ip}]) by mx.google.com with "
        f"ESMTPS id {rng.randint(10**8, 10**9)} for <{mail.to}>; {stamp}"
    )
    msg["Received-SPF"] = f"{spf} (google.com: domain of {mail.sender_addr}) client-ip={ip};"
    results = [f"spf={spf} smtp.mailfrom={mail.sender_addr}"]
    if dkim != "none":
        results.insert(0, f"dkim={dkim} header.i=@{sender_domain} header.s=s1")
    results.append(f"dmarc={dmarc} header.from={sender_domain}")
    msg["Authentication-Results"] = "mx.google.com; " + "; ".join(results)
    if dkim != "none":
        msg["DKIM-Signature"] = (
            f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={sender_domain}; s=s1; "
            f"h=from:to:subject:date:message-id; bh={_fake_b64(rng, 32)}; b={_fake_b64(rng, 64)}"
        )


def sender_headers(msg: EmailMessage, mail: Mail) -> None:
    local, domain = mail.sender_addr.rsplit("@", 1)
    msg["From"] = Address(mail.sender_name, local, domain) if mail.sender_name else mail.sender_addr
    if mail.reply_to:
        msg["Reply-To"] = mail.reply_to
    msg["To"] = mail.to
    if mail.cc:
        msg["Cc"] = mail.cc
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(mail.date)
    msg["Message-ID"] = _msgid(mail)
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
        msg["References"] = mail.in_reply_to
    if mail.list_unsubscribe:
        msg["List-Unsubscribe"] = (
            f"<https://{_domain(mail.sender_addr)}/u/{mail.id}>, "
            f"<mailto:unsubscribe@{_domain(mail.sender_addr)}?subject={mail.id}>"
        )
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if mail.bulk:
        msg["Precedence"] = "bulk"
    if mail.auto_submitted:
        msg["Auto-Submitted"] = "auto-generated"
    for name, value in mail.extra_headers.items():
        msg[name] = value


def full_text(mail: Mail) -> str:
    text = mail.body.rstrip() + "\n"
    if mail.quoted:
        text += "\n" + mail.quoted.rstrip() + "\n"
    return text


def to_html(text: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        f'<body style="font-family:Arial,sans-serif;font-size:14px">\n{body}\n</body></html>\n'
    )


def render(mail: Mail, rng: random.Random) -> bytes:
    msg = EmailMessage()
    trace_headers(msg, mail, rng)
    sender_headers(msg, mail)
    _body(msg, mail, rng)
    data = msg.as_bytes(policy=policy.default)
    return data


def _body(msg: EmailMessage, mail: Mail, rng: random.Random) -> None:
    text = full_text(mail)
    shape = mail.shape
    if shape == "latin1_qp" and not _encodable(text, "iso-8859-1"):
        shape = "plain_qp"
    if shape == "cp1252_qp" and not _encodable(text, "windows-1252"):
        shape = "plain_qp"
    if shape == "plain7" and not text.isascii():
        shape = "plain_8bit"
    match shape:
        case "plain7":
            msg.set_content(text, cte="7bit")
        case "plain_qp":
            msg.set_content(text, cte="quoted-printable")
        case "plain_b64":
            msg.set_content(text, cte="base64")
        case "plain_8bit":
            msg.set_content(text, cte="8bit")
        case "latin1_qp":
            msg.set_content(text, charset="iso-8859-1", cte="quoted-printable")
        case "cp1252_qp":
            msg.set_content(text, charset="windows-1252", cte="quoted-printable")
        case "flowed":
            msg.set_content(text, cte="8bit" if not text.isascii() else "7bit")
            msg.set_param("format", "flowed")
        case "alternative":
            msg.set_content(text, cte="quoted-printable")
            msg.add_alternative(to_html(text), subtype="html", cte="quoted-printable")
        case "html_only":
            msg.set_content(
                to_html(text), subtype="html", cte=rng.choice(("quoted-printable", "base64"))
            )
        case "mixed_attachment":
            msg.set_content(text, cte="quoted-printable")
        case "related_inline":
            msg.set_content(text, cte="quoted-printable")
            msg.add_alternative(
                to_html(text).replace("</body>", '<img src="cid:logo01" alt="logo"></body>'),
                subtype="html",
            )
            html_part = msg.get_payload()[1]
            html_part.add_related(_PNG, "image", "png", cid="<logo01>", filename="logo.png")
        case _:
            raise ValueError(shape)
    for filename, ctype, data in mail.attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if mail.forward_inner is not None:
        msg.add_attachment(mail.forward_inner)


def _encodable(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


# A 1x1 transparent PNG.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def fake_pdf(title: str) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
        b"endobj\n% " + title.encode("utf-8") + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def inner_message(
    sender_name: str, sender_addr: str, to: str, subject: str, date: datetime, body: str
) -> EmailMessage:
    inner = EmailMessage()
    local, domain = sender_addr.rsplit("@", 1)
    inner["From"] = Address(sender_name, local, domain)
    inner["To"] = to
    inner["Subject"] = subject
    inner["Date"] = format_datetime(date)
    inner["Message-ID"] = f"<{hashlib.sha1(body.encode()).hexdigest()[:20]}@{domain}>"
    inner.set_content(body)
    return inner
