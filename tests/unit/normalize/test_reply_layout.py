"""Where the reply sits around the quote, bare HTML bodies, forwards, and signatures
without a sign-off. Every example is written for this file.
"""

from __future__ import annotations

from triage.domain.normalize import split_body

HEADER = "On Thu, 12 Mar 2026 at 10:05, Olek Wozniak <olek@biuro.example> wrote:"


def test_a_bottom_posted_reply_is_the_visible_text() -> None:
    parts = split_body(f"{HEADER}\n> Can you do Tuesday?\n> Olek\n\nTuesday is fine, 14:00.")

    assert parts.text == "Tuesday is fine, 14:00."
    assert parts.quoted == f"{HEADER}\n> Can you do Tuesday?\n> Olek"


def test_answers_between_quotes_are_all_visible() -> None:
    body = (
        f"{HEADER}\n> How many seats?\n\n40 to start.\n\n> Which plan?\n\n"
        "The annual one.\n\nThanks,\nMarta"
    )

    parts = split_body(body)

    assert parts.text == "40 to start.\n\nThe annual one."
    assert parts.signature == "Thanks,\nMarta"
    assert [line for line in parts.quoted.splitlines() if line] == [
        HEADER, "> How many seats?", "> Which plan?"
    ]


def test_a_sign_off_after_the_quote_is_the_signature_not_history() -> None:
    parts = split_body(f"Yes, send it.\n\n{HEADER}\n> Shall I send the offer?\n\nRegards,\nMarta")

    assert (parts.text, parts.signature) == ("Yes, send it.", "Regards,\nMarta")
    assert "Regards" not in parts.quoted


def test_a_line_right_under_a_quote_is_the_quote_wrapped() -> None:
    parts = split_body(f"Agreed.\n\n{HEADER}\n> The offer is valid until the end\nof March.")

    assert parts.text == "Agreed."
    assert parts.quoted.endswith("of March.")


def test_a_header_over_unquoted_text_makes_the_rest_history() -> None:
    body = "Agreed.\n\nFrom: Olek <olek@biuro.example>\nSent: Thursday\nSubject: Offer\n\nOld text.\n\nMore old text."

    parts = split_body(body)

    assert parts.text == "Agreed."
    assert parts.quoted.endswith("More old text.")


def test_a_mail_that_is_only_a_quote_keeps_the_quote_as_text() -> None:
    parts = split_body("> Please call me back about the renewal.\n> Olek")

    assert parts.text == "Please call me back about the renewal.\nOlek"
    assert parts.quoted is None


def test_a_forward_with_a_note_keeps_the_original_as_history() -> None:
    body = "Can you quote them?\n\n---------- Forwarded message ---------\nFrom: Olek\nSubject: Seats\n\nWe need 40."

    parts = split_body(body)

    assert (parts.text, parts.quoted.splitlines()[-1]) == ("Can you quote them?", "We need 40.")


def test_a_forward_without_a_note_is_content_not_history() -> None:
    body = (
        "---------- Forwarded message ---------\n"
        "From: Olek Wozniak <olek@biuro.example>\nDate: Thu, 12 Mar 2026\nSubject: Seats\n\n"
        "We need 40 seats from April.\n\nOn Wed, 11 Mar 2026, Marta <marta@us.example> wrote:\n> Hello"
    )

    parts = split_body(body)

    assert parts.text.endswith("We need 40 seats from April.")
    assert parts.quoted.startswith("On Wed, 11 Mar 2026")


def test_a_closing_never_swallows_the_header_and_quote_below_it() -> None:
    parts = split_body(f"Works for me.\n\nCheers,\nMarta\n\n{HEADER}\n> Tuesday?")

    assert parts.signature == "Cheers,\nMarta"
    assert parts.quoted.startswith(HEADER)


GMAIL_HTML = (
    '<div dir="ltr">Tuesday works, see you then.</div><br><div class="gmail_quote">'
    '<div class="gmail_attr">On Thu, 12 Mar 2026 Olek &lt;olek@biuro.example&gt; wrote:</div>'
    "<blockquote>Can you do Tuesday?</blockquote></div>"
)
OUTLOOK_HTML = (
    "<html><body><p>Tuesday works.</p>"
    '<div id="divRplyFwdMsg"><b>Od:</b> Olek<br><b>Wysłano:</b> 12 marca 2026</div>'
    "<div>Can you do Tuesday?</div></body></html>"
)
OUTLOOK_DESKTOP_HTML = (
    "<html><body><div><p>Tuesday works.</p>"
    '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
    "<p><b>From:</b> Olek</p></div><p>Can you do Tuesday?</p></div></body></html>"
)
WINDOWS_MAIL_HTML = (
    "<html><body><div>Tuesday works.</div><div style='padding-top: 5px; border-top-color: "
    "rgb(229, 229, 229); border-top-width: 1px; border-top-style: solid;'><font><b>Von:</b> "
    "Olek</font></div><div>Can you do Tuesday?</div></body></html>"
)
NEWSLETTER_HTML = (
    "<html><body><div>Spring prices</div>"
    "<div style='border-top: 1px solid #ccc; padding-top: 4px'>All plans 10% off.</div>"
    "</body></html>"
)


def test_a_bare_gmail_html_body_is_cut_on_its_quote_element() -> None:
    parts = split_body(GMAIL_HTML)

    assert parts.text == "Tuesday works, see you then."
    assert "Can you do Tuesday?" in parts.quoted


def test_outlooks_reply_divider_starts_the_history() -> None:
    for html in (OUTLOOK_HTML, OUTLOOK_DESKTOP_HTML, WINDOWS_MAIL_HTML):
        parts = split_body(html)

        assert parts.text == "Tuesday works."
        assert "Can you do Tuesday?" in parts.quoted


def test_a_ruled_block_that_is_not_a_header_stays_visible() -> None:
    assert split_body(NEWSLETTER_HTML).text == "Spring prices\nAll plans 10% off."


def test_a_contact_block_at_the_end_is_the_signature() -> None:
    body = "Please send the contract to legal.\n\nMarta Nowak\nHead of Purchasing\n+48 22 123 45 67"

    parts = split_body(body)

    assert parts.text == "Please send the contract to legal."
    assert parts.signature.startswith("Marta Nowak")


def test_a_name_alone_on_the_last_line_is_the_signature() -> None:
    parts = split_body("Please send the contract to legal.\n\nMarta Nowak")

    assert (parts.text, parts.signature) == ("Please send the contract to legal.", "Marta Nowak")


def test_a_last_paragraph_of_prose_is_not_a_signature() -> None:
    body = "Please send the contract.\n\nCall me at 555 0199 tomorrow if anything is unclear."
    assert split_body(body).signature is None
