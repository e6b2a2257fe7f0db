"""The keyword cues that vote for each intent, per language; a strong cue counts three
times a weak one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from triage.domain.extraction.buying_phrases import PRICE_ASKS_MORE_LANGUAGES
from triage.domain.extraction.text import cue


@dataclass(frozen=True)
class Cues:
    """Phrases that vote for one intent; a strong one counts three times a weak one."""

    strong: re.Pattern[str]
    weak: re.Pattern[str]

    def score(self, text: str) -> int:
        return 3 * _distinct(self.strong, text) + _distinct(self.weak, text, unless_negated=True)


# A weak cue right after a negation says the opposite: "not a problem", "rien d'urgent",
# "sem pressa" (strong cues carry their own negation: "not working"). Not "no": Portuguese
# "no LinkedIn" is "on LinkedIn".
_NEGATION = re.compile(
    r"(?<!\w)(?:not|nothing|never|without|rien|pas|aucune?|sans|nicht|nichts|kein\w*|ohne|nada|"
    r"ningun[oa]?|sin|niente|nessun[oa]?|senza|não|nenhum[a]?|sem|geen|niet|zonder|ingen|inte|"
    r"ikke|uden|utan|uten|ei|nie|bez|nem|semmi)(?:\s+(?:a|an|the|un|une|uno|una|um|uma|een|en|et|ein|eine|einen))?\s+(?:\w['’])?$",
    re.IGNORECASE,
)


def _distinct(pattern: re.Pattern[str], text: str, unless_negated: bool = False) -> int:
    return len({
        match.group(0).lower()
        for match in pattern.finditer(text)
        if not (unless_negated and _NEGATION.search(text, max(0, match.start() - 40), match.start()))
    })  # fmt: skip



INTENT_CUES: dict[str, Cues] = {
    "lead": Cues(
        strong=cue(
            r"demo", r"demonstration", r"walkthrough", r"pricing", r"price list", r"(?:a|formal) quote",
            r"quote (?:request|for)", r"quotation", r"free trial", r"trial", r"purchas(?:e|ing)",
            r"licen[cs]es", r"procurement", r"rfp", r"request for proposal",
            r"evaluat(?:e|ing|ion)", r"interested in (?:your|the|a)", r"budget(?:ed)?", r"pilot",
            r"shortlist",
            r"anfrage", r"angebot", r"preise", r"preisliste", r"vorführung", r"interessier(?:t|en)",
            r"lizenzen", r"testversion",
            r"devis", r"tarifs?", r"tarification", r"démo", r"démonstration", r"intéressée?s?",
            r"essai gratuit",
            r"presupuesto", r"cotización", r"precios", r"demostración", r"interesad[oa]s?",
            r"nos interesa", r"me interesa", r"demonstração", r"temos interesse", r"cotação",
            r"tabela de preços", r"siamo interessati", r"preventivo", r"listino", r"geïnteresseerd",
            r"offerte",
            *PRICE_ASKS_MORE_LANGUAGES,
            # Nordic, Finnish, Polish, Czech, Slovak, Hungarian: interest, a system sought, a trial
            r"interessert", r"intresserad\w*", r"interesseret", r"kiinnostu\w*", r"zainteresowan\w*",
            r"mám(?:e)? zájem", r"máme záujem", r"érdekel\w*", r"érdeklőd\w*",
            r"trenger (?:et |en )?(?:nytt? )?(?:system|verktøy|løsning|program)",
            r"behöver (?:ett |en )?(?:nytt? )?(?:system|verktyg|lösning|program)",
            r"har brug for (?:et |en )?(?:nyt? )?(?:system|værktøj|løsning|program)",
            r"tarvitsemme (?:uuden )?(?:järjestelmän|ohjelman|työkalun)",
            r"szukamy (?:\w+ ){0,2}(?:systemu|programu|narzędzia|rozwiązania)",
            r"hledáme (?:\w+ ){0,2}(?:systém|program|nástroj|řešení)",
            r"hľadáme (?:\w+ ){0,2}(?:systém|program|nástroj|riešenie)",
            r"(?:rendszert|programot|megoldást) keres\w*", r"prøveperiode", r"provperiod",
            r"kokeilujakso\w*", r"wersj\w* próbn\w*", r"zkušební (?:verz|dob)\w*",
            r"skúšobn\w* (?:verz|dob)\w*", r"próbaidősz\w*",
            # "could you show it to us online?": a demo in Czech, Slovak and Polish
            r"(?:dá se|můžete|mohli byste|dalo by se) (?:\w+ ){0,2}ukázat", r"předvedení",
            r"(?:dá sa|môžete|mohli by ste) (?:\w+ ){0,2}ukázať", r"(?:możecie|można) (?:\w+ ){0,2}pokazać",
        ),
        weak=cue(
            r"looking for a (?:solution|tool|platform|vendor)", r"how much",
            r"roll(?:ing)? ?out", r"\d+ (?:users|seats|reps)", r"get started", r"switch(?:ing)? from",
            r"replace our", r"alternative to", r"our team", r"use case", r"sign up", r"seats",
            r"notre équipe", r"nuestro equipo", r"unser team", r"prueba",
        ),
    ),
    "support": Cues(
        strong=cue(
            r"not working", r"(?:doesn't|does not|don't|isn't|is not|won't|haven't) (?:work|load|sync|refresh)\w*",
            r"stopped working", r"error", r"bug", r"broken", r"crash(?:es|ed|ing)?", r"outage",
            r"(?:is|are|went) down", r"can'?t (?:log|sign) ?in", r"cannot (?:log|sign) ?in",
            r"unable to", r"can'?t access", r"cannot access", r"locked out",
            r"reset (?:my|our) password", r"password reset", r"ticket", r"issue with",
            r"problem with", r"fail(?:s|ing|ed)", r"stuck", r"missing", r"incident",
            r"funktioniert nicht", r"fehler(?:meldung)?", r"störung", r"geht nicht",
            r"kein zugriff", r"ausfall", r"absturz",
            r"ne fonctionne (?:pas|plus)", r"ne marche (?:pas|plus)", r"erreur", r"panne",
            r"impossible de",
            r"no funciona", r"fallo", r"incidencia", r"no puedo",
            # Italian, Portuguese, Dutch, Nordic, Finnish, Polish, Czech, Slovak, Hungarian, Japanese
            r"non funziona", r"non riesco", r"errore", r"guasto", r"não funciona", r"não consigo",
            r"stopped (?:\w+ing)", r"i(?:'ve| have) already tried", r"we(?:'re| are) (?:a )?customers? of",
            r"parou de \w+", r"deixou de \w+", r"já tentei", r"somos clientes", r"dejó de \w+",
            r"ya (?:he|hemos) (?:intentado|probado)", r"a cessé de \w+", r"j'ai déjà essayé",
            r"nous sommes clients?", r"ha smesso di \w+", r"ho già provato", r"siamo clienti",
            r"hat aufgehört", r"(?:schon|bereits) (?:\w+ )?versucht", r"wir sind (?:seit \w+ )?kunden?",
            # a forgotten password, no access: a user of ours, not a phish (which asks to *confirm* one)
            r"forgot (?:my |the )?password", r"esqueci (?:a |minha |a minha )?senha",
            r"olvidé (?:mi |la )?contraseña", r"mot de passe oublié", r"oublié (?:mon|le) mot de passe",
            r"passwort vergessen", r"password dimenticata", r"ho dimenticato la password",
            r"wachtwoord vergeten", r"glömt (?:mitt |lösenordet)\w*", r"glemt (?:passordet|adgangskoden)",
            r"unohdin salasan\w*", r"zapomnia\w* hasł\w*", r"zapomněl\w* heslo", r"zabudol\w* heslo",
            r"elfelejtettem a jelszav\w*", r"não tenho acesso", r"no tengo acceso",
            r"je n'ai (?:pas|plus) accès", r"non ho (?:più )?accesso", r"geen toegang",
            r"ingen (?:tilgang|åtkomst|adgang)", r"brak dostępu", r"nemám přístup", r"nemám prístup",
            r"erro", r"avaria", r"werkt niet", r"storing", r"foutmelding", r"kan niet inloggen",
            r"fungerar inte", r"felmeddelande", r"fungerer ikke", r"virker ikke", r"feilmelding",
            r"fejlmeddelelse", r"ei toimi", r"virheilmoitu\w*", r"nie działa", r"błąd\w*",
            r"awari\w*", r"nefunguje", r"nefunkčn\w*", r"chybov\w* hláš\w*", r"výpadek",
            r"(?:can'?t|cannot|can not) (?:add|create|save|export|import|print|upload|connect)\b",
            r"limit reached", r"stürzt\w*", r"please fix", r"can'?t (?:pay|book|check ?out)",
            r"no se (?:confirma|carga|sincroniza|guarda|actualiza|procesa)n?",
            r"(?:se quedan?|quedan?|ficam?|fica) (?:en |em )?\W?pendientes?",
            r"výpadok", r"nem működik", r"hibaüzenet", r"動かない", r"エラー", r"不具合", r"障害",
            # the screen freezes: what a user says before they know the word "outage"
            r"freez(?:es|ing)", r"froze", r"planté(?:e|s)?", r"se fige\w*", r"friert ein",
            r"hängt sich auf", r"se (?:cuelga|congela|bloquea)", r"si blocca", r"(?:trava|travou|congelou)",
            r"loopt vast", r"zawiesza się", r"zamrz\w*",
        ),
        weak=cue(
            r"help", r"support", r"our account", r"invoice", r"billing", r"refund", r"renewal",
            r"subscription", r"problem", r"issue", r"urgent", r"question", r"configur\w+",
            r"hilfe", r"rechnung", r"aide", r"facture", r"problème", r"ayuda", r"factura",
            r"problema", r"hotline", r"restart(?:ed)?", r"redémarr\w*", r"neu gestartet",
        ),
    ),
    "vendor": Cues(
        strong=cue(
            r"we help (?:\w+ ){0,2}(?:companies|businesses|teams|brands|startups|firms|saas)",
            r"we speciali[sz]e", r"(?:our|an?) agency", r"outsourc\w*", r"offshore",
            r"white[- ]label", r"lead gen(?:eration)?", r"seo", r"backlinks?", r"guest post",
            r"partnerships?", r"partner program", r"partner with you", r"co-marketing",
            r"referral (?:share|fee|commission)", r"reseller", r"affiliate", r"our services",
            r"our (?:solution|platform|tool|software|team) (?:helps|can help|enables)",
            r"we can help you", r"increase your", r"boost your", r"grow your", r"scale your",
            r"would you be open to", r"open to a (?:quick|short|brief|free)", r"\d{2}[- ]minutes? (?:call|chat|teardown|audit)",
            r"quick call", r"worth a (?:chat|conversation)", r"i'?d love to show you",
            r"(?:free|quick) (?:\d{2}[- ]minute )?(?:audit|teardown|review|assessment)",
            r"(?:packages|retainers|plans) (?:start|starts) at", r"pricing is per",
            r"(?:teams|companies|tools?|businesses) (?:like|similar to) yours",
            r"we recently helped", r"recent work includes", r"can i send (?:it|you|over|a|the)",
            r"for (?:b2b|saas)(?: \w+)? (?:companies|sites|websites|teams|brands|businesses)",
            r"we (?:usually|typically|recently|often) (?:lift|help|increase|boost|grow|double|see)",
            r"our clients", r"across our clients",
            r"appointment setting", r"qualified meetings", r"dedicated developers",
            r"staff augmentation", r"sponsor(?:ship)?", r"not the right person", r"opt out",
            r"rather not hear from me",
            r"wir helfen (?:\w+ ){0,2}unternehmen", r"agentur", r"partnerschaft", r"kooperation",
            r"unsere dienstleistungen", r"nous aidons (?:\w+ ){0,2}entreprises", r"notre agence",
            r"partenariat", r"nos services", r"ayudamos a (?:\w+ ){0,2}(?:empresas|compañías)",
            r"nuestra agencia", r"alianza", r"nuestros servicios",
            r"somos una (?:agencia|consultora|empresa de)", r"distribuidor exclusivo",
            r"(?:i )?wanted to introduce", r"allow me to introduce", r"nearshore",
            r"je souhaitais vous présenter", r"quería presentarle", r"queria apresentar",
            r"vorrei presentarvi", r"ich möchte ihnen (?:unser|unsere) \w+ vorstellen",
            r"nous sommes une (?:agence|société de|entreprise de)", r"distributeur exclusif",
            r"devis de renouvellement", r"proposition de renouvellement", r"renewal (?:quote|proposal)",
            r"wir sind eine (?:agentur|beratung)", r"verlängerungsangebot",
            # a supplier billing the mailbox: the amount is due from us
            r"amount due", r"payable (?:by|within|on|before)",
            r"please find (?:attached|enclosed) (?:our |the )?invoice",
            r"zahlbar (?:bis|innerhalb)", r"montant dû", r"à régler (?:avant|sous)", r"importe a pagar",
            r"valor a pagar", r"importo dovuto", r"te betalen bedrag", r"förfallodag\w*",
            r"forfallsdato", r"forfaldsdato", r"betales senest", r"eräpäivä", r"do zapłaty",
            r"termin płatności", r"k úhradě", r"k úhrade", r"datum splatnosti", r"dátum splatnosti",
            r"fizetendő", r"fizetési határidő",
            # Italian, Portuguese, Dutch, Nordic, Finnish, Polish, Czech, Slovak, Hungarian, Japanese
            r"la nostra agenzia", r"siamo un'agenzia", r"i nostri servizi",
            r"aiutiamo (?:\w+ ){0,2}aziende", r"proposta di (?:collaborazione|partnership)",
            r"(?:a )?nossa agência", r"somos uma (?:agência|consultora|empresa de)",
            r"(?:os )?nossos serviços", r"ajudamos (?:\w+ ){0,2}empresas", r"parceria",
            r"proposta de parceria", r"ons bureau", r"wij helpen (?:\w+ ){0,2}bedrijven",
            r"onze diensten", r"partnerschap", r"vår byrå", r"vi hjälper (?:\w+ ){0,2}företag",
            r"våra tjänster", r"partnerskap", r"vårt byrå", r"vi hjelper (?:\w+ ){0,2}bedrifter",
            r"våre tjenester", r"vores bureau", r"vi hjælper (?:\w+ ){0,2}virksomheder",
            r"vores ydelser", r"partnerskab", r"toimistomme", r"autamme (?:\w+ ){0,2}yrityksiä",
            r"palvelumme", r"kumppanuu\w*", r"nasza agencja", r"pomagamy (?:\w+ ){0,2}firmom",
            r"nasze usługi", r"partnerstw\w*", r"naše agentura", r"pomáháme (?:\w+ ){0,2}firmám",
            r"naše služby", r"partnerství", r"naša agentúra", r"pomáhame (?:\w+ ){0,2}firmám",
            r"partnerstvo", r"ügynökségünk", r"segítünk (?:\w+ ){0,2}cégeknek",
            r"szolgáltatásaink", r"partnerség\w*", r"弊社のサービス", r"業務提携", r"代理店",
        ),
        weak=cue(
            r"book a (?:call|time|meeting)", r"calendly", r"my calendar", r"collaboration",
            r"zusammenarbeit", r"colaboración", r"roi", r"agency", r"agencia", r"studio",
            r"integration", r"our customers", r"we (?:make|produce|create|design|build) \w+",
            r"reseller", r"revendeur", r"rivenditore", r"revendedor", r"distribuidor", r"distributeur",
            r"collaborazione", r"colaboração", r"samenwerking", r"samarbete", r"samarbeid",
            r"samarbejde", r"yhteistyö\w*", r"współprac\w*", r"spolupráce", r"spolupráca",
            r"együttműködés\w*", r"ご提案", r"agenzia", r"agência", r"bureau", r"byrå", r"agencja",
            r"agentura", r"agentúra", r"ügynökség",
        ),
    ),
    "job_applicant": Cues(
        strong=cue(
            r"resume", r"résumé", r"cv", r"curriculum vitae", r"cover (?:letter|note)",
            r"my application", r"job application", r"new application", r"application\s*[-:–]",
            r"appl(?:y|ying) for", r"application for", r"job opening", r"open position",
            r"vacancy", r"internship", r"applied (?:on|via|for)", r"hiring (?:team|manager)",
            r"recruiting team",
            r"bewerbung", r"lebenslauf", r"anschreiben", r"stellenanzeige", r"bewerbe mich",
            r"praktikum", r"candidature", r"lettre de motivation", r"offre d'emploi", r"postuler",
            r"candidatura", r"currículum", r"carta de presentación", r"solicitud de empleo",
            r"oferta de empleo", r"vacante", r"postular",
            # Italian, Portuguese, Dutch, Nordic, Finnish, Polish, Czech, Slovak, Hungarian
            r"tirocinio", r"stage curricolare", r"candidatar-me", r"estágio", r"currículo", r"vaga (?:de|para)",
            r"sollicitatie",
            r"solliciteren", r"ansökan", r"søknad", r"ansøgning", r"praktikplats",
            r"työhakemus", r"ansioluettelo", r"harjoittelu\w*", r"życiorys", r"staż\w*",
            r"aplikuję", r"rekrutacj\w*", r"životopis\w*", r"stáž\w*",
            r"přihlášk\w*", r"uchádza\w*", r"önéletrajz\w*", r"gyakornok\w*",
        ),
        weak=cue(
            r"position", r"role", r"years of experience", r"careers?(?: page| portal)?",
            r"portfolio", r"linkedin", r"hiring", r"stelle", r"poste", r"puesto", r"candidate",
        ),
    ),
    "spam": Cues(
        strong=cue(
            r"bitcoin", r"btc", r"crypto(?:currency)?", r"lottery", r"you(?:'ve| have) won",
            r"inheritance", r"beneficiary", r"next of kin", r"wire transfer", r"western union",
            r"moneygram", r"verify your (?:account|identity|email|mailbox)",
            r"account (?:has been |was |will be )?(?:suspended|locked|compromised|deactivated)",
            r"confirm your (?:password|credentials|account|login|bank(?:ing)? details|payment details)",
            r"password (?:will )?expires?", r"unusual sign[- ]in", r"gift ?cards?",
            r"claim (?:your|my|within)", r"million (?:dollars|usd)", r"viagra", r"casino",
            r"investment opportunity", r"guaranteed (?:\d+% )?(?:\w+ )?(?:returns?|profit)",
            r"100% free", r"risk[- ]free", r"mailbox (?:is )?full", r"(?:storage|quota) (?:limit|exceeded|is full)",
            r"payment (?:is )?overdue", r"dear (?:friend|beneficiary|winner|partner)",
            r"final notice", r"action required", r"not an invoice",
            r"search engine (?:submission|registration|listing)", r"this is not (?:a )?spam",
            r"reply with \W?remove", r"release (?:held|your) messages", r"remittance advice",
            r"confirm your (?:current )?password", r"sign in with your (?:work |email )?account",
            r"(?:has been|was) shared with you", r"avoid (?:lockout|suspension|deactivation)",
            r"expires? (?:today|in \d+ hours)",
            r"gewinner", r"gewonnen", r"erbschaft", r"konto (?:wurde )?gesperrt",
            r"gagnant", r"héritage", r"compte (?:a été )?suspendu",
            r"ganador", r"herencia", r"cuenta suspendida",
            r"carte[- ]cadeau", r"tarjetas? regalo", r"buon[oi] regalo", r"cart(?:ão|ões) presente",
            r"cadeaukaart\w*", r"presentkort", r"gavekort", r"lahjakort\w*", r"kart\w* podarunkow\w*",
            r"dárkov\w* kart\w*", r"ajándékkártyá?\w*", r"ギフトカード",
            r"account sospeso", r"verifica il tuo account", r"conta suspensa", r"verifique a sua conta",
            r"account geblokkeerd", r"verifieer je account", r"kontot (?:har )?spärrats",
            r"verifiera ditt konto", r"kontoen (?:din )?er sperret", r"tili on suljettu",
            r"konto zostało zablokowane", r"zweryfikuj (?:swoje )?konto", r"účet (?:byl )?zablokován",
            r"ověřte svůj účet", r"fiókját felfüggesztettük", r"erősítse meg (?:a )?fiókját",
            r"アカウントが停止", r"本人確認",
            # payment diversion: "our bank details have changed, pay the new account"
            r"(?:our|the) new (?:bank )?account", r"(?:new|updated|changed) bank(?:ing)? details",
            r"not the one on the invoice", r"neue bankverbindung", r"geänderte bankverbindung",
            r"nouvelles coordonnées bancaires", r"nouveau rib", r"nuevos datos bancarios",
            r"nueva cuenta bancaria", r"nuove coordinate bancarie", r"nuovo iban",
            r"novos dados bancários", r"nova conta bancária", r"nieuwe bankgegevens",
            r"nieuw rekeningnummer", r"nya bankuppgifter", r"nye bankopplysninger",
            r"nye bankoplysninger", r"uudet pankkitiedot", r"nowy numer (?:konta|rachunku)",
            r"nowy rachunek(?: bankowy)?", r"nowe konto bankowe", r"nový (?:bankovní )?účet",
            r"új bankszáml\w*",
            r"nové číslo účtu", r"nové bankové spojenie", r"új bankszámlaszám",
            # the chief executive's "quick favour" from a private address
            r"are you (?:at|on) your desk", r"(?:handle|do) (?:something|this) (?:for me )?discreetly",
            r"keep this (?:between us|confidential)", r"êtes-vous à votre bureau",
            r"en toute discrétion", r"sind sie (?:gerade )?am (?:platz|schreibtisch)",
            r"¿?está en (?:su|la) oficina", r"sei in ufficio",
        ),
        weak=cue(
            r"click (?:here|below)", r"act now", r"limited time", r"urgent(?:ly)?", r"kindly",
            r"password", r"passwort", r"mot de passe", r"contraseña", r"congratulations",
            r"loan", r"within (?:24|48|72) hours", r"winner", r"secure payment",
            r"wachtwoord", r"lösenord", r"passord", r"adgangskode", r"salasana", r"hasło", r"heslo",
            r"jelszó", r"パスワード", r"senha", r"vincitore", r"vencedor", r"entro 24 ore",
        ),
    ),
    "newsletter": Cues(
        strong=cue(
            r"newsletter", r"unsubscribe", r"view (?:this email )?in (?:your )?browser",
            r"weekly digest", r"this week'?s", r"issue #?\d+", r"abmelden", r"se désinscrire",
            r"désabonner", r"darse de baja",
        ),
        weak=cue(r"digest", r"edition", r"webinar", r"read more", r"top stories", r"release notes"),
    ),
}
