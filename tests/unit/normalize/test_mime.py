"""MIME shapes, HTML, charsets, forwards, language and authentication, from raw bytes."""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from triage.domain.models import CleanEmail
from triage.domain.normalize import decode_payload, html_to_text
from triage.domain.pipeline import normalize_message

HEAD = b"From: Jane Doe <jane@acme.com>\r\nTo: sales@lumora.io\r\nSubject: Pricing\r\n"


def normalise(raw: bytes) -> CleanEmail:
    return normalize_message(raw)


def single(body: bytes, content_type: str = "text/plain", extra: bytes = b"") -> bytes:
    return HEAD + b"Content-Type: " + content_type.encode() + b"\r\n" + extra + b"\r\n" + body


def test_gmail_html_quote_and_signature_are_separated() -> None:
    html = (
        '<div dir="ltr">Can we get pricing for 40 seats?<br clear="all">'
        '<div><br></div><span class="gmail_signature_prefix">-- </span>'
        '<div class="gmail_signature">Jane Doe<br>ACME Robotics</div></div><br>'
        '<div class="gmail_quote"><div class="gmail_attr">On Mon, Jan 12, 2026 Bob wrote:<br></div>'
        '<blockquote class="gmail_quote">Here is our offer.</blockquote></div>'
    )

    result = normalise(single(html.encode(), "text/html; charset=utf-8"))

    assert result.text == "Can we get pricing for 40 seats?"
    assert "ACME Robotics" in result.signature
    assert "Here is our offer." in result.quoted


def test_outlook_html_reply_keeps_history_apart() -> None:
    html = (
        "<html><body><p>Yes, Tuesday works.</p>"
        '<div id="Signature"><p>Jane Doe | ACME</p></div>'
        '<hr><div id="divRplyFwdMsg"><b>From:</b> Bob &lt;bob@lumora.io&gt;<br>'
        "<b>Sent:</b> Monday, January 12, 2026 9:30 AM<br><b>Subject:</b> Demo</div>"
        "<p>Does Tuesday work?</p></body></html>"
    )

    result = normalise(single(html.encode(), "text/html"))

    assert (result.text, result.signature) == ("Yes, Tuesday works.", "--\nJane Doe | ACME")
    assert "Does Tuesday work?" in result.quoted


def test_html_hides_what_a_reader_does_not_see() -> None:
    html = (
        "<head><title>T</title><style>p{}</style></head><body>"
        '<div style="display: none">preheader</div><script>x()</script><!-- note -->'
        "<p>Visible &amp; <b>bold</b></p><ul><li>one</li><li>two</li></ul>"
        "<pre>a\n  b</pre></body>"
    )

    assert html_to_text(html) == "Visible & bold\n\n- one\n- two\n\na\n  b"


def test_html_nested_deeper_than_the_stack_still_converts() -> None:
    assert html_to_text("<div>" * 1_500 + "deep" + "</div>" * 1_500) == "deep"


def test_html_nested_past_the_cap_is_cut_not_parsed_for_seconds() -> None:
    started = time.perf_counter()

    text = html_to_text("<p>kept</p>" + "<div>" * 100_000 + "lost" + "</div>" * 100_000)

    assert (text, time.perf_counter() - started < 1.0) == ("kept", True)


def test_nested_multiparts_take_one_alternative_and_every_inline_part() -> None:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["Subject"] = "jane@acme.com", "Nested"
    msg.set_content("plain version")
    msg.add_alternative("<p>html version</p>", subtype="html")
    msg.make_mixed()
    note = EmailMessage()
    note.set_content("<p>an inline html note</p>", subtype="html", disposition="inline")
    msg.attach(note)
    msg.add_attachment(b"\x00" * 300, maintype="image", subtype="png", filename="logo.png")

    result = normalise(msg.as_bytes())

    assert result.text == "plain version\n\nan inline html note"
    assert [(a.filename, a.size_bytes) for a in result.attachments] == [("logo.png", 300)]


@pytest.mark.parametrize(
    ("payload", "declared", "expected", "used"),
    [
        ("Grüße aus Köln".encode(), "iso-8859-1", "Grüße aus Köln", "utf-8"),
        ("“quoted” – ok".encode("cp1252"), "iso-8859-1", "“quoted” – ok", None),
        ("Привет, как дела? Это тестовое сообщение.".encode("koi8-r"), "koi8-r",
         "Привет, как дела? Это тестовое сообщение.", None),
        ("Grüße".encode("cp1252"), "utf-8", "Grüße", "cp1252"),
    ],
    ids=["utf8-labelled-latin1", "cp1252-labelled-latin1", "declared-koi8r", "latin-labelled-utf8"],
)  # fmt: skip
def test_mislabelled_charsets_are_detected_and_reported(
    payload: bytes, declared: str, expected: str, used: str | None
) -> None:
    assert decode_payload(payload, declared) == (expected, used)


