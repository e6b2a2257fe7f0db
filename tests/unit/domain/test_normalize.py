from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.domain.models import CleanEmail
from triage.domain.normalize import (
    MAX_PARTS,
    MAX_TEXT_CHARS,
    decode_text,
    extractor_input,
    html_to_text,
    parse_auth_results,
    split_body,
)

Clean = Callable[[EmailMessage | bytes], CleanEmail]
# The factory fixtures hold no state, so sharing one across generated inputs is safe.
STATELESS_FIXTURE = HealthCheck.function_scoped_fixture
Message = Callable[..., EmailMessage]


# ---------------------------------------------------------------- headers


def test_encoded_words_in_subject_and_from_are_decoded(message: Message, clean: Clean) -> None:
    msg = message(subject="Anfrage: Demo für Forecaster", sender="Jürgen Weiß <j.weiss@kranich.de>")

    result = clean(msg)

    assert b"=?utf-8?" in msg.as_bytes()  # the wire form really is RFC 2047
    assert result.subject == "Anfrage: Demo für Forecaster"
    assert (result.from_name, result.from_email) == ("Jürgen Weiß", "j.weiss@kranich.de")


def test_address_headers_become_lowercased_lists(message: Message, clean: Clean) -> None:
    msg = message(
        to="Sales <Sales@Lumora.io>, info@lumora.io",
        headers={"Cc": "Bob <bob@x.com>", "Reply-To": "Jane <jane@home.example>"},
    )

    result = clean(msg)

    assert result.to == ["sales@lumora.io", "info@lumora.io"]
    assert result.cc == ["bob@x.com"]
    assert result.reply_to == "jane@home.example"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "Mon, 12 Jan 2026 09:30:00 -0600",
            datetime(2026, 1, 12, 9, 30, tzinfo=timezone(timedelta(hours=-6))),
        ),
        ("Mon, 12 Jan 2026 09:30:00 -0000", datetime(2026, 1, 12, 9, 30, tzinfo=UTC)),
        ("not a date", None),
    ],
    ids=["offset", "unknown-zone-is-utc", "garbage"],
)
def test_the_date_is_an_aware_datetime_or_none(
    message: Message, clean: Clean, header: str, expected: datetime | None
) -> None:
    result = clean(message(date=header))

    assert result.date == expected
    assert result.date is None or result.date.tzinfo is not None


def test_thread_headers_are_read_without_brackets(message: Message, clean: Clean) -> None:
    msg = message(headers={"In-Reply-To": "<b@x>", "References": "<a@x> <b@x>"})

    result = clean(msg)

    assert result.in_reply_to == "b@x"
    assert result.references == ["a@x", "b@x"]


def test_authentication_results_become_verdicts() -> None:
    verdicts = parse_auth_results(
        "mx.google.com; dkim=pass header.i=@x.com; spf=softfail (google.com: ...) "
        "smtp.mailfrom=a@x.com; dmarc=FAIL (p=NONE) header.from=x.com"
    )

    assert (verdicts.dkim, verdicts.spf, verdicts.dmarc) == ("pass", "softfail", "fail")


def test_received_spf_fills_in_a_missing_spf_verdict(message: Message, clean: Clean) -> None:
    msg = message(headers={"Received-SPF": "fail (domain does not designate)"})

    assert clean(msg).auth.spf == "fail"


def test_bulk_and_automation_headers_are_recorded(message: Message, clean: Clean) -> None:
    msg = message(
        headers={
            "List-Unsubscribe": "<https://x.com/u>",
            "Precedence": "Bulk",
            "Auto-Submitted": "auto-generated",
        }
    )

    result = clean(msg)

    assert (result.list_unsubscribe, result.precedence, result.auto_submitted) == (
        True,
        "bulk",
        "auto-generated",
    )


def test_without_bulk_headers_the_flags_are_empty(message: Message, clean: Clean) -> None:
    result = clean(message())

    assert (result.list_unsubscribe, result.precedence, result.auto_submitted) == (
        False,
        None,
        None,
    )


# ---------------------------------------------------------------- body and MIME


def test_plain_text_is_preferred_over_html(message: Message, clean: Clean) -> None:
    msg = message("The plain version.", html="<p>The HTML version.</p>")

    assert clean(msg).text == "The plain version."


