"""The company an email is from: a form's company field, else the name as the sender writes
it (``company_suffix``, ``company_phrases``, ``company_spelling``); a newsletter's is its
publisher. Never a person's name nor the mailbox's own company.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from triage.domain.extraction.about import About
from triage.domain.extraction.company_phrases import (
    acronym_name,
    company_field,
    introduced_name,
    japanese_name,
    newsletter_of,
    published_by,
)
from triage.domain.extraction.company_spelling import name_spelling
from triage.domain.extraction.company_suffix import suffixed_name, suffixed_names
from triage.domain.extraction.domains import (
    company_domain,
    domain_label,
    is_free_mail,
    website_domain,
    work_domains,
)
from triage.domain.extraction.forms import RELAY_SENDER
from triage.domain.extraction.legal import TRAILING_FORM, ends_in_legal_form
from triage.domain.extraction.text import squash
from triage.domain.models import CleanEmail, Company, Intent, Mailbox


def company_of(
    intent: Intent, clean: CleanEmail, about: About, mailbox: Mailbox | None = None
) -> Company:
    if intent in ("spam", "job_applicant"):
        return Company()
    if intent == "newsletter":
        return publisher_of(clean)
    domain = (
        company_domain(about.email)
        or website_domain(about.signature)
        or _named_work_domain(about, mailbox)
    )
    relayed = about.relay or RELAY_SENDER.search(clean.from_email or "")  # stacked form fields
    form = about.form.get("company") or (company_field(about.text) if relayed else None)
    own = _own_names(mailbox)
    name = _without_aside(form) or company_name(about, domain, own)
    return Company(name=name, domain=domain)


def _named_work_domain(about: About, mailbox: Mailbox | None) -> str | None:
    """A free-mail sender's work address in their text, when the text also spells its name:
    "M/S Nordhavn Tern (Nordhavn Rederi) … Min bruger er rth@nordhavnrederi.dk"."""
    if not is_free_mail(about.email):
        return None
    own = [domain.lower() for domain in mailbox.domains] if mailbox else []
    for domain in work_domains(about.text):
        if domain not in own and name_spelling(about.text, squash(domain_label(domain))):
            return domain
    # "schreibe von privat, unser Outlook im Hotel Gletscherblick geht nicht": a customer we
    # know, named in the text, is the firm the private address writes for.
    customers = [domain.lower() for domain in mailbox.customer_domains] if mailbox else []
    return next(
        (
            domain
            for domain in customers
            if len(label := squash(domain_label(domain))) >= 6 and name_spelling(about.text, label)
        ),
        None,
    )


def _own_names(mailbox: Mailbox | None) -> frozenset[str]:
    """The mailbox's own company, as squashed names: a quoted reply carries its signature."""
    if mailbox is None:
        return frozenset()
    names = {
        squash(mailbox.company),
        squash(TRAILING_FORM.sub("", mailbox.company)),  # as _is_own compares: without its form
        *(squash(domain_label(d)) for d in mailbox.domains),
    }
    return frozenset(name for name in names if name)


def _without_aside(name: str | None) -> str | None:
    """"Hôtel Les Tilleuls (Dijon)": the name without its parenthesised aside."""
    return re.sub(r"\s*\([^)]*\)?\s*$", "", name).strip() or None if name else None


def company_name(
    about: About, domain: str | None, own: frozenset[str] = frozenset()
) -> str | None:
    """The name as the sender writes it (signature, their introduction, then the body);
    null when never written, never a person's name nor the mailbox's own company."""
    label = squash(domain_label(domain)) if domain else ""
    # a signature's first name line may be the firm; a From name with a legal form is the firm
    people = (about.name,) if about.name and not ends_in_legal_form(about.name) else ()
    # A letter addressed to us ("Alpenrose Systems AG\nご担当者様") names our firm first:
    # that line would hide the sender's own name below it.
    text, signature, footer = (_without_own_lines(part, own) for part in (about.text, about.signature, about.footer))
    finders: tuple[Callable[[], str | None], ...] = (
        lambda: _written_name(signature, label),
        lambda: _first_not_own(suffixed_names(text, label), own) or japanese_name(text),
        lambda: introduced_name(text, people, label),
        lambda: name_spelling(text, label),
        lambda: _written_name(footer, label),
    )
    for finder in finders:
        found = finder()
        if found and not _names_a_person(found, people) and not _is_own(found, own):
            return found
    return None


def _first_not_own(names: list[str], own: frozenset[str]) -> str | None:
    """The first name that is not ours: "Alpenrose Systems AG wurde uns von der Hotel Adler
    AG empfohlen" names the sender's firm second."""
    return next((name for name in names if not _is_own(name, own)), None)


def _without_own_lines(text: str, own: frozenset[str]) -> str:
    if not own:
        return text
    return "\n".join(
        "" if len(line.split()) <= 5 and _is_own(line.strip(" ,"), own) else line
        for line in text.split("\n")
    )


def _is_own(name: str, own: frozenset[str]) -> bool:
    squashed = squash(TRAILING_FORM.sub("", name))
    return any(squashed == mine or (len(mine) >= 5 and squashed.startswith(mine)) for mine in own)


def _written_name(text: str, label: str) -> str | None:
    return suffixed_name(text, label) or japanese_name(text) or name_spelling(text, label)


def _names_a_person(name: str, people: tuple[str, ...]) -> bool:
    return any(squash(name) == squash(person) for person in people)


def publisher_of(clean: CleanEmail) -> Company:
    """A newsletter's company is its publisher: the legal name in its footer, or the sender's name."""
    domain = company_domain(clean.from_email)
    label = squash(domain_label(domain)) if domain else ""
    footer = "\n".join(part or "" for part in (clean.footer, clean.signature, clean.text))
    display = (clean.from_name or "").strip(" \"'")
    named = display if label and label in squash(display) else None
    name = (
        published_by(footer)
        or suffixed_name(footer, label, words=8)
        or japanese_name(footer)
        or newsletter_of(footer)
        or acronym_name(footer, label)
        or named
        or name_spelling(footer, label)
        or name_spelling(display, label)
        or display
    )
    return Company(name=name or None, domain=domain)