def test_a_charset_mismatch_is_recorded_as_a_defect() -> None:
    raw = single("Grüße aus Köln".encode(), 'text/plain; charset="iso-8859-1"')

    result = normalise(raw)

    assert result.text == "Grüße aus Köln"
    assert any(defect.startswith("CharsetMismatch") for defect in result.defects)


def test_encoded_word_display_names_with_commas_stay_one_address() -> None:
    raw = single(
        b"Hi", extra=b"Cc: =?utf-8?q?Wei=C3=9F=2C_J=C3=BCrgen?= <jw@kranich.de>, b@x.io\r\n"
    )

    assert normalise(raw).cc == ["jw@kranich.de", "b@x.io"]


def test_raw_utf8_headers_are_read_as_utf8() -> None:
    raw = "From: Jürgen Weiß <jw@kranich.de>\r\nSubject: Grüße\r\n\r\nHallo".encode()

    result = normalise(raw)

    assert (result.subject, result.from_name) == ("Grüße", "Jürgen Weiß")


@pytest.mark.parametrize(
    ("forward", "sender"),
    [
        ("---------- Forwarded message ---------\nFrom: Ana Lima <ana@globex.com>\n"
         "Date: Mon, 12 Jan 2026\nSubject: Demo request\nTo: bob@lumora.io", "ana@globex.com"),
        ("---------- Mensagem encaminhada ---------\nDe: Ana Lima <ana@globex.com>\n"
         "Data: seg., 12 de jan.\nAssunto: Demo request\nPara: bob@lumora.io", "ana@globex.com"),
        ("Inizio messaggio inoltrato:\n\nDa: Ana Lima <ana@globex.com>\n"
         "Data: 12 gennaio 2026\nOggetto: Demo request\nA: bob@lumora.io", "ana@globex.com"),
    ],
    ids=["gmail-en", "gmail-pt", "apple-it"],
)  # fmt: skip
def test_forwards_recover_the_original(forward: str, sender: str) -> None:
    body = f"FYI, a lead for you.\n\n{forward}\n\nWe need 40 seats by March.\n\nAna Lima\nGlobex"

    forwarded = normalise(single(body.encode(), "text/plain; charset=utf-8")).forwarded

    assert (forwarded.from_email, forwarded.subject) == (sender, "Demo request")
    assert forwarded.text.startswith("We need 40 seats by March.")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Could we schedule a demo of the forecaster next week? We are forty people.", "en"),
        ("Können wir nächste Woche eine Demo vereinbaren? Wir sind vierzig Leute.", "de"),
        ("Pourrions-nous organiser une démonstration la semaine prochaine ?", "fr"),
        ("¿Podemos programar una demostración la próxima semana?", "es"),
        ("Podemos agendar uma demonstração na próxima semana?", "pt"),
        ("Kunnen we volgende week een demo inplannen? We zijn met veertig mensen.", "nl"),
        ("Possiamo fissare una dimostrazione la prossima settimana?", "it"),
        ("Thanks!", None),
    ],
)
def test_the_language_is_an_iso_639_1_code(text: str, language: str | None) -> None:
    assert normalise(single(text.encode(), "text/plain; charset=utf-8")).language == language


def test_authentication_results_give_the_verdicts() -> None:
    raw = single(
        b"Hi",
        extra=b"Authentication-Results: mx.lumora.io; dkim=pass header.d=acme.com;\r\n"
        b" spf=softfail smtp.mailfrom=acme.com; dmarc=fail (p=reject) header.from=acme.com\r\n",
    )

    auth = normalise(raw).auth

    assert (auth.dkim, auth.spf, auth.dmarc) == ("pass", "softfail", "fail")


def test_a_gmail_html_forward_recovers_the_original() -> None:
    html = (
        '<div dir="ltr">FYI - hot lead<div class="gmail_quote"><div class="gmail_attr">'
        "---------- Forwarded message ---------<br>From: <strong>Ana Lima</strong> "
        '<span>&lt;<a href="mailto:ana@globex.com">ana@globex.com</a>&gt;</span><br>'
        "Date: Mon, Jan 12, 2026<br>Subject: Demo request<br>To: bob@lumora.io<br></div><br>"
        "<div>Hi, we need 40 seats by March.</div><div>Ana</div></div></div>"
    )

    result = normalise(single(html.encode(), "text/html; charset=utf-8"))

    assert result.text == "FYI - hot lead"
    assert (result.forwarded.from_email, result.forwarded.subject) == (
        "ana@globex.com",
        "Demo request",
    )
    assert result.forwarded.text == "Hi, we need 40 seats by March.\n\nAna"  # text + signature
    assert result.language == "en"  # "FYI - hot lead" is too short: the original is read too
