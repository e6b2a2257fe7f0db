"""The keyword cues that vote for each intent, per language; a strong cue counts three
times a weak one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from triage.domain.extraction.text import cue


@dataclass(frozen=True)
class Cues:
    """Phrases that vote for one intent; a strong one counts three times a weak one."""

    strong: re.Pattern[str]
    weak: re.Pattern[str]

    def score(self, text: str) -> int:
        return 3 * _distinct(self.strong, text) + _distinct(self.weak, text)


def _distinct(pattern: re.Pattern[str], text: str) -> int:
    return len({match.group(0).lower() for match in pattern.finditer(text)})


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
        ),
        weak=cue(
            r"help", r"support", r"our account", r"invoice", r"billing", r"refund", r"renewal",
            r"subscription", r"problem", r"issue", r"urgent", r"question", r"configur\w+",
            r"hilfe", r"rechnung", r"aide", r"facture", r"problème", r"ayuda", r"factura",
            r"problema",
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
        ),
        weak=cue(
            r"book a (?:call|time|meeting)", r"calendly", r"my calendar", r"collaboration",
            r"zusammenarbeit", r"colaboración", r"roi", r"agency", r"agencia", r"studio",
            r"integration", r"our customers", r"we (?:make|produce|create|design|build) \w+",
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
            r"tirocinio", r"stage curricolare", r"candidatar-me", r"estágio", r"sollicitatie",
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
        ),
        weak=cue(
            r"click (?:here|below)", r"act now", r"limited time", r"urgent(?:ly)?", r"kindly",
            r"password", r"passwort", r"mot de passe", r"contraseña", r"congratulations",
            r"loan", r"within (?:24|48|72) hours", r"winner", r"secure payment",
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
