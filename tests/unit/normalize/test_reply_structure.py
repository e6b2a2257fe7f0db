"""HTML bodies cut on their structure, list footers, Nordic and Polish sign-offs, name lines,
and a mail with nothing written above its header. Every example is written for this file.
"""

from __future__ import annotations

import pytest

from triage.domain.normalize import split_body

NEWEST = "Tuesday works."
OLD = "Can you do Tuesday?"

# ---------------------------------------------------------------- HTML structure


def test_a_cited_blockquote_is_history_and_the_answer_below_it_is_the_text() -> None:
    html = (
        "<html><body><div>On Thu, 12 Mar 2026, Olek &lt;olek@biuro.example&gt; wrote:</div>"
        f"<blockquote type='cite'><div>{OLD}</div></blockquote><div>{NEWEST}</div></body></html>"
    )

    parts = split_body(html)

    assert parts.text == NEWEST
    assert parts.quoted.endswith(f"> {OLD}")


def test_a_hotmail_body_with_an_xml_prolog_is_html_and_cut_on_its_divider() -> None:
    html = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<html><head><style>p {margin:0}</style></head>'
        f"<body class='hmmessage'><div>{NEWEST}</div><hr id='stopSpelling'>"
        f"Date: Thu, 12 Mar 2026<br>From: olek@biuro.example<br>{OLD}</body></html>"
    )

    parts = split_body(html)

    assert parts.text == NEWEST
    assert OLD in parts.quoted and "<" not in parts.quoted


# A plain <hr> (AOL, Comcast, Outlook pasted into a div) over the sender's field, in the
# seven languages and the neighbours the rule names.
RULED_SENDERS = {
    "en": "From:", "de": "Von:", "fr": "De :", "es": "De:", "pt": "De:", "nl": "Van:", "it": "Da:",
    "da/no": "Fra:", "sv": "Från:", "pl": "Od:", "ru": "От:", "uk": "Від:",
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(RULED_SENDERS))
def test_a_rule_over_a_sender_field_starts_the_history(language: str) -> None:
    html = (
        f"<html><body><div>{NEWEST}</div><div><hr></div>"
        f"<div><b>{RULED_SENDERS[language]}</b> Olek &lt;olek@biuro.example&gt;</div>"
        f"<div>{OLD}</div></body></html>"
    )

    parts = split_body(html)

    assert parts.text == NEWEST
    assert OLD in parts.quoted


def test_a_rule_over_ordinary_text_stays_visible() -> None:
    html = f"<html><body><div>{NEWEST}</div><hr><div>Prices from April.</div></body></html>"

    assert split_body(html).text == f"{NEWEST}\n\nPrices from April."


HEADER_TABLES = {
    "en": ("From:", "Sent:", "Subject:"), "de": ("Von:", "Gesendet:", "Betreff:"),
    "fr": ("De :", "Envoyé :", "Objet :"), "es": ("De:", "Enviado:", "Asunto:"),
    "pt": ("De:", "Enviada em:", "Assunto:"), "nl": ("Van:", "Verzonden:", "Onderwerp:"),
    "it": ("Da:", "Inviato:", "Oggetto:"), "da": ("Fra:", "Sendt:", "Emne:"),
    "sv": ("Från:", "Skickat:", "Ämne:"), "pl": ("Od:", "Wysłano:", "Temat:"),
    "ru": ("От:", "Отправлено:", "Тема:"),
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(HEADER_TABLES))
def test_outlooks_header_table_starts_the_history(language: str) -> None:
    sender, sent, subject = HEADER_TABLES[language]
    rows = "".join(
        f"<tr><td><b>{label}</b></td><td>{value}</td></tr>"
        for label, value in ((sender, "Olek"), (sent, "12.03.2026 10:05"), (subject, "Demo"))
    )
    html = f"<html><body><p>{NEWEST}</p><table>{rows}</table><p>{OLD}</p></body></html>"

    parts = split_body(html)

    assert parts.text == NEWEST
    # Everything from the table on is one level quoted: cut on the element, not on its text.
    assert parts.quoted.startswith(f"> {sender}")
    assert f"> {OLD}" in parts.quoted


def test_a_table_with_one_from_cell_is_content() -> None:
    html = "<html><body><p>Our routes:</p><table><tr><td>From: Gdańsk</td><td>Łódź</td></tr></table></body></html>"

    parts = split_body(html)

    assert "Gdańsk" in parts.text and parts.quoted is None


def test_thousands_of_rules_and_ruled_blocks_still_convert() -> None:
    # The look after a rule is bounded: a deep text of everything below each rule would not be.
    html = "<html><body>" + "<hr><div style='border-top:solid 1px'>" * 1500 + "x" * 10_000 + "</body></html>"

    assert split_body(html).text.endswith("x")


# ---------------------------------------------------------------- list footers

LIST_FOOTERS = {
    "en": "_______________________________________________\nriak-users mailing list\nriak-users@lists.example",
    "de": "----------------------------------------\nMailingliste der Nutzer\nhttps://lists.example/mailman/listinfo/nutzer",
    "fr": "==========\nliste de diffusion utilisateurs\nutilisateurs@lists.example",
    "nl": "_______________________________________________\nriak-gebruikers mailinglijst\nriak@lists.example",
    "listinfo": "_______________________________________________\nhttp://lists.example/cgi-bin/listinfo/dev",
}


