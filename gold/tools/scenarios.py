"""Scenario writers: one function per kind of inbound mail, each returning a labelled Mail.

Phrasings come in lists; a split draws only every other phrasing (``Pick``), so
the held-out part is worded differently from the tuning part.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from render import Mail, fake_pdf, inner_message
from world import LOCALES, Firm, Human, World, budget_phrase, squash, timeline_phrase


@dataclass(frozen=True)
class Box:
    company: str
    domain: str
    inboxes: tuple[str, ...]
    customers: dict[str, str]  # domain -> company name as customers write it
    products: tuple[str, ...]
    ceo: str
    colleagues: tuple[str, ...]


class Pick:
    def __init__(self, rng: random.Random, parity: int) -> None:
        self.rng, self.parity = rng, parity

    def __call__(self, options):
        options = list(options)
        half = options[self.parity :: 2] if len(options) > 1 else options
        return self.rng.choice(half)


def labels(
    intent,
    person=None,
    company=None,
    products=(),
    budget=None,
    timeline="unknown",
    region=None,
    action=None,
):
    person = person or (None, None)
    company = company or (None, None)
    action = (
        action
        or {
            "support": "forward_support",
            "vendor": "route_ops",
            "job_applicant": "route_ops",
            "newsletter": "ignore",
            "spam": "ignore",
        }[intent]
    )
    return {
        "intent": intent,
        "person": {"name": person[0], "email": person[1]},
        "company": {"name": company[0], "domain": company[1]},
        "interest": {"products": list(products)},
        "budget": {"annual_amount_usd": budget},
        "timeline": timeline,
        "region": region,
        "required_action": action,
    }


# ---------------------------------------------------------------- signatures

TITLES = {
    "en": (
        "Head of Revenue Operations",
        "VP Sales",
        "Director of Finance",
        "COO",
        "Founder & CEO",
        "Sales Operations Manager",
        "Head of Customer Success",
        "IT Manager",
    ),
    "de": ("Leiterin Vertrieb", "Geschäftsführer", "Head of Sales", "Leiter IT"),
    "fr": ("Directrice commerciale", "Responsable des opérations", "Directeur général"),
    "es": ("Director Comercial", "Responsable de Operaciones", "Gerente General"),
    "pt": ("Diretor Comercial", "Gerente de Operações", "Sócio-fundador"),
    "it": ("Direttore Commerciale", "Responsabile Operazioni"),
    "nl": ("Commercieel directeur", "Operationeel manager"),
}
SIGNOFFS = {
    "en": ("Best,", "Thanks,", "Kind regards,", "Cheers,", "Best regards,", "Thank you,", "—"),
    "de": ("Viele Grüße", "Beste Grüße", "Mit freundlichen Grüßen"),
    "fr": ("Cordialement,", "Bien à vous,", "Merci d'avance,"),
    "es": ("Saludos,", "Un saludo,", "Gracias,"),
    "pt": ("Abraço,", "Atenciosamente,", "Obrigado,"),
    "it": ("Cordiali saluti,", "Grazie,"),
    "nl": ("Met vriendelijke groet,", "Groeten,"),
}
DISCLAIMER = (
    "CONFIDENTIALITY NOTICE: This e-mail and any attachments are intended solely for the "
    "addressee and may contain confidential information. If you have received it in error, "
    "please notify the sender and delete it. {firm} accepts no liability for viruses.\n"
    "Please consider the environment before printing this e-mail."
)


@dataclass
class Sig:
    text: str
    region: str | None  # what the signature reveals about the country


def signature(rng, pick, human: Human, firm: Firm | None, lang: str, level: str) -> Sig:
    """level: none | name | short | full | heavy."""
    loc = human.locale if firm is None else firm.locale
    off = pick(SIGNOFFS[lang])
    if level == "none":
        return Sig(f"{off}\n{human.first}", None)
    if level == "name":
        return Sig(f"{off}\n{human.name}", None)
    title = pick(TITLES.get(lang, TITLES["en"]))
    lines = [off, human.name, title]
    if firm:
        lines.append(firm.name)
    if level == "short":
        if rng.random() < 0.5:
            return Sig("\n".join(lines), None)
        city, phone = rng.choice(loc.cities)
        if loc.phone_prefix == "1" and loc.country != "US":
            lines.append(f"{city}, {loc.country_name}")
        else:
            lines.append(f"+{loc.phone_prefix} {phone}")
        return Sig("\n".join(lines), loc.country)
    city, phone = rng.choice(loc.cities)
    lines += [
        city + ("" if rng.random() < 0.5 else f", {loc.country_name}"),
        f"T: +{loc.phone_prefix} {phone}",
    ]
    if firm:
        lines.append(f"www.{firm.domain}")
    if level == "heavy":
        lines += [
            f"M: +{loc.phone_prefix} {phone[:-2]}{rng.randint(10, 99)}",
            "LinkedIn | Twitter | Our blog",
            "",
            "Book time with me: https://cal.example.net/" + human.first.lower(),
            "",
            DISCLAIMER.format(firm=firm.name if firm else human.name),
        ]
    return Sig("\n".join(lines), loc.country)


def cc_region(firm: Firm | None) -> str | None:
    if firm is None:
        return None
    tld = firm.domain.rsplit(".", 1)[1]
    if tld == "com":
        return None
    return firm.locale.country


GREET = {
    "en": ("Hi {n},", "Hello {n},", "Hi there,", "Hello,", "Dear {n} team,", "Good morning,"),
    "de": ("Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Hallo {n}-Team,"),
    "fr": ("Bonjour,", "Bonjour à l'équipe {n},", "Madame, Monsieur,"),
    "es": ("Hola,", "Buenos días,", "Estimado equipo de {n}:"),
    "pt": ("Olá,", "Bom dia,", "Prezados,"),
    "it": ("Buongiorno,", "Salve,"),
    "nl": ("Hallo,", "Beste {n},", "Goedemiddag,"),
}


def greet(pick, lang, box: Box) -> str:
    return pick(GREET[lang]).format(n=box.company.split()[0])


# ---------------------------------------------------------------- leads

LEAD_CONTEXT = {
    "en": (
        "We're a {size}-person {what} and our sales forecasts live in spreadsheets nobody trusts.",
        "I run revenue operations at a {what} with about {size} people.",
        "Our team of {size} keeps missing the quarter by a wide margin and the board has noticed.",
        "We are a {what}; {size} of us sell into mid-market accounts across the region.",
        "A colleague at another firm recommended you after we complained about churn over lunch.",
        "We've outgrown our CRM's built-in reports and need something that actually predicts.",
        "I found you through a webinar recording on renewal forecasting.",
        "Quick background: {what}, roughly {size} staff, HubSpot as CRM.",
    ),
    "de": (
        "Wir sind ein {what} mit rund {size} Mitarbeitenden.",
        "Unsere Vertriebsprognosen stimmen seit Monaten nicht, wir suchen eine Lösung.",
        "Ein Kollege hat Sie uns empfohlen.",
    ),
    "fr": (
        "Nous sommes une entreprise de {size} personnes dans le secteur {what}.",
        "Nos prévisions commerciales sont peu fiables et nous cherchons un outil.",
        "Un partenaire nous a parlé de vous lors d'un salon à Lyon.",
    ),
    "es": (
        "Somos una empresa de {size} personas del sector {what}.",
        "Nuestras previsiones de ventas fallan cada trimestre y buscamos una herramienta.",
        "Nos recomendaron su empresa en un evento del sector.",
    ),
    "pt": (
        "Somos uma empresa de {size} pessoas no setor de {what}.",
        "Nossas previsões de vendas não batem com a realidade há meses.",
    ),
    "it": (
        "Siamo un'azienda di {size} persone nel settore {what}.",
        "Le nostre previsioni di vendita non sono affidabili.",
    ),
    "nl": (
        "Wij zijn een bedrijf met {size} medewerkers in de {what}.",
        "Onze salesprognoses kloppen al maanden niet.",
    ),
}
WHAT = {
    "en": (
        "logistics company",
        "regional insurance broker",
        "B2B software firm",
        "medical device distributor",
        "facility services group",
        "food wholesaler",
    ),
    "de": ("Logistikunternehmen", "Maschinenbauer", "Versicherungsmakler"),
    "fr": ("logistique", "distribution", "assurance"),
    "es": ("logística", "distribución", "seguros"),
    "pt": ("logística", "distribuição"),
    "it": ("logistica", "distribuzione"),
    "nl": ("logistiek", "groothandel"),
}
LEAD_PRODUCT = {
    "en": (
        "We're interested in {p}.",
        "{p} looks like what we need.",
        "Could {p} work for a team like ours?",
        "I'd like to learn more about {p}.",
        "We are evaluating {p} against two other tools.",
        "{p} came up in our shortlist.",
    ),
    "de": ("Wir interessieren uns für {p}.", "{p} klingt genau nach dem, was wir brauchen."),
    "fr": ("Nous sommes intéressés par {p}.", "{p} semble correspondre à notre besoin."),
    "es": ("Nos interesa {p}.", "{p} parece justo lo que necesitamos."),
    "pt": ("Temos interesse no {p}.", "O {p} parece ser o que precisamos."),
    "it": ("Siamo interessati a {p}.", "{p} sembra fare al caso nostro."),
    "nl": ("Wij zijn geïnteresseerd in {p}.", "{p} lijkt precies wat we zoeken."),
}
LEAD_BUDGET = {
    "en": (
        "We have budget of {b} set aside.",
        "Budget-wise we're looking at {b}.",
        "Finance approved {b} for this.",
        "Our ceiling is {b}.",
    ),
    "de": ("Unser Budget liegt bei {b}.", "Wir haben {b} eingeplant."),
    "fr": ("Notre budget est de {b}.", "Nous avons prévu {b}."),
    "es": ("Tenemos un presupuesto de {b}.", "Contamos con {b}."),
    "pt": ("Nosso orçamento é de {b}.", "Temos {b} aprovados."),
    "it": ("Il nostro budget è di {b}.", "Abbiamo stanziato {b}."),
    "nl": ("Ons budget is {b}.", "We hebben {b} gereserveerd."),
}
LEAD_TIMELINE = {
    "en": (
        "We'd like to be up and running {t}.",
        "The plan is to roll this out {t}.",
        "Ideally we sign {t}.",
        "We want to make a decision {t}.",
    ),
    "de": ("Wir möchten das {t} einführen.", "Die Entscheidung fällt {t}."),
    "fr": ("Nous souhaitons déployer l'outil {t}.", "La décision sera prise {t}."),
    "es": ("Queremos implementarlo {t}.", "Queremos tomar la decisión {t}."),
    "pt": ("Queremos implantar {t}.", "A decisão será tomada {t}."),
    "it": ("Vorremmo partire {t}.", "Decideremo {t}."),
    "nl": ("We willen {t} live gaan.", "We beslissen {t}."),
}
LEAD_ASK = {
    "en": {
        "demo": (
            "Could we book a demo next week?",
            "Can someone walk us through it on a call?",
            "Would you have time for a short demo with my team?",
            "Please get in touch to set up a walkthrough.",
        ),
        "pricing": (
            "Could you send over your pricing?",
            "Can you send us a quote for {seats} seats?",
            "What would it cost for {seats} users? A price list would help.",
            "Please share pricing for the annual plan.",
        ),
    },
    "de": {
        "demo": (
            "Können wir eine Demo vereinbaren?",
            "Hätten Sie nächste Woche Zeit für eine Vorführung?",
        ),
        "pricing": (
            "Könnten Sie uns ein Angebot für {seats} Nutzer schicken?",
            "Bitte senden Sie uns Ihre Preisliste.",
        ),
    },
    "fr": {
        "demo": (
            "Serait-il possible d'organiser une démo ?",
            "Pourriez-vous nous présenter l'outil en visio ?",
        ),
        "pricing": (
            "Pourriez-vous nous envoyer un devis pour {seats} utilisateurs ?",
            "Merci de nous transmettre vos tarifs.",
        ),
    },
    "es": {
        "demo": (
            "¿Podríamos agendar una demostración?",
            "¿Tienen disponibilidad para una demo la semana que viene?",
        ),
        "pricing": (
            "¿Nos pueden enviar un presupuesto para {seats} usuarios?",
            "¿Podrían enviarnos sus precios?",
        ),
    },
    "pt": {
        "demo": ("Podemos agendar uma demonstração?", "Vocês poderiam nos mostrar a ferramenta?"),
        "pricing": (
            "Poderiam enviar uma cotação para {seats} usuários?",
            "Gostaria de receber a tabela de preços.",
        ),
    },
    "it": {
        "demo": ("Possiamo fissare una demo?", "Avreste tempo per una presentazione?"),
        "pricing": (
            "Potete inviarci un preventivo per {seats} utenti?",
            "Ci mandate il listino prezzi?",
        ),
    },
    "nl": {
        "demo": ("Kunnen we een demo inplannen?", "Heeft u tijd voor een demonstratie?"),
        "pricing": (
            "Kunt u ons een offerte sturen voor {seats} gebruikers?",
            "Graag ontvang ik jullie prijzen.",
        ),
    },
}
LEAD_SUBJECT = {
    "en": (
        "{p} demo?",
        "Question about {p}",
        "{p} for our team",
        "Inquiry: {p}",
        "Evaluating forecasting tools",
        "{company} x {box}",
        "Request for information",
        "Looking for a forecasting tool",
    ),
    "de": ("Anfrage {p}", "Demo {p}", "Interesse an {p}"),
    "fr": ("Demande d'information - {p}", "Démo {p}", "Votre solution {p}"),
    "es": ("Consulta sobre {p}", "Solicitud de demo", "Información {p}"),
    "pt": ("Interesse no {p}", "Pedido de demonstração"),
    "it": ("Richiesta informazioni {p}", "Demo {p}"),
    "nl": ("Vraag over {p}", "Demo aanvraag {p}"),
}
COUNTRIES_BY_LANG = {
    "en": ("US", "US", "GB", "CA", "AU", "IN", "IE", "SE"),
    "de": ("DE",),
    "fr": ("FR",),
    "es": ("ES", "MX"),
    "pt": ("BR", "PT"),
    "it": ("IT",),
    "nl": ("NL",),
}


@dataclass
class Ctx:
    rng: random.Random
    pick: Pick
    world: World
    box: Box
    date: datetime
    mail_id: str


def _products(ctx: Ctx, k: int) -> list[str]:
    return ctx.rng.sample(list(ctx.box.products), k)


def lead_body(
    ctx: Ctx,
    lang: str,
    products: list[str],
    ask: str,
    want_budget: bool,
    want_timeline: bool,
    firm_name: str | None,
):
    rng, pick = ctx.rng, ctx.pick
    parts = [
        pick(LEAD_CONTEXT[lang]).format(
            size=rng.choice((12, 25, 40, 80, 150, 300)), what=pick(WHAT[lang])
        )
    ]
    if products:
        parts.append(
            pick(LEAD_PRODUCT[lang]).format(
                p=" and ".join(products) if lang == "en" else products[0]
            )
        )
    budget = None
    if want_budget:
        phrase, budget = budget_phrase(rng, lang)
        parts.append(pick(LEAD_BUDGET[lang]).format(b=phrase))
    timeline = "unknown"
    if want_timeline:
        phrase, timeline = timeline_phrase(rng, lang, ctx.date)
        parts.append(pick(LEAD_TIMELINE[lang]).format(t=phrase))
    parts.append(pick(LEAD_ASK[lang][ask]).format(seats=rng.choice((10, 15, 30, 60))))
    if rng.random() < 0.5 and len(parts) > 2:
        body = " ".join(parts[:2]) + "\n\n" + " ".join(parts[2:])
    else:
        body = "\n\n".join(parts) if rng.random() < 0.4 else " ".join(parts)
    subject = pick(LEAD_SUBJECT[lang]).format(
        p=products[0] if products else ctx.box.products[0],
        company=firm_name or "Intro",
        box=ctx.box.company,
    )
    return subject, body, budget, timeline


def _lead_products(ctx: Ctx, subject: str, body: str) -> list[str]:
    text = f"{subject}\n{body}"
    found = [(text.find(p), p) for p in ctx.box.products if p in text]
    return [p for _, p in sorted(found)]


def _inbox(ctx: Ctx, kind: str) -> str:
    inboxes = ctx.box.inboxes
    return {"sales": inboxes[0], "info": inboxes[1], "partners": inboxes[2]}[kind]


def direct_lead(
    ctx: Ctx,
    lang: str,
    shape: str,
    sig_level: str,
    freemail: bool = False,
    freemail_with_site: bool = False,
    ask: str | None = None,
) -> Mail:
    rng = ctx.rng
    country = rng.choice(COUNTRIES_BY_LANG[lang])
    human = ctx.world.human(country)
    firm = ctx.world.firm(country, local_name=lang != "en" and rng.random() < 0.5)
    ask = ask or rng.choice(("demo", "demo", "pricing"))
    products = _products(ctx, rng.choice((0, 1, 1, 1, 2)))
    subject, body, budget, timeline = lead_body(
        ctx, lang, products, ask, rng.random() < 0.6, rng.random() < 0.7, firm.name
    )
    if freemail:
        addr = ctx.world.address(human, None)
        shown_firm = firm if freemail_with_site else None
    else:
        addr = ctx.world.address(human, firm)
        shown_firm = firm
    sig = signature(rng, ctx.pick, human, shown_firm, lang, sig_level)
    if freemail and not freemail_with_site:
        company = (None, None)
        region = sig.region
    elif freemail:
        if "www." not in sig.text:
            sig.text += f"\nwww.{firm.domain}"
        company = (firm.name, firm.domain)
        region = sig.region or cc_region(firm)
    else:
        company_named = firm.name in sig.text
        if not company_named:
            body += (
                ctx.pick((f"\n\nFor context, I'm with {firm.name}.", f"\n\n(We're {firm.name}.)"))
                if lang == "en"
                else f"\n\n{firm.name}"
            )
        company = (firm.name, firm.domain)
        region = sig.region or cc_region(firm)
    text = f"{greet(ctx.pick, lang, ctx.box)}\n\n{body}\n\n{sig.text}"
    inbox = _inbox(ctx, rng.choice(("sales", "sales", "info")))
    return Mail(
        ctx.mail_id,
        "lead",
        lang,
        human.name,
        addr,
        inbox,
        subject,
        ctx.date,
        text,
        labels(
            "lead",
            (human.name, addr),
            company,
            _lead_products(ctx, subject, body),
            budget,
            timeline,
            region,
            "send_pricing" if ask == "pricing" else "schedule_demo",
        ),
        f"Direct {lang} lead; ask={ask}; signature={sig_level}; freemail={freemail}.",
        shape=shape,
    )


FORM_TOOLS = (
    ("FormRelay", "no-reply@formrelay.io"),
    ("Webflow Forms", "no-reply@webflow.com"),
    ("Typeform", "notifications@typeform.com"),
    ("WordPress", "wordpress@{own}"),
    ("HubSpot Forms", "noreply@notifications.hubspot.com"),
    ("Website", "website@{own}"),
    ("Jotform", "noreply@jotform.com"),
)


def form_lead(ctx: Ctx, shape: str, vendor_in_disguise: bool = False) -> Mail:
    rng, pick = ctx.rng, ctx.pick
    country = rng.choice(("US", "GB", "DE", "CA", "AU", "FR", "ES", "NL"))
    human = ctx.world.human(country)
    firm = ctx.world.firm(country)
    addr = ctx.world.address(human, firm)
    tool, relay = pick(FORM_TOOLS)
    relay = relay.format(own=ctx.box.domain)
    product = rng.choice(ctx.box.products)
    budget_phrase_, budget = rng.choice(
        (
            ("$1,000/month", 12000),
            ("$25k/year", 25000),
            ("Not sure yet", None),
            ("€2,000 per month", None),
            ("$50,000 - annual", 50000),
            ("", None),
        )
    )
    tl_phrase, timeline = rng.choice(
        (
            ("Within 3 months", "quarter"),
            ("ASAP", "now"),
            ("6 months", "six_months"),
            ("Just researching", "unknown"),
            ("This month", "now"),
        )
    )
    if vendor_in_disguise:
        message = pick(
            (
                "Hi! Love your site. We build custom Shopify and HubSpot integrations and could "
                "double your inbound conversion. Our packages start at $2,000. Open to a quick call?",
                "We are a lead generation agency helping SaaS companies book 20+ qualified meetings "
                "a month. Can I send you a case study?",
                "Not a customer inquiry, sorry - we offer offshore developers at $25/hour for SaaS "
                "teams like yours. Worth a chat?",
            )
        )
        budget_phrase_, tl_phrase = "", ""
    else:
        message = pick(
            (
                f"We need better visibility into our renewals. Interested in {product}.",
                f"Please contact me about {product} for our sales team of 30.",
                f"Looking at {product} - can we get a demo with our VP next week?",
                f"We currently forecast in Excel. Want to see {product} in action.",
            )
        )
    name_fields = pick(
        (
            f"Name: {human.name}",
            f"First name: {human.first}\nLast name: {human.last}",
            f"Full name: {human.name}",
        )
    )
    lines = [
        pick(
            (
                "You have a new form submission.",
                f"New lead from {ctx.box.domain}",
                f'Someone filled out the "Contact us" form on {ctx.box.domain}:',
            )
        ),
        "",
        name_fields,
        f"{pick(('Email', 'Work email', 'E-mail'))}: {addr}",
        f"Company: {firm.name}",
    ]
    region = firm.locale.country if rng.random() < 0.6 else None
    if region:
        lines.append(f"Country: {LOCALES[country].country_name}")
    if budget_phrase_:
        lines.append(f"Budget: {budget_phrase_}")
    if tl_phrase:
        lines.append(f"Timeline: {tl_phrase}")
    lines.append(f"Message: {message}")
    lines += ["", "--", f"Sent by {tool}. Manage notifications in your dashboard."]
    text = "\n".join(lines)
    if region is None:
        region = cc_region(firm)
    subject = pick(
        (
            "New submission: Contact us",
            f"[{ctx.box.company}] New form entry",
            "New lead: Book a demo",
            f"Form submission from {human.first}",
        )
    )
    intent = "vendor" if vendor_in_disguise else "lead"
    if vendor_in_disguise:
        budget, timeline = None, "unknown"
    asks_price = (not vendor_in_disguise) and "$" not in message and "price" in message.lower()
    lab = labels(
        intent,
        (human.name, addr),
        (firm.name, firm.domain),
        [] if vendor_in_disguise else [product],
        budget,
        timeline,
        region,
        None if vendor_in_disguise else ("send_pricing" if asks_price else "schedule_demo"),
    )
    return Mail(
        ctx.mail_id,
        intent,
        "en",
        tool,
        relay,
        _inbox(ctx, "sales"),
        subject,
        ctx.date,
        text,
        lab,
        f"Web-form notification from {tool}; the person is in the body"
        + ("; a vendor pitching through the contact form." if vendor_in_disguise else "."),
        shape=shape,
        reply_to=addr,
        auto_submitted=True,
    )


def forwarded_lead(ctx: Ctx, shape: str, as_attachment: bool = False) -> Mail:
    rng, pick = ctx.rng, ctx.pick
    inner = direct_lead(
        ctx, rng.choice(("en", "en", "de", "fr")), "plain7", rng.choice(("short", "full"))
    )
    colleague = pick(ctx.box.colleagues)
    col_addr = colleague.split()[0].lower() + "@" + ctx.box.domain
    note = pick(
        (
            "Can someone from sales pick this up? Came to my personal inbox.",
            "FYI - this landed with me after the conference. Looks like a real lead.",
            "Forwarding, not sure who owns this region.",
            "See below. Please follow up today.",
        )
    )
    sent = ctx.date - timedelta(hours=rng.randint(2, 40))
    if as_attachment:
        text = f"{note}\n\n{colleague.split()[0]}"
        fwd_inner = inner_message(
            inner.sender_name, inner.sender_addr, col_addr, inner.subject, sent, inner.body
        )
    else:
        header = pick(
            (
                "---------- Forwarded message ---------\nFrom: {n} <{a}>\nDate: {d}\nSubject: {s}\nTo: {t}",
                "-----Original Message-----\nFrom: {n} <{a}>\nSent: {d}\nTo: {t}\nSubject: {s}",
                "Begin forwarded message:\n\nFrom: {n} <{a}>\nSubject: {s}\nDate: {d}\nTo: {t}",
            )
        ).format(
            n=inner.sender_name,
            a=inner.sender_addr,
            d=sent.strftime("%a, %d %b %Y at %H:%M"),
            s=inner.subject,
            t=col_addr,
        )
        text = f"{note}\n\n{colleague.split()[0]}\n\n{header}\n\n{inner.body}"
        fwd_inner = None
    mail = Mail(
        ctx.mail_id,
        "lead",
        inner.lang,
        colleague,
        col_addr,
        _inbox(ctx, "sales"),
        f"Fwd: {inner.subject}",
        ctx.date,
        text,
        inner.labels,
        "A colleague forwards a prospect's email"
        + (" as an attached message" if as_attachment else " inline")
        + "; the person is the original sender.",
        shape=shape,
        forward_inner=fwd_inner,
    )
    return mail


def short_lead(ctx: Ctx, shape: str) -> Mail:
    rng, pick = ctx.rng, ctx.pick
    country = rng.choice(("US", "GB", "AU", "DE"))
    human = ctx.world.human(country)
    firm = ctx.world.firm(country)
    addr = ctx.world.address(human, firm)
    product = rng.choice(ctx.box.products)
    body, subj, ask = pick(
        (
            ("Pricing?", f"{product}", "pricing"),
            ("demo pls", "demo", "demo"),
            (f"Interested in {product}. Call me.", "Interested", "demo"),
            ("Send me a quote.", f"{product} quote", "pricing"),
            (f"Can I see {product}?", "Quick one", "demo"),
            ("How much for 20 seats?", "Cost", "pricing"),
        )
    )
    text = f"{body}\n\n{human.first}\n\nSent from my iPhone"
    products = [product] if product in f"{subj} {body}" else []
    return Mail(
        ctx.mail_id,
        "lead",
        "en",
        human.name,
        addr,
        _inbox(ctx, "sales"),
        subj,
        ctx.date,
        text,
        labels(
            "lead",
            (human.name, addr),
            (None, firm.domain),
            products,
            None,
            "unknown",
            cc_region(firm),
            "send_pricing" if ask == "pricing" else "schedule_demo",
        ),
        "Very short lead from a phone; company name never written, so null.",
        shape=shape,
    )


# ---------------------------------------------------------------- support

SUPPORT_ISSUE = {
    "en": (
        "{p} has been showing a blank dashboard since this morning.",
        "The nightly sync from Salesforce into {p} failed three nights in a row.",
        "I can't log in - SSO sends me back to the login page in a loop.",
        "Our invoice for this month charges us for 45 seats but we only have 30.",
        "How do we export the {p} report to CSV? The button is greyed out.",
        "Since your update yesterday the numbers in {p} don't match our CRM.",
        "One of our admins left; how do we transfer ownership of the workspace?",
        "The API returns 500 errors when we call the forecast endpoint.",
        "Alerts from {p} stopped arriving by email last week.",
        "Can you help us add a new currency (CHF) to our account?",
    ),
    "de": (
        "Seit dem Update funktioniert der Export in {p} nicht mehr.",
        "Wir bekommen beim Login eine Fehlermeldung.",
        "Unsere Rechnung ist falsch.",
    ),
    "fr": (
        "Depuis hier, {p} n'affiche plus aucune donnée.",
        "Nous n'arrivons plus à nous connecter.",
        "La facture de ce mois comporte une erreur.",
    ),
    "es": (
        "Desde ayer {p} no muestra datos.",
        "No podemos iniciar sesión desde esta mañana.",
        "La factura de este mes tiene un error.",
    ),
    "pt": ("Desde ontem o {p} não carrega os dados.", "Não conseguimos acessar a conta."),
    "it": ("Da ieri {p} non mostra più i dati.",),
    "nl": ("Sinds gisteren laadt {p} niet meer.",),
}
SUPPORT_CLOSE = {
    "en": (
        "This is blocking our pipeline review on Friday, please help.",
        "Can someone take a look?",
        "Ticket reference would be appreciated.",
        "Screenshot attached.",
        "Thanks in advance.",
        "Urgent - our CFO needs this today.",
    ),
    "de": ("Bitte um kurze Rückmeldung.", "Es ist dringend."),
    "fr": ("Merci de votre aide.", "C'est urgent."),
    "es": ("Gracias por la ayuda.", "Es urgente."),
    "pt": ("Obrigado pela ajuda.",),
    "it": ("Grazie dell'aiuto.",),
    "nl": ("Alvast bedankt.",),
}


def _customer(ctx: Ctx):
    domain = ctx.rng.choice(list(ctx.box.customers))
    name = ctx.box.customers[domain]
    tld = domain.rsplit(".", 1)[1]
    country = {"se": "SE", "es": "ES", "uk": "GB"}.get(
        tld, ctx.rng.choice(("US", "US", "GB", "CA"))
    )
    return domain, name, country


def support_mail(
    ctx: Ctx, lang: str, shape: str, sig_level: str, thread: bool = False, short: bool = False
) -> Mail:
    rng, pick = ctx.rng, ctx.pick
    domain, cname, country = _customer(ctx)
    if lang != "en":
        country = {"de": "DE", "fr": "FR", "es": "ES", "pt": "BR", "it": "IT", "nl": "NL"}[lang]
    human = ctx.world.human(country)
    addr = f"{squash(human.first)}.{squash(human.last)}@{domain}"
    firm = Firm(cname, domain, LOCALES[country])
    product = rng.choice(ctx.box.products)
    issue = pick(SUPPORT_ISSUE[lang]).format(p=product)
    if short:
        body = pick(("Still broken.", "Any update??", "Same error again today.", "Not fixed."))
        sig = Sig(human.first, None)
    else:
        body = f"{greet(pick, lang, ctx.box)}\n\n{issue} {pick(SUPPORT_CLOSE[lang])}"
        sig = signature(rng, pick, human, firm, lang, sig_level)
    if cname not in sig.text and not short:
        body += f"\n\n({cname})" if rng.random() < 0.5 else ""
    text = f"{body}\n\n{sig.text}"
    quoted = None
    in_reply = None
    subject = pick(
        (
            "Problem with {p}",
            "Help: {p}",
            "Issue with our account",
            "Urgent: {p} down",
            "Question",
            "Billing question",
        )
    ).format(p=product)
    if thread or short:
        agent = pick(ctx.box.colleagues)
        quoted = (
            f"On {(ctx.date - timedelta(days=1)).strftime('%a, %b %d, %Y at %I:%M %p')} "
            f"{agent} <support@{ctx.box.domain}> wrote:\n"
            f"> Hi {human.first},\n> thanks for reporting this. We've opened ticket "
            f"#{rng.randint(10000, 99999)} and are looking into {product}.\n> {agent}"
        )
        in_reply = f"<t{rng.randint(10**6, 10**7)}@{ctx.box.domain}>"
        subject = f"Re: {subject}"
    named = cname if (cname in text) else None
    products = [product] if product in f"{subject}\n{body}" else []
    region = sig.region or cc_region(firm)
    return Mail(
        ctx.mail_id,
        "support",
        lang,
        human.name,
        addr,
        _inbox(ctx, rng.choice(("info", "sales"))),
        subject,
        ctx.date,
        text,
        labels("support", (human.name, addr), (named, domain), products, None, "unknown", region),
        f"Customer ({domain}) support request in {lang}"
        + ("; short reply in a thread" if short else "")
        + ("; company name not written, so null" if named is None else "")
        + ".",
        shape=shape,
        quoted=quoted,
        in_reply_to=in_reply,
        attachments=[("screenshot.png", "image/png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(64))]
        if shape == "mixed_attachment"
        else [],
    )


def thread_lead_turns_support(ctx: Ctx, shape: str) -> Mail:
    """A sales thread quoted below; the newest reply, from a customer, reports a problem."""
    mail = support_mail(ctx, "en", shape, "short")
    agent = ctx.pick(ctx.box.colleagues)
    mail.quoted = (
        f"On {(ctx.date - timedelta(days=60)).strftime('%d %b %Y')}, {agent} wrote:\n"
        f"> Great speaking today! As discussed, here is the proposal for "
        f"{ctx.box.products[0]}: 40 seats, $3,000 per month, live next quarter.\n"
        f"> Happy to schedule a demo for your CFO."
    )
    mail.subject = f"Re: Proposal - {ctx.box.products[0]}"
    mail.in_reply_to = f"<p{ctx.rng.randint(10**6, 10**7)}@{ctx.box.domain}>"
    mail.notes = (
        "Thread began as a sales proposal (quoted); the newest reply is a customer "
        "reporting a problem -> support; the quoted budget/timeline are not the reply's."
    )
    mail.labels["interest"]["products"] = [p for p in ctx.box.products if p in mail.body]
    return mail


def thread_support_turns_lead(ctx: Ctx, shape: str) -> Mail:
    """An old support thread quoted; the newest reply is someone at a new company asking to buy."""
    mail = direct_lead(ctx, "en", shape, "full", ask="pricing")
    domain = ctx.rng.choice(list(ctx.box.customers))
    mail.body = (
        f"Hi again! I've moved on from {ctx.box.customers[domain]} and I'm now at a new "
        f"company - we want the same setup here.\n\n" + mail.body
    )
    mail.quoted = (
        f"On {(ctx.date - timedelta(days=200)).strftime('%d %b %Y')}, "
        f"support@{ctx.box.domain} wrote:\n> Your ticket about the CSV export has "
        f"been resolved. Let us know if the error comes back."
    )
    mail.subject = "Re: Ticket resolved - CSV export error"
    mail.in_reply_to = f"<s{ctx.rng.randint(10**6, 10**7)}@{ctx.box.domain}>"
    mail.notes = (
        "Reply on an old support thread from a former customer contact, now at a "
        "prospect company asking for pricing -> lead."
    )
    return mail


# ---------------------------------------------------------------- vendor

VENDOR_PITCH = {
    "en": (
        "We help B2B software companies book 15-25 qualified sales meetings every month through "
        "outbound campaigns. Clients typically see ROI within 60 days.",
        "I run a small design studio; we redesign SaaS websites so more visitors turn into trials. "
        "Our retainers start at $4,000/month.",
        "Our data enrichment API adds firmographics to every CRM record. Could I set up a 20-minute "
        "call to show you how teams like yours use it?",
        "We're an offshore engineering partner with 120 senior Python developers. Want me to send "
        "a few profiles?",
        "I'd love to explore a co-marketing partnership: a joint webinar for our 40,000 "
        "subscribers in revenue operations.",
        "We organise the RevOps Leaders Forum in October and have two sponsorship packages left.",
        "Our office plant service keeps workspaces green for a flat monthly fee. Can I drop by "
        "with a proposal?",
        "We specialise in SOC 2 readiness for startups and can get you audit-ready in 8 weeks.",
        "Is your team still hiring? Our recruiting agency places senior AEs in 3 weeks on average.",
        "We produce explainer videos for software products. Here is a 30-second sample we made "
        "for a company like yours.",
    ),
    "de": (
        "Wir sind eine Agentur für Suchmaschinenoptimierung und helfen Unternehmen wie Ihrem, "
        "mehr Leads zu generieren. Hätten Sie Interesse an einem kurzen Gespräch?",
        "Wir bieten IT-Outsourcing mit erfahrenen Entwicklern aus Polen an.",
    ),
    "fr": (
        "Notre agence accompagne les éditeurs SaaS dans leur stratégie de contenu. Seriez-vous "
        "disponible pour un échange de 15 minutes ?",
    ),
    "es": (
        "Somos una agencia de marketing digital y ayudamos a empresas SaaS a conseguir más "
        "clientes. ¿Le interesaría una llamada breve?",
    ),
    "pt": (
        "Somos uma agência de vídeo e criamos animações para empresas de software. Posso enviar "
        "nosso portfólio?",
    ),
}
VENDOR_SUBJECT = (
    "Quick question",
    "{box} + {v}",
    "Idea for {box}",
    "Partnership opportunity",
    "Helping {box} grow",
    "Re: your website",
    "15 minutes next week?",
    "Interested in {p}",
    "Sponsorship - RevOps Leaders Forum",
)


def vendor_mail(ctx: Ctx, lang: str, shape: str, sig_level: str, posing: bool = False) -> Mail:
    rng, pick = ctx.rng, ctx.pick
    country = rng.choice(
        {
            "en": ("US", "GB", "IN", "CA", "IE", "AU"),
            "de": ("DE",),
            "fr": ("FR",),
            "es": ("ES", "MX"),
            "pt": ("BR", "PT"),
        }[lang]
    )
    human = ctx.world.human(country)
    firm = ctx.world.firm(country)
    addr = ctx.world.address(human, firm)
    pitch = pick(VENDOR_PITCH[lang])
    product = rng.choice(ctx.box.products)
    if posing:
        opener = pick(
            (
                f"I saw {product} and I'm very interested in what you're building.",
                f"We're interested in {product} - but first, a question about your growth.",
                f"Big fan of {product}! Quick idea for you.",
            )
        )
        pitch = f"{opener} {pitch}"
        subject = pick((f"Interested in {product}", f"Re: {product} inquiry", "Demo request?"))
    else:
        subject = pick(VENDOR_SUBJECT).format(
            box=ctx.box.company, v=firm.name.split()[0], p=product
        )
    sig = signature(rng, pick, human, firm, lang, sig_level)
    optout = pick(
        (
            "",
            "\n\nIf this isn't relevant, just reply 'no' and I won't follow up.",
            "\n\nNot the right person? Let me know who is.",
            "\n\nP.S. Reply STOP to opt out.",
        )
    )
    named = firm.name in sig.text
    text = f"{greet(pick, lang, ctx.box)}\n\n{pitch}{optout}\n\n{sig.text}"
    if not named:
        text = text.replace(pitch, f"I'm {human.first} from {firm.name}. {pitch}", 1)
    inbox = _inbox(ctx, rng.choice(("partners", "info", "sales")))
    return Mail(
        ctx.mail_id,
        "vendor",
        lang,
        human.name,
        addr,
        inbox,
        subject,
        ctx.date,
        text,
        labels(
            "vendor",
            (human.name, addr),
            (firm.name, firm.domain),
            [],
            None,
            "unknown",
            sig.region or cc_region(firm),
        ),
        "Vendor pitch"
        + (" posing as a lead (mentions our product, then sells)" if posing else "")
        + f"; {lang}.",
        shape=shape,
    )


# ---------------------------------------------------------------- job applicants

APPLY = {
    "en": (
        "I'd like to apply for the {role} role I saw on your careers page. My CV is attached.",
        "Please find attached my resume for the {role} position. I have {y} years of experience.",
        "Are you hiring? I'm a {role} with {y} years in B2B SaaS and would love to join.",
        "I'm writing to express my interest in the {role} opening.",
    ),
    "de": (
        "Hiermit bewerbe ich mich auf die Stelle als {role}. Meinen Lebenslauf finden Sie im Anhang.",
    ),
    "fr": (
        "Je vous adresse ma candidature pour le poste de {role}. Vous trouverez mon CV en pièce jointe.",
    ),
    "es": ("Les escribo para postularme al puesto de {role}. Adjunto mi currículum.",),
    "pt": ("Gostaria de me candidatar à vaga de {role}. Segue meu currículo em anexo.",),
    "it": ("Vi scrivo per candidarmi alla posizione di {role}. In allegato il mio CV.",),
}
ROLES = (
    "Account Executive",
    "Data Engineer",
    "Customer Success Manager",
    "SDR",
    "Senior Frontend Engineer",
    "Product Designer",
    "Solutions Consultant",
)


def applicant_mail(ctx: Ctx, lang: str, shape: str, ats: bool = False) -> Mail:
    rng, pick = ctx.rng, ctx.pick
    country = rng.choice(
        {
            "en": ("US", "GB", "IN", "CA", "IE"),
            "de": ("DE",),
            "fr": ("FR",),
            "es": ("ES", "MX"),
            "pt": ("BR", "PT"),
            "it": ("IT",),
        }[lang]
    )
    human = ctx.world.human(country)
    addr = ctx.world.address(human, None)
    role = rng.choice(ROLES)
    loc = LOCALES[country]
    if ats:
        tool, relay = pick(
            (
                ("Staffwell ATS", "notifications@staffwell-ats.com"),
                ("Hirebase", "no-reply@hirebase.io"),
                ("TalentDock", "noreply@talentdock.net"),
            )
        )
        city = rng.choice(loc.cities)[0].split(",")[-1].strip()
        show_loc = rng.random() < 0.6
        text = (
            f"{human.name} has applied for {role}.\n\nCandidate: {human.name}\nEmail: {addr}\n"
            + (f"Location: {city}, {loc.country_name}\n" if show_loc else "")
            + f"Source: LinkedIn\n\nView the application in {tool}.\n"
        )
        return Mail(
            ctx.mail_id,
            "job_applicant",
            "en",
            tool,
            relay,
            f"jobs@{ctx.box.domain}",
            f"New application: {role} - {human.name}",
            ctx.date,
            text,
            labels(
                "job_applicant",
                (human.name, addr),
                None,
                (),
                None,
                "unknown",
                loc.country if show_loc else None,
            ),
            "Applicant-tracking notification; the candidate is in the body.",
            shape=shape,
            auto_submitted=True,
        )
    body = pick(APPLY[lang]).format(role=role, y=rng.randint(2, 12))
    city, phone = rng.choice(loc.cities)
    show = rng.random() < 0.6
    sig = f"{pick(SIGNOFFS[lang])}\n{human.name}" + (
        f"\n{city}\n+{loc.phone_prefix} {phone}" if show else ""
    )
    text = f"{greet(pick, lang, ctx.box)}\n\n{body}\n\n{sig}"
    cv_name = pick(("CV_{n}.pdf", "{n}_Resume.pdf", "Lebenslauf_{n}.pdf", "curriculum_{n}.pdf"))
    attach = [
        (cv_name.format(n=human.last.replace(" ", "_")), "application/pdf", fake_pdf(human.name))
    ]
    subject = pick(
        (
            "Application - {r}",
            "{r} position",
            "Job application: {r}",
            "Candidature - {r}",
            "Open roles?",
        )
    ).format(r=role)
    return Mail(
        ctx.mail_id,
        "job_applicant",
        lang,
        human.name,
        addr,
        _inbox(ctx, rng.choice(("info", "sales"))),
        subject,
        ctx.date,
        text,
        labels(
            "job_applicant",
            (human.name, addr),
            None,
            (),
            None,
            "unknown",
            country if show else None,
        ),
        f"Job application in {lang} with a PDF CV; company null.",
        shape="mixed_attachment" if shape == "plain7" else shape,
        attachments=attach,
    )


# ---------------------------------------------------------------- newsletters

PUBLISHERS = (
    ("The Forecast Desk", "forecastdesk.com", "Forecast Desk Media LLC", "US"),
    ("RevOps Weekly", "revopsweekly.co", "RevOps Weekly Ltd", "GB"),
    ("SaaS Metrics Digest", "saasmetrics.news", "Metricfold Inc.", "US"),
    ("Vertrieb Heute", "vertrieb-heute.de", "Vertrieb Heute Verlag GmbH", "DE"),
    ("Le Journal du B2B", "journaldub2b.fr", "Éditions Carrefour B2B SAS", "FR"),
    ("Logistics Pulse", "logisticspulse.com", "Pulse Publishing Corp.", "US"),
    ("Data Tooling Roundup", "datatooling.dev", "Data Tooling Roundup", None),
    ("Boletín Comercial", "boletincomercial.es", "Boletín Comercial S.L.", "ES"),
    ("CloudCost Insider", "cloudcost.io", "CloudCost Insider Inc.", "US"),
    ("Ledgerwise product updates", "ledgerwise.com", "Ledgerwise Pty Ltd", "AU"),
    ("The Pipeline Post", "pipelinepost.com", "Pipeline Post Media Inc.", "CA"),
    ("Nordic SaaS Letter", "nordicsaas.se", "Nordic SaaS Letter AB", "SE"),
)
ADDRESSES = {
    "US": "548 Market St #4410, San Francisco, CA 94104, USA",
    "GB": "71-75 Shelton Street, London WC2H 9JQ, United Kingdom",
    "DE": "Torstraße 109, 10119 Berlin, Deutschland",
    "FR": "12 rue Boulanger, 75010 Paris, France",
    "ES": "Calle Mayor 4, 28013 Madrid, España",
    "AU": "20 Bond St, Sydney NSW 2000, Australia",
    "CA": "100 Queen St W, Toronto, ON M5H 2N2, Canada",
    "SE": "Götgatan 22, 118 46 Stockholm, Sweden",
}


def newsletter_mail(ctx: Ctx, shape: str, headers: bool = True) -> Mail:
    rng, pick = ctx.rng, ctx.pick
    title, domain, legal, country = pick(PUBLISHERS)
    issue = rng.randint(40, 300)
    items = pick(
        (
            (
                "Why most forecasts miss by 20%",
                "Five renewal metrics boards ask about",
                "Interview: building a RevOps team from zero",
            ),
            ("Release 4.2: faster imports", "New: Slack alerts", "Deprecated: v1 API on 30 June"),
            ("The state of B2B pricing", "Event recap", "Jobs board"),
        )
    )
    body = (
        f"{title} - Issue #{issue}\n\n"
        + "\n\n".join(
            f"* {i}\n  Read more: https://{domain}/p/{issue}{n}" for n, i in enumerate(items)
        )
        + f"\n\nYou are receiving this because you subscribed at {domain}.\n"
        f"Unsubscribe: https://{domain}/unsubscribe\n\n{legal}"
        + (f", {ADDRESSES[country]}" if country else "")
    )
    return Mail(
        ctx.mail_id,
        "newsletter",
        "en",
        title,
        f"hello@{domain}" if rng.random() < 0.5 else f"news@{domain}",
        _inbox(ctx, "info"),
        pick((f"{title} #{issue}: {items[0]}", items[0], f"This week: {items[1]}")),
        ctx.date,
        body,
        labels("newsletter", None, (legal, domain), (), None, "unknown", country),
        "Bulk newsletter; company is the publisher's legal name in the footer"
        + ("" if headers else "; no List-Unsubscribe/Precedence headers")
        + ".",
        shape=shape,
        list_unsubscribe=headers,
        bulk=headers and rng.random() < 0.6,
    )


# ---------------------------------------------------------------- spam and phishing


def spam_mail(ctx: Ctx, shape: str, kind: str) -> Mail:
    rng = ctx.rng
    own = ctx.box.domain
    ceo_first = ctx.box.ceo.split()[0]
    cust = rng.choice(list(ctx.box.customers))
    kinds = {
        "quota": (
            "IT Helpdesk",
            f"it-support@{own}",
            ("fail", "fail", "fail"),
            "Mailbox storage limit reached",
            "Your mailbox has exceeded its storage quota and incoming messages are on hold.\n\n"
            f"Click here to release held messages: http://{own}.mail-quota.example.com/login\n\nIT Helpdesk",
        ),
        "docusign": (
            "DocuSign via Signing",
            "sign@docu-sign-review.net",
            ("none", "softfail", "fail"),
            "Document shared with you: Q3 contract amendment",
            "A document has been shared with you for review and signature.\n\nREVIEW DOCUMENT\n\n"
            "Sign in with your email account to view. This link expires in 24 hours.",
        ),
        "ceo": (
            ctx.box.ceo,
            f"{ceo_first.lower()}.office{rng.randint(1, 99)}@gmail.com",
            ("pass", "pass", "none"),
            "Quick favour",
            f"Are you at your desk? I need you to buy 6 Apple gift cards for a client today. "
            f"I'm in meetings, reply by email only.\n\n{ceo_first}\nSent from my iPhone",
        ),
        "invoice": (
            "Accounts Payable",
            f"ap@{cust}",
            ("none", "fail", "fail"),
            "Remittance advice - payment overdue",
            "Please find the remittance advice for your overdue invoice. Update your bank "
            "details via the secure payment portal within 48 hours to avoid suspension.",
        ),
        "crypto": (
            "Elena from CoinHarbor",
            "elena@coinharbor-yield.biz",
            ("none", "softfail", "none"),
            "Re: your allocation",
            "Congratulations! Your 1.8 BTC allocation is ready. Guaranteed 30% "
            "monthly returns, risk-free. Claim within 24 hours.",
        ),
        "lottery": (
            "International Lottery Board",
            "claims@intl-lotto-board.org",
            ("none", "neutral", "none"),
            "WINNER NOTIFICATION",
            "Dear beneficiary, you have won USD 2,500,000.00 in our annual "
            "e-mail draw. Kindly send your full name, address and phone number to claim.",
        ),
        "seo": (
            "Ravi Web Solutions",
            f"raviwebseo{rng.randint(10, 99)}@gmail.com",
            ("pass", "pass", "none"),
            "Re: website ranking",
            "Dear Sir/Madam, your website is not ranking on Google first page. "
            "We will give 100% guaranteed first page ranking. Reply for price list. This is not spam.",
        ),
        "password": (
            "Microsoft 365",
            "no-reply@m365-account-verify.com",
            ("fail", "fail", "none"),
            "Action required: password expires today",
            "Your password expires today. Confirm your current password to keep using your "
            "account: https://m365-account-verify.com/keep\n\nMicrosoft account team",
        ),
        "voicemail": (
            "Voice Message",
            f"voicemail@{own}",
            ("fail", "softfail", "fail"),
            "New voicemail (0:42) from +1 202 555 0100",
            "You received a new voice message. Listen: sign in with your work account to play "
            "the recording. Audio will be deleted in 24 hours.",
        ),
        "list": (
            "Data Leads",
            "mike@b2bcontactdata.example.org",
            ("none", "pass", "none"),
            "Attendees list",
            "Hi, Would you be interested in acquiring the attendees list of SaaStr "
            "2026? 12,480 verified contacts. Let me know and I'll send pricing. Reply REMOVE to opt out.",
        ),
        "de_phish": (
            "Sparkasse Sicherheit",
            "sicherheit@sparkasse-konto-pruefung.info",
            ("none", "fail", "none"),
            "Ihr Konto wurde gesperrt",
            "Sehr geehrter Kunde, Ihr Konto wurde gesperrt. Bitte "
            "bestätigen Sie Ihre Daten innerhalb von 24 Stunden über den folgenden Link.",
        ),
        "es_scam": (
            "Herencia Fundación",
            "abogado.herencia@yahoo.es",
            ("pass", "pass", "none"),
            "Herencia pendiente",
            "Estimado amigo, le escribo por una herencia de 4.5 millones de "
            "dólares de un pariente lejano. Necesito sus datos bancarios para la transferencia.",
        ),
        "short": (
            "Anna",
            f"anna{rng.randint(100, 999)}@mail-ru-secure.example.net",
            ("none", "softfail", "none"),
            "hi",
            "hello dear, i see your profile. write me",
        ),
    }
    name, addr, auth, subject, body = kinds[kind]
    return Mail(
        ctx.mail_id,
        "spam",
        "de" if kind == "de_phish" else "es" if kind == "es_scam" else "en",
        name,
        addr,
        _inbox(ctx, rng.choice(("info", "sales"))),
        subject,
        ctx.date,
        body,
        labels("spam", None, None, (), None, "unknown", None),
        f"Spam/phishing ({kind}); junk senders are not recorded.",
        shape=shape,
        auth=auth,
    )
