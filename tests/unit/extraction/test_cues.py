"""The keyword cues the intent model reads as features (cues.py): an applicant's words in the
languages the mailboxes receive, and the everyday words they must not catch."""

from __future__ import annotations

import pytest

from triage.domain.extraction.buying_phrases import EXPANSION
from triage.domain.extraction.cues import INTENT_CUES


@pytest.mark.parametrize(
    "text",
    [
        "Vorrei candidarmi per un tirocinio nel vostro team.",
        "Gostaria de me candidatar ao estágio de verão.",
        "Hierbij mijn sollicitatie voor de functie van tester.",
        "Här kommer min ansökan till tjänsten som utvecklare.",
        "Vedlagt er min søknad og CV.",
        "Liitteenä työhakemus ja ansioluettelo.",
        "W załączniku przesyłam życiorys, szukam stażu.",
        "Posílám životopis a přihlášku na stáž.",
        "Chcel by som sa uchádzať o letnú stáž.",
        "Csatolom az önéletrajzomat a gyakornoki pozícióra.",
    ],
)
def test_an_applicants_words_in_each_language_vote_for_job_applicant(text: str) -> None:
    assert INTENT_CUES["job_applicant"].score(text) >= 3


@pytest.mark.parametrize(
    "text",
    [
        "At this stage we are only gathering information about payroll tools.",
        "Stosujemy dobre praktyki przy wdrożeniach.",
    ],
)
def test_everyday_words_are_not_an_application(text: str) -> None:
    assert INTENT_CUES["job_applicant"].score(text) == 0


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("vendor", "Siamo un'agenzia di marketing: i nostri servizi aiutano le aziende SaaS."),
        ("vendor", "A nossa agência ajuda as empresas de saúde; proposta de parceria em anexo."),
        ("vendor", "Wij helpen SaaS bedrijven met onze diensten."),
        ("vendor", "Vi hjälper B2B företag att växa, våra tjänster kostar lite."),
        ("vendor", "Nasza agencja pomaga firmom w pozyskiwaniu klientów."),
        ("vendor", "Naše agentura pomáhá firmám s marketingem."),
        ("vendor", "Ügynökségünk segít a cégeknek."),
        ("vendor", "Veuillez trouver notre devis de renouvellement pour 24 mois."),
        ("vendor", "Olá, queria apresentar a nossa equipa nearshore."),
        ("support", "O conector parou de trazer pedidos, já tentei reativar."),
        ("support", "Het dashboard werkt niet sinds gisteren."),
        ("support", "Aplikacja nie działa, pojawia się błąd."),
        ("support", "A rendszer nem működik."),
        ("spam", "Please remit the payment to our new account, not the one on the invoice."),
        ("spam", "Bitte überweisen Sie auf unsere neue Bankverbindung."),
        ("spam", "Are you at your desk? I need you to handle something for me discreetly."),
        ("spam", "Kup trzy karty podarunkowe i odeślij kody."),
        ("support", "oi, esqueci a senha do sistema e não tenho acesso ao email da clínica"),
        ("support", "J'ai oublié mon mot de passe."),
        ("vendor", "Amount due: EUR 3,030.00, payable by SEPA direct debit on 15/04/2026."),
        ("vendor", "Faktura nr 881, do zapłaty 2 300 zł, termin płatności 14 dni."),
        ("spam", "Prosimy o płatność na nowy rachunek bankowy podany na fakturze."),
        ("support", "Samedi soir la caisse a planté, l'écran se fige sur les 3 postes."),
        ("support", "Seit dem Update friert ein Terminal nach zehn Minuten ein."),
        ("support", "El programa se cuelga cada vez que abro la agenda."),
        ("support", "The kiosk keeps freezing during check-in."),
        ("support", "I can't add them in TableFlow: \"Seat limit reached\"."),
        ("support", "Desde ayer todos los pagos se quedan en \"pendiente\" y no se confirman."),
        ("support", "Seit dem Update stürzt die App direkt nach dem Login ab."),
        ("support", "Checkout is down, customers can't pay. PLEASE fix ASAP."),
    ],
)
def test_vendor_support_and_fraud_words_in_more_languages(intent: str, text: str) -> None:
    assert INTENT_CUES[intent].score(text) >= 3


@pytest.mark.parametrize(
    "text",
    [
        "We'd like to add 6 more licenses for the new branch.",
        "Queremos a ampliação do contrato para mais 6 unidades.",
        "Wir brauchen weitere Lizenzen für zwei Standorte.",
        "Potrzebujemy dodatkowe licencje dla nowego oddziału.",
        "Vi skal derfor bruge ca. 40 ekstra brugere, gerne i denne måned.",
        "Nous aurions besoin de 12 utilisateurs supplémentaires.",
        "Necesitamos usuarios adicionales para la nueva oficina.",
        "Wir brauchen weitere 10 Benutzer.",
        "Chtěli bychom přidat TimeTrack a navýšit počet licencí Payrollu.",
        "We would like to increase the number of licenses for the new plant.",
        "Hoje temos 12 licenças, me manda o valor das 6 licenças extras.",
        "Necesitamos más licencias para el nuevo equipo.",
    ],
)
def test_a_customer_buying_more_is_an_expansion(text: str) -> None:
    assert EXPANSION.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "Our licenses stopped working after the renewal.",
        "It bills us for 60 seats, but any additional seats are trued up at renewal.",
        "Could you check whether the extra 15 seats are a mistake, or users were added?",
    ],
)
def test_a_dispute_or_a_problem_with_the_seats_is_no_expansion(text: str) -> None:
    assert not EXPANSION.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "Vi er interessert i en demo og trenger et nytt system for mannskapet.",
        "Vi behöver ett nytt system och är intresserade av en provperiod.",
        "Ile u was kosztuje taki program dla 60 osób?",
        "Szukamy nowego systemu do płac.",
        "Máme zájem o cenovou nabídku.",
        "Érdeklődnék az árajánlat iránt.",
        "Olisimme kiinnostuneita hinnastosta.",
        "Kan du sende mig et tilbud på de ekstra licenser?",
        "Umí to váš TimeTrack česky? A dá se to ukázat online?",
        "Pošlete mi prosím cenu za rozšíření?",
    ],
)
def test_a_buyers_words_in_the_nordic_and_central_european_languages_vote_for_lead(text: str) -> None:
    assert INTENT_CUES["lead"].score(text) >= 3


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("support", "Rien d'urgent, honnêtement : on voudrait que ce soit en place en septembre."),
        ("support", "That's not a problem for us."),
        ("spam", "Nada urgente, sem pressa."),
    ],
)
def test_a_weak_cue_right_after_a_negation_does_not_vote(intent: str, text: str) -> None:
    assert INTENT_CUES[intent].score(text) == 0


def test_a_weak_cue_still_votes_without_the_negation_or_after_portuguese_no() -> None:
    assert INTENT_CUES["support"].score("C'est urgent, la caisse est bloquée.") >= 1
    # "no" is Portuguese for "on the": "vi a vaga no LinkedIn" is no negation
    assert INTENT_CUES["job_applicant"].score("vi a vaga de designer no LinkedIn; currículo em anexo") >= 7
    assert INTENT_CUES["lead"].score("not sure how much it costs") >= 1  # "not sure" negates nothing