@pytest.mark.parametrize("kind", sorted(LIST_FOOTERS))
def test_a_mailing_list_footer_under_a_rule_is_the_footer(kind: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{LIST_FOOTERS[kind]}")

    assert parts.text == NEWEST
    assert parts.footer == LIST_FOOTERS[kind]


def test_a_rule_over_prose_is_not_a_list_footer() -> None:
    body = f"{NEWEST}\n\n______________________________\nThe agenda is attached."

    assert split_body(body).footer is None


# ---------------------------------------------------------------- sign-offs and name lines

CLOSINGS = {
    "da": "Med venlig hilsen\nAnders Holm", "da, short": "Mvh\nPeter", "da, kh": "Kh\nPeter",
    "da/no, hilsen": "Hilsen\nSøren", "no": "Med vennlig hilsen\nKari Lie",
    "sv": "Med vänlig hälsning\nSven Berg", "sv, plural": "Vänliga hälsningar\nSven",
    "pl": "Pozdrawiam,\nPiotr Nowak", "pl, formal": "Z poważaniem\nPiotr Nowak",
    "pl, ascii": "Z powazaniem,\nPiotr",
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(CLOSINGS))
def test_nordic_and_polish_sign_offs_start_the_signature(language: str) -> None:
    parts = split_body(f"Dziękuję, wtorek pasuje.\n\n{CLOSINGS[language]}")

    assert (parts.text, parts.signature) == ("Dziękuję, wtorek pasuje.", CLOSINGS[language])


@pytest.mark.parametrize("name", ["-Maarten de Jong", "—Ana da Silva", "-Łukasz", "/Sven", "/Sven Berg"])
def test_name_lines_with_particles_accents_or_a_slash_are_the_signature(name: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{name}")

    assert (parts.text, parts.signature) == (NEWEST, name)


@pytest.mark.parametrize(
    "line",
    [
        "- Anbindung von SAP",  # a German list item: nouns are capitalised
        "- Prognosen auf Ebene von Maschinentypen und Ländern",
        "- Maya at Tidewater",  # a newsletter's byline over its footer
    ],
)
def test_list_items_and_bylines_are_not_name_lines(line: str) -> None:
    body = f"Was uns interessiert:\n\n- Hosting in der EU\n{line}"

    assert split_body(body).text == body


def test_a_path_higher_up_is_not_a_slash_name() -> None:
    body = "The installer is in\n/Applications\nand the licence key is in the mail.\nTell me if it works.\nThanks"

    parts = split_body(body)

    assert parts.text.startswith(body.rsplit("\n", 1)[0])


# ---------------------------------------------------------------- nothing above the header

FIRST_MESSAGES = {
    "en block": "From: Olek <olek@biuro.example>\nSent: Thursday, March 12, 2026 10:05\nTo: Sales\nSubject: Demo",
    "da block": "Fra: Lars Holm <lars@firma.example>\nSendt: 12. marts 2026 10:05\nTil: Salg\nEmne: Demo",
    "de separator": "-----Ursprüngliche Nachricht-----\nVon: Jana Vogel\nGesendet: Donnerstag\nBetreff: Demo",
    "en attribution": "On Thu, 12 Mar 2026 at 10:05, Olek <olek@biuro.example> wrote:",
}


@pytest.mark.parametrize("kind", sorted(FIRST_MESSAGES))
def test_with_nothing_above_the_header_the_message_under_it_is_the_text(kind: str) -> None:
    header = FIRST_MESSAGES[kind]
    body = f"\n{header}\n\n{OLD}\n\nOn Wed, 11 Mar 2026, Marta <marta@us.example> wrote:\n> Hello"

    parts = split_body(body)

    assert parts.text == OLD
    assert parts.quoted.startswith(header.splitlines()[0])
    assert parts.quoted.endswith("> Hello")


def test_a_header_over_a_quote_and_nothing_else_keeps_the_quote_as_text() -> None:
    body = (
        "On Thu, 12 Mar 2026 at 10:05, Olek <olek@biuro.example> wrote:\n"
        f"> {OLD}\n>\n> On Wed, 11 Mar 2026, Marta <marta@us.example> wrote:\n>> Hello"
    )

    parts = split_body(body)

    assert parts.text == OLD
    assert parts.quoted.splitlines()[0].startswith("On Thu, 12 Mar 2026")
    assert parts.quoted.endswith(">> Hello")


def test_a_header_inside_a_quoted_line_is_not_split_out_as_reply_text() -> None:
    body = f"{NEWEST}\n\n> Fine. On Wed, 11 Mar 2026, Marta <marta@us.example> wrote:\n>> Hello"

    parts = split_body(body)

    assert parts.text == NEWEST
    assert parts.quoted.startswith("> Fine. On Wed")


# ---------------------------------------------------------------- a header across a blank line


def test_a_dated_header_whose_address_wraps_over_a_blank_line_starts_the_history() -> None:
    # Polymail's shape: the name, a blank line, "<", the address, then "> wrote:".
    header = "On Thu, Mar 12, 2026 at 10:05 AM Olek Wozniak\n\n<\nmailto:olek@biuro.example\n> wrote:"
    parts = split_body(f"{NEWEST}\n\n{header}\n{OLD}")

    assert parts.text == NEWEST
    assert parts.quoted.startswith("On Thu, Mar 12, 2026") and parts.quoted.endswith(OLD)


@pytest.mark.parametrize(
    "prose",
    [
        "On 12 March 2026 the prices change.\n\nOlek <olek@biuro.example> wrote:",
        "On Monday 12 March 2026 at 10:00 we meet\n\nOlek wrote:",
        "On 12 March 2026 the prices change.\n\n<olek@biuro.example> wrote:",
    ],
)
def test_a_dated_sentence_is_not_joined_over_a_blank_line_with_the_header_below(prose: str) -> None:
    parts = split_body(f"Hi,\n\n{prose}\n> {OLD}")

    assert parts.text == "Hi,\n\n" + prose.split("\n\n")[0]
