"""Newest text, quoted history, signature and footer, in the seven languages we read."""

from __future__ import annotations

import pytest

from triage.domain.normalize import split_body

NEWEST = "Could you send the pricing for 40 seats?"

ATTRIBUTIONS = {
    "en": "On Mon, 12 Jan 2026 at 09:30, Jane Doe <jane@acme.com> wrote:",
    "de": "Am Mo., 12. Jan. 2026 um 09:30 Uhr schrieb Jane Doe <jane@acme.com>:",
    "fr": "Le lun. 12 janv. 2026 à 09:30, Jane Doe <jane@acme.com> a écrit :",
    "es": "El lun, 12 ene 2026 a las 09:30, Jane Doe (<jane@acme.com>) escribió:",
    "pt": "Em seg., 12 de jan. de 2026 às 09:30, Jane Doe <jane@acme.com> escreveu:",
    "nl": "Op ma 12 jan. 2026 om 09:30 schreef Jane Doe <jane@acme.com>:",
    "it": "Il giorno lun 12 gen 2026 alle ore 09:30 Jane Doe <jane@acme.com> ha scritto:",
}
OUTLOOK_BLOCKS = {
    "en": "From: Jane Doe <jane@acme.com>\nSent: Monday, January 12, 2026 9:30 AM\nTo: Sales",
    "de": "Von: Jane Doe <jane@acme.com>\nGesendet: Montag, 12. Januar 2026 09:30\nAn: Sales",
    "fr": "De : Jane Doe <jane@acme.com>\nEnvoyé : lundi 12 janvier 2026 09:30\nÀ : Sales",
    "es": "De: Jane Doe <jane@acme.com>\nEnviado: lunes, 12 de enero de 2026 9:30\nPara: Sales",
    "pt": "De: Jane Doe <jane@acme.com>\nEnviada em: segunda-feira\nAssunto: Preços",
    "nl": "Van: Jane Doe <jane@acme.com>\nVerzonden: maandag 12 januari 2026 09:30\nAan: Sales",
    "it": "Da: Jane Doe <jane@acme.com>\nInviato: lunedì 12 gennaio 2026 09:30\nA: Sales",
}
SEPARATORS = {
    "en": "-----Original Message-----",
    "de": "-----Ursprüngliche Nachricht-----",
    "fr": "-----Message d'origine-----",
    "es": "-----Mensaje original-----",
    "pt": "-----Mensagem original-----",
    "nl": "-----Oorspronkelijk bericht-----",
    "it": "-----Messaggio originale-----",
}
SIGN_OFFS = {
    "en": "Best regards,", "de": "Mit freundlichen Grüßen", "fr": "Cordialement,",
    "es": "Saludos cordiales,", "pt": "Atenciosamente,", "nl": "Met vriendelijke groet,",
    "it": "Cordiali saluti,",
}  # fmt: skip
DEVICE_LINES = {
    "en": "Sent from my iPhone", "de": "Von meinem iPhone gesendet",
    "fr": "Envoyé de mon iPhone", "es": "Enviado desde mi iPhone",
    "pt": "Enviado do meu iPhone", "nl": "Verzonden vanaf mijn iPhone", "it": "Inviato da iPhone",
}  # fmt: skip
HISTORY = "Here is our offer.\nJane"


