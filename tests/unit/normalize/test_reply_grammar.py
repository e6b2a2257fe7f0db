"""Reply headers, separators, header blocks and signatures beyond the seven languages.

Every example here is written for this file (invented people at invented
companies); the rules are a grammar, so each class gets a few shapes, not a
list of literal sentences.
"""

from __future__ import annotations

import pytest

from triage.domain.normalize import split_body
from triage.domain.normalize.quotes import is_reply_header

NEWEST = "Can we move the demo to Thursday afternoon?"
HISTORY = "> Tuesday 14:00 works for us.\n> Olek"

HEADERS = {
    "ru": "12 марта 2026 г., в 10:05 пользователь Олег Петров <oleg@zavod.example> написал:",
    "uk": "чт, 12 бер. 2026 о 10:05 Оксана Коваль <oksana@firma.example> пише:",
    "pl": "W dniu 12.03.2026 o 10:05, Piotr Nowak <piotr@biuro.example> napisał(a):",
    "sv": "Den 12 mars 2026 kl. 10:05 skrev Sven Berg <sven@bolag.example>:",
    "no": "På tor. 12. mar. 2026 kl. 10:05 skrev Kari Lie <kari@firma.example>:",
    "nl": "Op 12 mrt. 2026 om 10:05 heeft Daan Jansen <daan@bedrijf.example> het volgende geschreven:",
    "vi": "Vào Th 5, 12 thg 3, 2026 lúc 10:05 Minh Tran <minh@congty.example> đã viết:",
    "fi": "to 12.3.2026 klo 10.05 Aino Virtanen <aino@yhtio.example> kirjoitti:",
    "date first": "2026-03-12 10:05 GMT+02:00 Olek Wozniak <olek@biuro.example>:",
    "date first, quoted name": '12.03.2026, 10:05, "Olek - Biuro" <olek@biuro.example>:',
    "name and address": "Olek Wozniak <olek@biuro.example> wrote:",
    "on … sent": "On Thursday, March 12, 2026 10:05 AM, Olek Wozniak sent:",
    "colon lost": "On Thu, 12 Mar 2026 10:05 +0200 Olek <olek@biuro.example> wrote",
    "dashes": "---- On Thu, 12 Mar 2026 10:05:00 +0200 olek@biuro.example wrote ----",
}


@pytest.mark.parametrize("kind", sorted(HEADERS))
def test_reply_headers_by_grammar_start_the_history(kind: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{HEADERS[kind]}\n\n{HISTORY}")

    assert parts.text == NEWEST
    assert parts.quoted.splitlines()[0] == HEADERS[kind]


WRAPPED = {
    "de, two lines": "Am Do., 12. März 2026 um 10:05 Uhr schrieb Jana Vogel <\njana@werk.example>:",
    "fr, three lines": "Le jeu. 12 mars 2026 à 10:05,\nClaire Martin\n<claire@societe.example> a écrit :",
    "pt, name in brackets": "Em 12 de março de 2026 às 10:05, Rui Costa (\nrui@empresa.example) escreveu:",
    "no, bracket alone": "tor. 12. mar. 2026 kl. 10:05 skrev Kari Lie <kari@firma.example\n>:",
}


@pytest.mark.parametrize("kind", sorted(WRAPPED))
def test_headers_wrapped_over_lines_start_the_history(kind: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{WRAPPED[kind]}\n\n{HISTORY}")

    assert parts.text == NEWEST
    assert parts.quoted.startswith(WRAPPED[kind].splitlines()[0])


@pytest.mark.parametrize(
    "prose",
    [
        "I wrote to them on 12 March and they said:",
        "On Thursday I wrote the summary, see below:",
        "My colleague Jana wrote the proposal on 12.03.2026 and sent it to the board",
        "Here is what the contract says about the 2026 prices:",
    ],
)
def test_prose_with_dates_and_writing_verbs_is_not_a_header(prose: str) -> None:
    assert not is_reply_header(prose)
    assert split_body(f"Hi Jana,\n\n{prose}\n\nthe numbers are fine.").quoted is None


def test_a_header_on_the_same_line_as_the_reply_is_cut_there() -> None:
    body = f"{NEWEST} On Thu, 12 Mar 2026 at 10:05, Olek <olek@biuro.example> wrote:\n{HISTORY}"

    parts = split_body(body)

    assert parts.text == NEWEST
    assert parts.quoted.startswith("On Thu, 12 Mar 2026")


BLOCKS = {
    "da": "Fra: Lars Holm <lars@firma.example>\nSendt: 12. marts 2026 10:05\nTil: Salg\nEmne: Demo",
    "sv": "Från: Sven Berg <sven@bolag.example>\nSkickat: den 12 mars 2026 10:05\nTill: Sälj",
    "pl": "Od: Piotr Nowak <piotr@biuro.example>\nWysłano: czwartek, 12 marca 2026 10:05\nDo: Sprzedaż",
    "date first": "Date: Thu, 12 Mar 2026 10:05:00 +0200\nFrom: Olek <olek@biuro.example>\nSubject: Demo",
    "wrapped sender": "From: Human Resources Department\n<hr-notifications@biuro.example>\nSent: Thursday, March 12, 2026 10:05 AM\nSubject: Demo",
}


@pytest.mark.parametrize("kind", sorted(BLOCKS))
def test_header_block_variants_start_the_history(kind: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{BLOCKS[kind]}\n\nTuesday 14:00 works for us.")

    assert parts.text == NEWEST
    assert parts.quoted.startswith(BLOCKS[kind].splitlines()[0])


@pytest.mark.parametrize(
    "separator",
    [
        "-----Antwort Nachricht-----",
        "-------- Oprindelig meddelelse --------",
        "-------- Oprindelig besked --------",
        "----- Reply Message -----",
        "-----Ursprüngliches Mail-----",
    ],
)
def test_message_separators_by_their_noun_start_the_history(separator: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{separator}\nTuesday 14:00 works for us.")

    assert (parts.text, parts.quoted.splitlines()[0]) == (NEWEST, separator)


@pytest.mark.parametrize(
    "device",
    [
        "Envoyé depuis mon iPhone",
        "Envoyé à partir de Outlook pour Android<https://aka.ms/example>",
        "Gesendet von Outlook für iOS",
        "Sent from TypeApp <http://typeapp.example/r>",
        "Get Outlook for Android",
        "Skickat från min Samsung Galaxy",
        "Wysłane z mojego telefonu",
    ],
)
def test_mobile_signatures_are_not_visible_text(device: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{device}")

    assert (parts.text, parts.signature) == (NEWEST, device.strip())


def test_a_sentence_about_sending_is_not_a_device_line() -> None:
    body = f"{NEWEST}\nSent from my office the contract you asked about, with the new prices and terms."
    assert split_body(body).signature is None


@pytest.mark.parametrize("signature", ["---\nOlek Wozniak\nBiuro Sp. z o.o.", "-olek", "——\nOlek"])
def test_dash_signatures_are_not_visible_text(signature: str) -> None:
    parts = split_body(f"{NEWEST}\n\n{signature}")

    assert (parts.text, parts.signature) == (NEWEST, signature)