def test_html_only_mail_is_converted_to_readable_text(clean: Clean) -> None:
    msg = EmailMessage()
    msg["From"] = "a@x.com"
    msg.set_content(
        "<html><head><style>p {color: red}</style><script>alert(1)</script></head>"
        "<body><p>First&nbsp;paragraph &amp; more.</p><div>Second<br>line</div>"
        "<ul><li>one</li><li>two</li></ul></body></html>",
        subtype="html",
    )

    text = clean(msg).text

    assert text == "First paragraph & more.\n\nSecond\nline\n\n- one\n- two"


def test_html_blockquotes_become_quoted_history() -> None:
    text = html_to_text("<p>New reply</p><blockquote><p>Older message</p></blockquote>")

    assert split_body(text).text == "New reply"
    assert split_body(text).quoted == "> Older message"


@pytest.mark.parametrize("encoding", ["quoted-printable", "base64"])
def test_transfer_encodings_are_decoded(clean: Clean, encoding: str) -> None:
    msg = EmailMessage()
    msg["From"] = "a@x.com"
    msg.set_content("Grüße aus Köln — €50", charset="utf-8", cte=encoding)

    assert clean(msg).text == "Grüße aus Köln — €50"


def single_part(payload: bytes, charset: str) -> bytes:
    return (
        b"From: a@x.com\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + payload
    )


@pytest.mark.parametrize(
    ("payload", "declared", "expected"),
    [
        ("Grüße".encode(), "us-ascii", "Grüße"),  # declared too narrow: utf-8 wins
        ("café – “ok”".encode("cp1252"), "utf-8", "café – “ok”"),  # not utf-8: cp1252 wins
        ("naïve".encode(), "x-unknown-charset", "naïve"),  # unknown charset: fall back
        ("olá".encode("latin-1"), "iso-8859-1", "olá"),  # the declared charset is right
    ],
    ids=["ascii-lie", "cp1252-in-utf8", "unknown", "declared"],
)
def test_charsets_fall_back_instead_of_failing(
    clean: Clean, payload: bytes, declared: str, expected: str
) -> None:
    assert clean(single_part(payload, declared)).text == expected


def test_decode_text_never_raises_on_undecodable_bytes() -> None:
    assert isinstance(decode_text(b"\x81\x8d\x8f\x90\x9d", "utf-8"), str)


def test_attachments_are_kept_as_metadata_only(message: Message, clean: Clean) -> None:
    msg = message("My CV is attached.")
    msg.add_attachment(
        b"%PDF-1.7 " + b"x" * 991, maintype="application", subtype="pdf", filename="cv.pdf"
    )

    result = clean(msg)

    assert [(a.filename, a.content_type, a.size_bytes) for a in result.attachments] == [
        ("cv.pdf", "application/pdf", 1000)
    ]
    assert "PDF" not in result.text


def test_the_number_of_parts_walked_is_capped(clean: Clean) -> None:
    msg = EmailMessage()
    msg["From"] = "a@x.com"
    msg.set_content("Body")
    for index in range(MAX_PARTS + 5):
        msg.add_attachment(
            b"x", maintype="application", subtype="octet-stream", filename=f"{index}.bin"
        )

    result = clean(msg)

    assert result.truncated
    assert len(result.attachments) < MAX_PARTS


