"""Company names in more languages: legal forms that are not capitalised or have several
words ("sp. z o.o.", "Unipessoal, Lda."), Nordic and Finnish forms, introductions that open on
the workplace ("Vi hos …", "Chez …", "Aqui na …"), Japanese names with particle kana, names
spelled by the domain with "&" inside, and footer parts cut at sentences and parentheses.
Made-up senders, not mail from the labelled sets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from triage.domain.extraction.about import About
from triage.domain.extraction.company import company_name, company_of, publisher_of
from triage.domain.extraction.company_phrases import company_field, introduced_name, japanese_name
from triage.domain.extraction.person import person_of
from triage.domain.models import CleanEmail, Company, Mailbox


def newsletter(sender: str, name: str, text: str, footer: str = "") -> CleanEmail:
    return CleanEmail(
        email_id="e",
        thread_id="t",
        mailbox="sales@example.com",
        received_at=datetime(2026, 3, 1, tzinfo=UTC),
        from_email=sender,
        from_name=name,
        subject="Issue 4",
        text=text,
        footer=footer,
    )


def about(text: str = "Hello.", signature: str = "", footer: str = "", name: str = "Ola Nordmann"):
    return About(
        name=name, email="ola@example.no", subject="", text=text, signature=signature, footer=footer
    )


@pytest.mark.parametrize(
    ("signature", "expected"),
    [
        (
            "Ola Nordmann\nInnkjøpssjef\nFjellheim Transport ASA\nStorgata 1, Oslo",
            "Fjellheim Transport ASA",
        ),
        (
            "Anna Kowalska\nKierownik\nWisła Logistyka sp. z o.o.\nul. Długa 5",
            "Wisła Logistyka sp. z o.o.",
        ),
        ("Jan Nowak\nSoftwareowo Sp. z o.o. | Kraków", "Softwareowo Sp. z o.o."),
        ("Mette Hansen\nHavbrug Nord A/S\nKajgade 2", "Havbrug Nord A/S"),
        ("Lars Berg\nKustfrakt ApS · CVR 1234", "Kustfrakt ApS"),
        ("Aino Virtanen\nSaaristo Varustamo Oyj / Skärgårds Rederi Abp", "Saaristo Varustamo Oyj"),
        (
            "Rui Costa\nMar Azul Consultoria, Unipessoal Lda. – Porto",
            "Mar Azul Consultoria, Unipessoal Lda.",
        ),
        ("Lim Wei\nHarbourline Pte. Ltd.\nSingapore", "Harbourline Pte. Ltd."),
        ("Petra Novák\nVltava Data s.r.o.", "Vltava Data s.r.o."),
        # Czech and Polish write a name's nouns in lower case: the whole short line is the name
        ("Ing. Pavel Novák\nvedoucí oddělení\nMoravské strojírny a.s.\nPřerov", "Moravské strojírny a.s."),
        ("Jan Kowalski\nZakłady mięsne S.A.", "Zakłady mięsne S.A."),
    ],
)
def test_a_signature_names_the_company_with_its_legal_form(signature: str, expected: str) -> None:
    assert company_name(about(signature=signature), None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vi hos Nordkapp Fiskeexport ønsker en demo.", "Nordkapp Fiskeexport"),
        ("Vi i Bergsvik Havn har vokst mye i år.", "Bergsvik Havn"),
        ("u nás ve firmě Pekárny Novák máme 3 provozovny", "Pekárny Novák"),
        ("u nas w firmie (Drukarnia Kolor-Max, jakieś 60 osób) księgowa odchodzi", "Drukarnia Kolor-Max"),
        ("Chez Boulangerie Martin, nous cherchons un outil.", "Boulangerie Martin"),
        ("Aqui na Padaria Estrela queremos mudar de sistema.", "Padaria Estrela"),
        ("Bei der Stadtwerke Kiel suchen wir eine Lösung.", "Stadtwerke Kiel"),
        ("Hello. We're Greenleaf Dental Studio, three sites in Leeds.", "Greenleaf Dental Studio"),
        ("Olemme Lapin Kuljetus ja etsimme järjestelmää.", "Lapin Kuljetus"),
        ("Pracuję w Stalbud Konstrukcje w dziale kadr.", "Stalbud Konstrukcje"),
        ("pracuji ve Slévárna Kroměříž jako mzdová účetní", "Slévárna Kroměříž"),
        ("jag jobbar på Kustfrakt Väst och lönen syns inte", "Kustfrakt Väst"),
        ("jeg arbejder hos Fynbo Tømrer, og appen virker ikke", "Fynbo Tømrer"),
        ("Dzień dobry,\n\nmy w Transtar Tarnów od dłuższego czasu szukamy systemu.", "Transtar Tarnów"),
        ("Dobrý den. My ve Pekárny Horák chceme docházku.", "Pekárny Horák"),
    ],
)
def test_the_sender_introduces_the_company(text: str, expected: str) -> None:
    assert introduced_name(text, ("Ola Nordmann",)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Piszę w sprawie faktury za luty.",
        "pracuji v sobotu a nemám přístup",
        "jag jobbar på kvällen",
        "Thanks. My Sales Director asked me to write.",  # English "my", not Polish "we"
    ],
)
def test_a_working_day_or_errand_is_no_company(text: str) -> None:
    assert introduced_name(text, ("Ola Nordmann",)) is None


def test_a_from_name_with_a_legal_form_is_the_firm_and_the_signature_names_the_person() -> None:
    sent = about(
        "Vedlagt finner dere fornyelsestilbudet.",
        signature="Med vennlig hilsen\nKari Lunde\nKundeansvarlig\nBryggen Lisens AS · Org.nr. 915 402 118",
        name="Bryggen Lisens AS",
    )
    assert company_name(sent, "bryggenlisens.no") == "Bryggen Lisens AS"
    assert person_of("vendor", sent).name == "Kari Lunde"


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("clinicasulsaude.pt", "Sul Saúde – Clínicas Privadas, S.A."),
        # the brand is not the domain's: the dash parts a person from the firm
        ("clinicasprivadas.pt", "Clínicas Privadas, S.A."),
    ],
)
def test_a_brand_dash_legal_name_line_is_one_name_when_the_domain_spells_the_brand(
    domain: str, expected: str
) -> None:
    signature = "Cumprimentos,\nAna Reis\n\nSul Saúde – Clínicas Privadas, S.A.\nSede: Rua Alta 1, Faro"
    assert company_name(about(signature=signature, name="Ana Reis"), domain) == expected


def test_a_dash_before_an_organiser_sentence_keeps_only_the_legal_name() -> None:
    footer = "Premio Vetrine – organizzato da Fiere Lombarde S.r.l."
    assert company_name(about(footer=footer), "premiovetrine.it") == "Fiere Lombarde S.r.l."


def test_an_object_pronoun_or_a_place_met_is_not_an_introduction() -> None:
    assert introduced_name("Podem mostrar-me como funciona o Portal do Cliente?", ()) is None
    assert introduced_name("Jeg traff ham på Nor-Shipping i fjor.", ()) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Företag: Norrhamn Logistik AB", "Norrhamn Logistik AB"),
        ("Yritys: Pohjolan Satama Oy", "Pohjolan Satama Oy"),
        ("Nazwa firmy: Bursztyn Trans", "Bursztyn Trans"),
        ("Firmanavn\nFjordkraft Service", "Fjordkraft Service"),
    ],
)
def test_a_form_company_field_in_the_nordic_and_polish_labels(text: str, expected: str) -> None:
    assert company_field(text) == expected


def test_a_leading_japanese_form_keeps_particle_kana_inside_the_name() -> None:
    assert japanese_name("株式会社さくらとみどり商店の山田です。") == "株式会社さくらとみどり商店"
    assert japanese_name("みどり商店株式会社の山田です。") == "みどり商店株式会社"


def test_a_spelled_name_runs_on_over_an_ampersand() -> None:
    signature = "Ola Nordmann\nManager, Harbour Physio & Rehab Centre\n+44 20 0000 0000"
    assert company_name(about(signature=signature), "harbourphysio.co.uk") == (
        "Harbour Physio & Rehab Centre"
    )


def test_a_footer_sentence_or_parenthesis_ends_the_part_before_a_legal_name() -> None:
    footer = (
        "You get this because you subscribed at tidings.example. Tidings Media Ltd, 1 Main "
        "Street, London. Unsubscribe"
    )
    clean = newsletter("news@tidings.example", "The Tide", "News.", footer=footer)
    assert publisher_of(clean).name == "Tidings Media Ltd"
    wrapped = (
        "Ricevi questa email perché sei iscritto alla newsletter di Notizie Porto (Editrice\n"
        "Marittima S.r.l., P.IVA 00000000000). Per disiscriverti clicca qui."
    )
    clean = clean.model_copy(update={"footer": wrapped, "from_email": "news@notizieporto.example"})
    assert publisher_of(clean).name == "Editrice Marittima S.r.l."


def test_a_short_capitalised_part_is_the_spelled_name_whole_but_not_a_title() -> None:
    assert company_name(about(signature="Ola Nordmann\nIT – Grupo Vidaclara"), "vidaclara.pt") == (
        "Grupo Vidaclara"
    )
    assert company_name(
        about(signature="Ola Nordmann\nSales Director Vidaclara"), "vidaclara.pt"
    ) == ("Vidaclara")


def test_a_domain_may_leave_out_a_descriptor_between_the_names_first_and_last_words() -> None:
    signature = "Grazie\nMarta Bianchi\nSegreteria – Studio Legale Colombo\nVia Roma 1, Torino"
    assert company_name(about(signature=signature, name="Marta Bianchi"), "studiocolombo.it") == (
        "Studio Legale Colombo"
    )
    # the first and last words alone are not enough when the label spells something else
    assert company_name(about(signature="Marta Bianchi\nStudio Legale Colombo"), "studiorossi.it") is None


def test_whose_newsletter_it_is_names_the_publisher_after_a_publisher_line_or_a_legal_name() -> None:
    clean = newsletter(
        "info@skargardsforeningen.example",
        "Skärgårdsbrevet",
        "SKÄRGÅRDSBREVET nr 3\nNyhetsbrev från Svenska Skärgårdsföreningen\n\n* Nytt seminarium",
    )
    assert publisher_of(clean).name == "Svenska Skärgårdsföreningen"
    # a title reads the same way; the legal name in the footer wins
    titled = clean.model_copy(update={
        "text": "Benvenuti nella newsletter di PortoNews Italia.",
        "footer": "Editrice Portuale S.r.l., Via Mare 2, Genova",
    })
    assert publisher_of(titled).name == "Editrice Portuale S.r.l."


def test_a_free_mail_senders_work_address_gives_the_company_when_the_text_spells_it() -> None:
    # Writing from Gmail because the ship's mail is down, naming the firm and the work login.
    text = (
        "Jeg er 1. styrmand på M/S Nordhavn Tern (Nordhavn Rederi) og skriver fra min private mail.\n"
        "Min bruger er rth@nordhavnrederi.dk"
    )
    free = About(name="Rasmus Thygesen", email="rasmus.t@gmail.com", subject="", text=text)
    bare = "Min bruger er rth@hvnr.dk"
    unnamed = About(name="Rasmus Thygesen", email="rasmus.t@gmail.com", subject="", text=bare)
    message = CleanEmail(
        email_id="e", thread_id="t", mailbox="support@fjordline.no", received_at=datetime(2025, 3, 22, tzinfo=UTC),
        from_email="rasmus.t@gmail.com", text=text,
    )  # fmt: skip

    expected = Company(name="Nordhavn Rederi", domain="nordhavnrederi.dk")
    assert company_of("support", message, free) == expected
    assert company_of("support", message, unnamed).domain is None  # a bare address names no firm


def test_a_publisher_written_as_acronym_dash_name_keeps_both_when_the_initials_spell_it() -> None:
    footer = "Recebe esta newsletter porque é associado da APSD – Associação Portuguesa de Saúde Digital."
    letter = newsletter("newsletter@apsd.pt", "Saúde Digital Hoje", "Nesta edição: interoperabilidade.", footer)
    not_spelled = newsletter("news@apsd.pt", "Saúde Digital Hoje", "Nesta edição.", "APSD – Agenda de novembro")

    assert publisher_of(letter).name == "APSD – Associação Portuguesa de Saúde Digital"
    assert publisher_of(not_spelled).name != "APSD – Agenda de novembro"


ALPINE = Mailbox(
    company="Alpenrose Systems AG",
    domains=["alpenrose-systems.ch"],
    customer_domains=["hotelgletscherblick.ch"],
)


def direct(sender: str, text: str, signature: str = "") -> tuple[CleanEmail, About]:
    message = CleanEmail(
        email_id="e", thread_id="t", mailbox="sales@alpenrose-systems.ch",
        received_at=datetime(2026, 3, 1, tzinfo=UTC), from_email=sender, text=text, signature=signature,
    )  # fmt: skip
    return message, About(name="Kenji", email=sender, subject="", text=text, signature=signature)


def test_a_letter_addressed_to_our_firm_still_gives_the_senders_japanese_name() -> None:
    # A Japanese business letter opens with the addressee: our own name hid the sender's.
    text = "Alpenrose Systems AG\nご担当者様\n\n株式会社八方アルパインホテルの山田と申します。"
    assert company_of("lead", *direct("k.yamada@happo-alpine.co.jp", text), ALPINE).name == (
        "株式会社八方アルパインホテル"
    )
    # our name first on a line of several parts: the sender's firm is the next one
    both = "Partnerschaft: Alpenrose Systems AG | Hotel Adler AG, Grindelwald"
    assert company_name(about(text=both), None, frozenset({"alpenrosesystems"})) == "Hotel Adler AG"


def test_articles_inside_a_name_keep_it_whole() -> None:
    signature = "Núria Pons\nRecepció – Hotel Solana Pas de la Casa S.A.\nAv. d'Encamp 22"
    assert company_name(about(signature=signature, name="Núria Pons"), "hotelsolana.ad") == (
        "Hotel Solana Pas de la Casa S.A."
    )


def test_a_domain_may_keep_the_joiners_of_the_words_it_leaves_out() -> None:
    signature = "Élodie Marchand\nContrôle de gestion\nRemontées Mécaniques du Val des Pins\n04 50 55 12 34"
    assert company_name(about(signature=signature, name="Élodie Marchand"), "remontees-valdespins.fr") == (
        "Remontées Mécaniques du Val des Pins"
    )


@pytest.mark.parametrize(
    ("signature", "domain", "expected"),
    [
        ("Priya Natarajan\nVendor Success, SoftRate\nAustin, TX", "softrate-reviews.com", "SoftRate"),
        ("Regards,\nRachel Tan\nData Specialist | LeadSource Data", "b2bleadsource.net", "LeadSource Data"),
    ],
)
def test_a_domain_that_adds_a_trade_word_or_b2b_still_spells_the_name(
    signature: str, domain: str, expected: str
) -> None:
    assert company_name(about(signature=signature, name="Someone Else"), domain) == expected


def test_a_trade_word_is_not_stripped_from_a_short_name() -> None:
    # "bigdata" is not "Big": the rest must be a name's length
    assert company_name(about(text="Big changes are coming."), "bigdata.io") is None


def test_a_customer_named_from_a_private_address_is_that_customer() -> None:
    text = "schreibe von privat, unser Outlook im Hotel Gletscherblick geht grad nicht."
    company = company_of("support", *direct("moni.imboden74@gmail.com", text), ALPINE)
    assert company == Company(name="Hotel Gletscherblick", domain="hotelgletscherblick.ch")
    other = "schreibe von privat, unser Outlook im Hotel Bellevue geht grad nicht."
    assert company_of("support", *direct("moni.imboden74@gmail.com", other), ALPINE).domain is None


def test_a_footer_line_that_ends_in_a_link_is_not_joined_to_the_next() -> None:
    footer = (
        "Ricevi questa newsletter perché ti sei iscritto su montagnadigitale.it. Cancellati: "
        "https://montagnadigitale.it/newsletter/cancellazione\n"
        "Montagna Digitale è una testata di Edizioni Cime S.r.l. – Via Roma 21, 39100 Bolzano"
    )
    letter = newsletter("redazione@montagnadigitale.it", "Montagna Digitale", "Newsletter n. 42", footer)
    assert publisher_of(letter).name == "Edizioni Cime S.r.l."


def test_catalan_introductions_and_elided_articles() -> None:
    text = "Em dic Núria i aquí a Viatges Mediterrània portem els viatges de grup de Girona."
    assert introduced_name(text, ("Núria Puig",)) == "Viatges Mediterrània"
    elided = "Sóc el Jordi, de l'equip d'itineraris d'Autocars Garrotxa (Olot)."
    assert company_name(about(text=elided, name="Jordi Vilanova"), "autocarsgarrotxa.cat") == (
        "Autocars Garrotxa"
    )