@pytest.mark.parametrize("language", sorted(ATTRIBUTIONS))
def test_reply_attributions_start_the_history(language: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{ATTRIBUTIONS[language]}\n> {HISTORY}")

    assert (parts.text, parts.quoted.splitlines()[0]) == (NEWEST, ATTRIBUTIONS[language])


@pytest.mark.parametrize("language", sorted(OUTLOOK_BLOCKS))
def test_outlook_header_blocks_start_the_history(language: str) -> None:
    parts = split_body(
        f"{NEWEST}\n\n________________________________\n{OUTLOOK_BLOCKS[language]}\n\n{HISTORY}"
    )

    assert parts.text == NEWEST
    assert HISTORY in parts.quoted


@pytest.mark.parametrize("language", sorted(SEPARATORS))
def test_original_message_separators_start_the_history(language: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{SEPARATORS[language]}\n{HISTORY}")

    assert parts.text == NEWEST
    assert parts.quoted.startswith(SEPARATORS[language])


@pytest.mark.parametrize("language", sorted(SIGN_OFFS))
def test_sign_offs_start_the_signature(language: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{SIGN_OFFS[language]}\nJane Doe\nACME Robotics")

    assert (parts.text, parts.signature) == (
        NEWEST,
        f"{SIGN_OFFS[language]}\nJane Doe\nACME Robotics",
    )


@pytest.mark.parametrize("language", sorted(DEVICE_LINES))
def test_device_lines_are_signatures(language: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{DEVICE_LINES[language]}")

    assert (parts.text, parts.signature) == (NEWEST, DEVICE_LINES[language])


@pytest.mark.parametrize(
    "footer",
    [
        "Dit bericht is vertrouwelijk en uitsluitend bestemd voor de geadresseerde.",
        "Questo messaggio e i suoi allegati sono riservati.",
        "Esta mensagem é confidencial e destinada apenas ao destinatário.",
        "Ce message et ses pièces jointes sont confidentiels.",
    ],
)
def test_legal_footers_in_other_languages_are_split_off(footer: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{footer}")

    assert (parts.text, parts.footer) == (NEWEST, footer)


@pytest.mark.parametrize(
    "footer",
    [
        "Sie erhalten diesen Newsletter, weil Sie sich angemeldet haben. Abmelden: https://x.de/a",
        "Vous recevez cette newsletter car vous êtes inscrit.",
        "Recibes este correo porque te suscribiste a nuestro boletín.",
        "Ricevi questa email perché sei iscritto alla newsletter.",
        "Você está recebendo este e-mail porque se cadastrou.",
        "U ontvangt deze nieuwsbrief omdat u zich heeft aangemeld.",
        "Du får detta nyhetsbrev eftersom du har prenumererat.",
        "Otrzymujesz tę wiadomość, ponieważ zapisałeś się do newslettera.",
    ],
)
def test_a_mailing_lists_you_are_receiving_this_line_starts_the_footer_in_other_languages(
    footer: str,
) -> None:
    # Below a bare "--" the opt-out was read as the signature, so the intent vote never saw
    # "Newsletter" or "Abmelden" and a publisher's briefing went to the vendor queue.
    parts = split_body(f"{NEWEST}\n\n--\n{footer}\n\nImpressum: Handel Digital Medien GmbH")

    assert parts.footer == f"{footer}\n\nImpressum: Handel Digital Medien GmbH"
    assert parts.signature == "--"


def test_a_bottom_posters_signature_below_the_quotes_is_not_history() -> None:
    body = f"On Mon, Jane <j@x.com> wrote:\n> old\n\n{NEWEST}\n\n> older\n\n--\nTim, ACME"

    parts = split_body(body)

    assert parts.signature == "--\nTim, ACME"
    assert "Tim, ACME" not in parts.quoted


def test_a_senders_one_line_opt_out_is_prose_and_the_signature_below_it_is_found() -> None:
    # A vendor's "Not the right person?" once started the footer, which swallowed the
    # signature (phone, legal form, website) and left the intent model reading "no signature".
    body = (
        f"{NEWEST}\n\nNot the right person? Let me know who is.\n\nBest regards,\nSiobhan Doherty\n"
        "Lumen Facility Services DAC\n\nCONFIDENTIALITY NOTICE: This e-mail is intended solely for the addressee."
    )

    parts = split_body(body)

    assert parts.text == f"{NEWEST}\n\nNot the right person? Let me know who is."
    assert parts.signature == "Best regards,\nSiobhan Doherty\nLumen Facility Services DAC"
    assert parts.footer is not None and parts.footer.startswith("CONFIDENTIALITY NOTICE")
