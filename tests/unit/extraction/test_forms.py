"""Website-form and applicant-tracking relays in the languages the mailboxes receive (forms.py)."""

from __future__ import annotations

import pytest

from triage.domain.extraction.about import strip_reply_prefixes
from triage.domain.extraction.forms import relayed_form
from triage.domain.models import CleanEmail
from triage.domain.pipeline import EPOCH


def relayed(sender: str, text: str, name: str | None = None) -> CleanEmail:
    return CleanEmail.model_validate({"email_id": "e", "thread_id": "t", "mailbox": "sales@fjordline.no",
                                      "received_at": EPOCH, "from_email": sender, "from_name": name,
                                      "text": text})


@pytest.mark.parametrize(
    ("text", "name", "email"),
    [
        ("Namn: Lars Ekström\nE-post: lars@sundsvallshamn.se\nFöretag: Sundsvalls Hamn AB\n"
         "Meddelande: Vi vill se en demo.", "Lars Ekström", "lars@sundsvallshamn.se"),
        ("Naam:        Sanne de Wit\nE-mail:      sanne@fysiozuidas.nl\nBedrijf:     Fysiotherapie Zuidas\n"
         "Bericht:     Graag een demo.", "Sanne de Wit", "sanne@fysiozuidas.nl"),
        ("Navn: Kari Nordmann\nE-postadresse: kari@havn.no\nBedrift: Havn AS", "Kari Nordmann", "kari@havn.no"),
        ("Nimi: Matti Virtanen\nSähköposti: matti@satama.fi\nYritys: Satama Oy", "Matti Virtanen", "matti@satama.fi"),
        ("Nome: Ana Costa\nE-mail: ana@clinica.pt\nEmpresa: Clínica Costa\nMensagem: Olá", "Ana Costa", "ana@clinica.pt"),
        ("お名前: 山田 太郎\nメールアドレス: yamada@sakura.co.jp\n会社名: さくら商事株式会社", "山田 太郎", "yamada@sakura.co.jp"),
        ("Név: Kovács Anna\nE-mail cím: anna@balatonbor.hu\nCégnév: Balaton Bor Kft.", "Kovács Anna", "anna@balatonbor.hu"),
        ("Jméno a příjmení: Jan Dvořák\nE-mail: jan@pivovar.cz\nSpolečnost: Pivovar Dvořák s.r.o.",
         "Jan Dvořák", "jan@pivovar.cz"),
    ],
)
def test_a_form_in_each_language_gives_the_person_in_it(text: str, name: str, email: str) -> None:
    fields = relayed_form(relayed("forms@fjordline-software.com", text))
    assert (fields.get("name"), fields.get("email")) == (name, email)


def test_an_applicant_tracking_notice_from_a_jobs_address_is_a_relay() -> None:
    text = ("Vacature:   Implementatieconsultant\nNaam:       Daan Kuipers\nE-mail:     daan@ziggo.nl\n"
            "Telefoon:   +31 6 1234 5678")
    fields = relayed_form(relayed("jobs@lusitanahealth.com", text, "Werken bij Lusitana"))
    assert (fields["name"], fields["email"], fields["phone"]) == ("Daan Kuipers", "daan@ziggo.nl", "+31 6 1234 5678")
    portal = "Søker: Jonas Weber\nE-post: jonas@web.de\nTelefon: +49 171 448 2093"
    assert relayed_form(relayed("noreply@jobbportalen.no", portal))["name"] == "Jonas Weber"


def test_a_person_writing_from_their_own_address_is_no_relay() -> None:
    assert relayed_form(relayed("lars@sundsvallshamn.se", "Namn: Lars\nE-post: lars@sundsvallshamn.se")) == {}


def test_a_table_rendered_form_reads_label_and_value_on_one_line() -> None:
    """Jotform's HTML table becomes "Label value" rows once rendered as text."""
    text = ("Ajánlatkérés\n\nNév Kovács Anna\nE-mail cím anna@balatonbor.hu\nCégnév Balaton Bor Kft.\n"
            "Üzenet Szeptemberre kellene egy rendszer.\nKérem, küldjenek árajánlatot.")
    fields = relayed_form(relayed("noreply@jotform.com", text, "Jotform"))
    assert (fields["name"], fields["email"], fields["company"]) == ("Kovács Anna", "anna@balatonbor.hu", "Balaton Bor Kft.")
    assert fields["message"].endswith("küldjenek árajánlatot.")


def test_prose_is_not_read_as_a_table_when_labelled_lines_give_the_email() -> None:
    text = "Name: Lars Ekström\nEmail: lars@hamn.se\nMessage: Hello\nCompany policy says we need a demo."
    fields = relayed_form(relayed("forms@fjordline-software.com", text))
    assert "company" not in fields


def test_a_label_of_two_names_reads_by_its_known_part() -> None:
    text = ("Zgłaszający: Renata Lis\nAdres e-mail: r.lis@hutnik.example\nOrganizacja / klient: Hutnik Logistyka\n"
            "Opis problemu: PIT-11 nie generuje się.")
    fields = relayed_form(relayed("pomoc-form@wislacloud.pl", text, "Formularz Pomocy"))
    assert (fields["name"], fields["email"], fields["company"]) == ("Renata Lis", "r.lis@hutnik.example", "Hutnik Logistyka")


@pytest.mark.parametrize(
    ("subject", "bare"),
    [
        ("RE: FW: Angebot für 3 Lager", "Angebot für 3 Lager"),
        ("Odp: Wycena dla 300 osób", "Wycena dla 300 osób"),
        ("Vá: Bérszámfejtés", "Bérszámfejtés"),
        ("PD: Poptávka - mzdový systém", "Poptávka - mzdový systém"),
        ("VS: Tarjouspyyntö", "Tarjouspyyntö"),
        ("Antw: Offerte", "Offerte"),
        ("Ivo: a name, not a prefix", "Ivo: a name, not a prefix"),
    ],
)
def test_reply_and_forward_prefixes_of_every_client_language_are_stripped(subject: str, bare: str) -> None:
    assert strip_reply_prefixes(subject) == bare


def test_a_website_chats_transcript_is_a_relay_of_the_visitor() -> None:
    text = (
        "Chat transcript - brisa-travel.com\n\nVisitor details\n  Name: Pieter de Vries\n"
        "  Email: pieter@tulipcoachtours.nl\n  Company: Tulip Coach Tours B.V.\n\n"
        "[15:21] Bot: Hi there! How can we help today?\n[15:21] Pieter de Vries: does it work with our boxes?"
    )
    fields = relayed_form(relayed("transcripts@livenudge.io", text, "LiveNudge"))
    assert (fields.get("name"), fields.get("email")) == ("Pieter de Vries", "pieter@tulipcoachtours.nl")


def test_a_form_that_gives_the_visitors_address_only_as_reply_to_is_still_read() -> None:
    text = "Empresa: Patagonia Andina Viajes\nPaís: Argentina\n\nCuerpo del mensaje:\nHola, ¿podemos coordinar?"
    form = relayed("wordpress@brisa-travel.com", text, "Sitio web").model_copy(
        update={"reply_to": "lucas@patagoniaandina.com.ar"}
    )
    assert relayed_form(form)["email"] == "lucas@patagoniaandina.com.ar"
    # a relay's own no-reply address is no visitor, and without one the form names nobody
    assert relayed_form(form.model_copy(update={"reply_to": "noreply@brisa-travel.com"})) == {}
    assert relayed_form(relayed("wordpress@brisa-travel.com", text)) == {}