def test_very_long_text_is_capped_and_flagged(message: Message, clean: Clean) -> None:
    result = clean(message("word " * (MAX_TEXT_CHARS // 4)))

    assert result.truncated
    assert len(result.text) <= MAX_TEXT_CHARS


def test_parser_defects_are_recorded_as_strings(clean: Clean) -> None:
    broken = (
        b"From: a@x.com\r\nContent-Type: multipart/mixed\r\n\r\n"  # multipart without a boundary
        b"Just text.\r\n"
    )

    result = clean(broken)

    assert any("NoBoundaryInMultipartDefect" in defect for defect in result.defects)
    assert result.text == "Just text."


def test_mime_nested_too_deep_for_the_parser_is_kept_unparsed(clean: Clean) -> None:
    nested = b"From: a@x.com\r\nMIME-Version: 1.0\r\n"
    for level in range(2000):
        nested += b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (level, level)

    result = clean(nested + b"Content-Type: text/plain\r\n\r\nhi\r\n")

    assert result.truncated
    assert result.defects[0].startswith("RecursionError")
    assert result.from_email == "a@x.com"


@settings(max_examples=150, deadline=None, suppress_health_check=[STATELESS_FIXTURE])
@given(st.binary(max_size=3000))
def test_any_bytes_normalise_without_raising(clean: Clean, data: bytes) -> None:
    assert isinstance(clean(data), CleanEmail)


@settings(max_examples=100, deadline=None, suppress_health_check=[STATELESS_FIXTURE])
@given(st.text(max_size=400))
def test_any_header_text_normalises_without_raising(clean: Clean, value: str) -> None:
    raw = (
        f"From: {value}\r\nTo: {value}\r\nDate: {value}\r\nSubject: {value}\r\n"
        f"Content-Type: {value}\r\n\r\nbody"
    ).encode("utf-8", errors="surrogateescape")

    assert isinstance(clean(raw), CleanEmail)


# ---------------------------------------------------------------- split_body

QUOTE_CASES = [
    ("> quoted line", "gt"),
    ("On Mon, Jan 5, 2026 at 10:00 AM Jane Doe <jane@x.com> wrote:\n> hi", "gmail"),
    ("On Mon, Jan 5, 2026 at 10:00 AM Jane Doe <\njane@x.com> wrote:\n> hi", "gmail-wrapped"),
    ("-----Original Message-----\nFrom: Jane\nSent: Monday", "original-message"),
    (
        "From: Jane Doe <jane@x.com>\nSent: Monday, January 5, 2026 10:00\nTo: Bob\nSubject: Hi",
        "outlook",
    ),
    ("________________________________\nFrom: Jane\nSent: Monday\n\nHi", "outlook-rule"),
    ("Am 05.01.2026 um 10:00 schrieb Jane Doe <jane@x.com>:\n> hallo", "german"),
    ("Le lun. 5 janv. 2026 à 10:00, Jane Doe <jane@x.com> a écrit :\n> salut", "french"),
    ("El lun, 5 ene 2026 a las 10:00, Jane Doe (<jane@x.com>) escribió:\n> hola", "spanish"),
    ("Von: Jane Doe\nGesendet: Montag, 5. Januar 2026\nAn: Bob", "outlook-german"),
]


@pytest.mark.parametrize(("history", "case"), QUOTE_CASES, ids=[case for _, case in QUOTE_CASES])
def test_quoted_history_is_cut_from_the_newest_message(history: str, case: str) -> None:
    parts = split_body(f"Sounds good, see you then.\n\n{history}")

    assert parts.text == "Sounds good, see you then."
    assert parts.quoted is not None and parts.quoted.startswith(history.split("\n")[0])


SIGNATURE_CASES = [
    "-- \nJane Doe\nAcme Inc.",
    "Best,\nJane",
    "Thanks,\nJane Doe\nCTO, Acme",
    "Regards,\nJane",
    "Best regards,\n\nJane Doe",
    "Cheers,\nJ.",
    "Mit freundlichen Grüßen\n\nJürgen Weiß",
    "Bien cordialement,\nCamille",
    "Cordialement\nCamille",
    "Saludos,\nLucía",
    "Un saludo,\nLucía",
    "Sent from my iPhone",
    "Beste Grüße / Best regards,\nLena",
]


@pytest.mark.parametrize("signature", SIGNATURE_CASES)
def test_the_signature_is_split_from_the_text(signature: str) -> None:
    parts = split_body(f"Hi team,\n\nCan we talk tomorrow?\n\n{signature}")

    assert parts.text == "Hi team,\n\nCan we talk tomorrow?"
    assert parts.signature == signature.replace("-- \n", "--\n")


def test_a_signature_without_sign_off_starts_at_the_senders_name() -> None:
    body = "Our forecast shows zero since this morning.\n\nDana Whitfield\nVP Finance, Initech"

    parts = split_body(body, sender_name="Dana Whitfield")

    assert parts.text == "Our forecast shows zero since this morning."
    assert parts.signature == "Dana Whitfield\nVP Finance, Initech"


def test_thanks_inside_a_long_message_is_not_a_signature() -> None:
    body = "Thanks,\n" + "\n".join(f"Line {n} of a long message." for n in range(20))

    assert split_body(body).signature is None


def test_a_line_starting_with_on_is_not_an_attribution() -> None:
    body = "On your remote host you can run:\n\n    telnet 127.0.0.1 52698"

    assert split_body(body).quoted is None


@pytest.mark.parametrize(
    "footer",
    [
        "This email and any attachments are confidential and intended solely for the addressee.",
        "CONFIDENTIALITY NOTICE: The contents of this email message are privileged.",
        "Diese E-Mail enthält vertrauliche Informationen.",
        "Ce message et toutes les pièces jointes sont confidentiels.",
        "Este mensaje es confidencial y está dirigido exclusivamente a su destinatario.",
        "You are receiving this because you subscribed to our newsletter.",
    ],
)
def test_legal_and_list_footers_are_split_off(footer: str) -> None:
    parts = split_body(f"Please send the contract.\n\nBest,\nJane\n\n{footer}")

    assert parts.text == "Please send the contract."
    assert parts.signature == "Best,\nJane"
    assert parts.footer == footer


def test_an_empty_body_splits_into_empty_text() -> None:
    assert split_body("") == split_body("\n\n")
    assert split_body("").text == ""


# ---------------------------------------------------------------- forwards


def test_a_gmail_forward_recovers_the_original(message: Message, clean: Clean) -> None:
    body = (
        "FYI, a warm lead.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Hannah Brooks <hannah@kettleandcrumb.com.au>\n"
        "Date: Thu, 22 Jan 2026 at 10:12\n"
        "Subject: Churn analytics\n"
        "To: Tom <tom@lumora.io>\n\n"
        "Hi Tom,\n\nCould someone show us Churn Sentinel?\n\nCheers,\nHannah\n"
    )

    forwarded = clean(message(body, subject="Fwd: Churn analytics")).forwarded

    assert forwarded is not None
    assert (forwarded.from_name, forwarded.from_email) == (
        "Hannah Brooks",
        "hannah@kettleandcrumb.com.au",
    )
    assert (forwarded.date, forwarded.subject) == ("Thu, 22 Jan 2026 at 10:12", "Churn analytics")
    assert forwarded.text.startswith("Hi Tom,\n\nCould someone show us Churn Sentinel?")


def test_an_outlook_forward_is_found_from_the_subject(message: Message, clean: Clean) -> None:
    body = (
        "See below.\n\n"
        "From: Jane Doe [mailto:jane@acme.com]\n"
        "Sent: Monday, January 5, 2026 10:00 AM\n"
        "To: Bob\n"
        "Subject: Pricing\n\n"
        "What does Revenue Radar cost?\n"
    )

    forwarded = clean(message(body, subject="FW: Pricing")).forwarded

    assert forwarded is not None
    assert (forwarded.from_name, forwarded.from_email, forwarded.subject) == (
        "Jane Doe",
        "jane@acme.com",
        "Pricing",
    )
    assert forwarded.text == "What does Revenue Radar cost?"


def test_an_apple_mail_forward_is_recovered(message: Message, clean: Clean) -> None:
    body = (
        "Begin forwarded message:\n\n"
        "From: Jane Doe <jane@acme.com>\n"
        "Subject: Demo\n"
        "Date: 5 January 2026 at 10:00:00 GMT\n\n"
        "Can we get a demo?\n"
    )

    forwarded = clean(message(body, subject="Fwd: Demo")).forwarded

    assert forwarded is not None and forwarded.from_email == "jane@acme.com"


def test_a_forward_as_attachment_is_recovered(message: Message, clean: Clean) -> None:
    original = message("Can we get a demo?", subject="Demo", sender="Jane Doe <jane@acme.com>")
    outer = message("See attached.", subject="Fwd: Demo", sender="tom@lumora.io")
    outer.add_attachment(original)

    forwarded = clean(outer).forwarded

    assert forwarded is not None
    assert (forwarded.from_email, forwarded.subject, forwarded.text) == (
        "jane@acme.com",
        "Demo",
        "Can we get a demo?",
    )


def test_a_plain_reply_has_no_forward(message: Message, clean: Clean) -> None:
    body = "Sure.\n\nOn Mon, Jan 5, 2026 at 10:00 AM Jane <jane@x.com> wrote:\n> Demo?"

    assert clean(message(body, subject="Re: Demo")).forwarded is None


# ---------------------------------------------------------------- extractor input


def test_extractor_input_is_bounded_and_keeps_a_taste_of_the_thread(
    message: Message, clean: Clean
) -> None:
    body = (
        "Q" * 3000
        + "\n\nOn Mon, Jan 5, 2026 at 10:00 AM Jane <jane@x.com> wrote:\n"
        + "> "
        + "Z" * 1000
    )

    text = extractor_input(clean(message(body, subject="Demo request")))

    assert text.startswith("Subject: Demo request\nFrom: Jane Doe <jane.doe@acme-robotics.com>")
    assert text.count("Q") == 1500
    assert 0 < text.count("Z") <= 300
