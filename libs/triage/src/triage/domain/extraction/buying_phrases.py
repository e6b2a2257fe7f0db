"""Phrases of buying that more than one rule reads: a price request in the languages the
cue lists came to later (the lead cue and the send_pricing action), and a customer buying
more (the intent model's ``s:expansion``).
"""

from __future__ import annotations

from triage.domain.extraction.text import cue

# fmt: off
#: A price request in the Nordic languages, Finnish, Polish, Czech, Slovak and Hungarian (case
#: endings: "árajánlatot", "wyceny"): a lead's cue, and what makes its action send_pricing.
PRICE_ASKS_MORE_LANGUAGES = (
    r"pris(?:er|erna|liste|lista|förslag|tilbud|tilbudet)", r"offert(?:en)?", r"hva koster",
    r"hvad koster", r"vad kostar", r"hinta\w*", r"hinnasto\w*", r"tarjo(?:us|uks)\w*", r"wycen\w*",
    r"cennik\w*", r"ofert\w* cenow\w*", r"ile (?:\w+ ){0,2}kosztuj\w*", r"cenov\w* (?:nabídk|ponuk)\w*",
    r"cen[íi]k\w*", r"kolik (?:to )?stojí", r"koľko (?:to )?stojí", r"árajánlat\w*", r"árlist\w*",
    r"mennyibe kerül\w*", r"(?:et|eit) tilbud (?:på|om)", r"(?:pošlete|zašlete) (?:mi |nám )?(?:prosím )?cen\w*",
    r"(?:pošlite|zašlite) (?:mi |nám )?(?:prosím )?cen\w*",
)
# fmt: on

#: A customer buying more (seats, sites, another product): a lead by the gold conventions,
#: though the sender is on a customer domain, whose mail is otherwise mostly support.
EXPANSION = cue(
    r"(?:need|want|like|plan(?:ning)?) (?:to (?:add|buy|order|purchase) )?(?:another )?(?:\d+ )?"
    r"(?:more|additional|extra) (?:licen[cs]es|seats|users|sites|locations|branches|units)",
    r"add(?:ing)? (?:\d+ )?(?:more |additional |extra )?(?:licen[cs]es|seats|users|sites|locations)",
    r"expand(?:ing)? (?:our|the) (?:contract|subscription|licen[cs]e|plan)", r"upgrade (?:to|our)",
    r"weitere (?:\d+ )?(?:lizenzen|standorte|nutzer)", r"zusätzliche (?:\d+ )?(?:lizenzen|standorte|nutzer)",
    r"vertrag (?:zu )?erweitern", r"licences supplémentaires", r"étendre (?:notre|le) contrat",
    r"licencias adicionales", r"ampliar (?:el|nuestro) contrato", r"ampliação (?:de|do) contrato",
    r"licenças adicionais", r"ampliar o contrato", r"(?:mais|novas) \d+ (?:unidades|licenças|clínicas)",
    r"licenze aggiuntive", r"estendere il contratto", r"extra licenties", r"contract uitbreiden",
    r"fler licenser", r"utöka avtalet", r"flere lisenser", r"utvide avtalen", r"flere licenser",
    r"udvide aftalen", r"lisää lisenssejä", r"dodatkowe licencje", r"rozszerz\w* umow\w*",
    r"další licence", r"rozšíř\w* smlouv\w*", r"ďalšie licencie", r"további licenc\w*",
    r"追加ライセンス",
    # more users, in the languages whose word for it the phrases above lack
    r"(?:\d+ )?(?:ekstra|flere|fler|ytterligare) (?:brugere|brukere|användare|licenser|lisenser)",
    r"(?:weitere|zusätzliche) (?:\d+ )?(?:benutzer|anwender|arbeitsplätze)",
    r"utilisateurs supplémentaires", r"usuarios adicionales", r"usuários adicionais",
    r"utenti aggiuntivi", r"extra gebruikers", r"dodatkow\w* użytkownik\w*", r"další\w* uživatel\w*",
    r"további felhasználó\w*", r"lisää käyttäjiä",
    # more of what they have: "increase the number of licences", "rozšíření licencí"
    r"increase (?:the number of |our )(?:licen[cs]es|seats|users)", r"navýš\w* poč(?:et|tu) licenc\w*",
    r"rozšíření licenc\w*", r"zvýš\w* poč(?:et|tu) licenci\w*", r"zwiększ\w* liczb\w* licencji",
    r"(?:anzahl der )?lizenzen (?:erhöhen|aufstocken)", r"augmenter le nombre de licences",
    r"aumentar el número de licencias", r"aumentare il numero di licenze",
    r"mais licenças", r"licenças extras?", r"más licencias", r"licencias extras?",
    r"plus de licences", r"più licenze", r"mehr lizenzen", r"more licen[cs]es",
)
