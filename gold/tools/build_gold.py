"""Write gold/tuning and gold/heldout (gold-format.md layout) from the scenarios.

    python gold/tools/build_gold.py [GOLD_DIR]

Deterministic (fixed seeds): re-running rewrites the same bytes. The labels come
from what each scenario wrote into the message, not from the extractor; the
held-out part uses a second fictional mailbox (Quayside Systems), disjoint name
pools and the other half of every phrasing list.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import scenarios as sc  # noqa: E402
from render import SHAPES, render  # noqa: E402
from world import World  # noqa: E402

LUMORA = sc.Box(
    "Lumora Analytics",
    "lumora.io",
    ("sales@lumora.io", "info@lumora.io", "partnerships@lumora.io"),
    {
        "globex.com": "Globex Corporation",
        "initech.com": "Initech",
        "hooli.com": "Hooli",
        "umbrella-corp.com": "Umbrella Corporation",
        "vandelay.com": "Vandelay Industries",
    },
    ("Pipeline Forecaster", "Revenue Radar", "Churn Sentinel"),
    "Sofia Marchetti",
    ("Nina Patel", "Ben Okoro", "Clara Jensen"),
)
QUAYSIDE = sc.Box(
    "Quayside Systems",
    "quaysidesystems.com",
    ("sales@quaysidesystems.com", "hello@quaysidesystems.com", "partners@quaysidesystems.com"),
    {
        "marlowshipping.com": "Marlow Shipping",
        "nordhavn-port.se": "Nordhavn Port Services",
        "pacificreefer.com": "Pacific Reefer Lines",
        "cantabrica-logistica.es": "Cantábrica Logística",
        "hollisfreight.co.uk": "Hollis Freight Ltd",
    },
    ("Berth Planner", "Cargo Lens", "Dwell Alerts"),
    "Tomas Lindgren",
    ("Priya Raman", "Jacob Adeyemi", "Hanna Virtanen"),
)

# (scenario, how many, keyword arguments): 130 messages per part.
PLAN = (
    (
        "lead",
        sc.direct_lead,
        [
            dict(lang="en", sig_level=s)
            for s in (
                "full",
                "short",
                "heavy",
                "name",
                "full",
                "short",
                "heavy",
                "full",
                "none",
                "short",
                "full",
                "heavy",
                "short",
                "full",
                "name",
                "full",
            )
        ],
    ),
    (
        "lead",
        sc.direct_lead,
        [
            dict(lang=lang, sig_level=s)
            for lang, s in (
                ("de", "full"),
                ("de", "short"),
                ("fr", "full"),
                ("fr", "heavy"),
                ("es", "full"),
                ("es", "short"),
                ("pt", "full"),
                ("pt", "short"),
                ("it", "full"),
                ("nl", "full"),
            )
        ],
    ),
    (
        "lead",
        sc.direct_lead,
        [
            dict(lang="en", sig_level="full", freemail=True, freemail_with_site=True),
            dict(lang="es", sig_level="full", freemail=True, freemail_with_site=True),
            dict(lang="en", sig_level="name", freemail=True),
        ],
    ),
    ("lead", sc.form_lead, [{}] * 5),
    ("lead", sc.forwarded_lead, [{}, {}, {}, dict(as_attachment=True)]),
    ("lead", sc.short_lead, [{}, {}]),
    ("lead", sc.thread_support_turns_lead, [{}, {}]),
    (
        "support",
        sc.support_mail,
        [
            dict(lang="en", sig_level=s, thread=t)
            for s, t in (
                ("full", False),
                ("short", True),
                ("heavy", False),
                ("name", False),
                ("full", True),
                ("short", False),
                ("full", False),
                ("heavy", True),
                ("short", False),
                ("full", False),
                ("name", True),
                ("full", False),
                ("short", False),
                ("full", False),
            )
        ],
    ),
    (
        "support",
        sc.support_mail,
        [dict(lang=lang, sig_level="full") for lang in ("de", "fr", "es", "pt", "nl")],
    ),
    ("support", sc.support_mail, [dict(lang="en", sig_level="none", short=True)] * 3),
    ("support", sc.thread_lead_turns_support, [{}, {}]),
    (
        "vendor",
        sc.vendor_mail,
        [
            dict(lang="en", sig_level=s)
            for s in (
                "full",
                "short",
                "heavy",
                "full",
                "short",
                "full",
                "name",
                "heavy",
                "full",
                "short",
                "full",
            )
        ],
    ),
    (
        "vendor",
        sc.vendor_mail,
        [dict(lang="en", sig_level=s, posing=True) for s in ("full", "short", "heavy", "full")],
    ),
    ("vendor", sc.form_lead, [dict(vendor_in_disguise=True)] * 2),
    ("vendor", sc.vendor_mail, [dict(lang=lang, sig_level="full") for lang in ("de", "fr", "es")]),
    (
        "job_applicant",
        sc.applicant_mail,
        [
            dict(lang=lang)
            for lang in ("en", "en", "en", "en", "en", "en", "de", "fr", "es", "pt", "it")
        ],
    ),
    ("job_applicant", sc.applicant_mail, [dict(lang="en", ats=True)] * 3),
    ("newsletter", sc.newsletter_mail, [{}] * 11 + [dict(headers=False)] * 3),
    (
        "spam",
        sc.spam_mail,
        [
            dict(kind=k)
            for k in (
                "quota",
                "docusign",
                "ceo",
                "invoice",
                "crypto",
                "lottery",
                "seo",
                "password",
                "voicemail",
                "list",
                "de_phish",
                "es_scam",
                "short",
                "ceo",
                "seo",
                "quota",
            )
        ],
    ),
)

SPLITS = {
    "tuning": (LUMORA, 0, 20260105, "t"),
    "heldout": (QUAYSIDE, 1, 20261111, "h"),
}
ZONES = (
    UTC,
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=1)),
    timezone(timedelta(hours=-8)),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=10)),
    timezone(timedelta(hours=-3)),
)


def build(out: Path, split: str) -> list[sc.Mail]:
    box, parity, seed, prefix = SPLITS[split]
    rng = random.Random(seed)
    world = World(rng, parity)
    pick = sc.Pick(rng, parity)
    jobs = [(intent, fn, kwargs) for intent, fn, many in PLAN for kwargs in many]
    rng.shuffle(jobs)
    mails = []
    for n, (intent, fn, kwargs) in enumerate(jobs, start=1):
        date = datetime(2026, 1, 5, 7, 0, tzinfo=UTC) + timedelta(
            minutes=rng.randint(0, 300 * 24 * 60)
        )
        date = date.astimezone(rng.choice(ZONES)).replace(second=rng.randint(0, 59), microsecond=0)
        ctx = sc.Ctx(rng, pick, world, box, date, "")
        shape = SHAPES[(n * 7 + parity) % len(SHAPES)]
        mail = fn(ctx, shape=shape, **kwargs)
        mail.id = f"{prefix}{n:03d}-{intent.replace('_', '-')}-{fn.__name__.replace('_', '-')}"
        assert mail.intent == intent, (mail.id, mail.intent)
        mails.append(mail)
    target = out / split
    shutil.rmtree(target, ignore_errors=True)
    (target / "emails").mkdir(parents=True)
    with (target / "labels.jsonl").open("w", encoding="utf-8") as labels:
        for mail in mails:
            data = render(mail, rng)
            BytesParser(policy=policy.default).parsebytes(data)  # must parse
            (target / "emails" / f"{mail.id}.eml").write_bytes(data)
            line = {"id": mail.id, **mail.labels, "notes": mail.notes}
            labels.write(json.dumps(line, ensure_ascii=False) + "\n")
    mailbox = {
        "company": box.company,
        "domains": [box.domain],
        "inboxes": list(box.inboxes),
        "customer_domains": list(box.customers),
        "products": list(box.products),
    }
    (target / "mailbox.json").write_text(json.dumps(mailbox, indent=2) + "\n", encoding="utf-8")
    (target / "README.md").write_text(readme(split, box, mails), encoding="utf-8")
    return mails


INTRO = {
    "tuning": "the **tuning** part: the local extractor may be measured and tuned against it.",
    "heldout": "the **held-out** part: nothing is tuned against it; `make eval` scores it and "
    "`gold/ratchet.json` keeps the level it reached.",
}


def readme(split: str, box: sc.Box, mails: list[sc.Mail]) -> str:
    rows = "\n".join(f"| `{m.id}` | {m.intent} | {m.lang} | {m.shape} | {m.notes} |" for m in mails)
    return f"""# Gold set, {split}: {box.company}

This folder is {INTRO[split]}

The mailbox belongs to **{box.company}** (`{box.domain}`), a fictional company
whose shared inboxes {", ".join(f"`{i}`" for i in box.inboxes)} receive mail
from prospects, customers, vendors, job applicants, newsletters and spammers.
It sells {", ".join(box.products)}; its customers' domains are
{", ".join(box.customers)} (see `mailbox.json`).

Every message was written for this project by `gold/tools/build_gold.py`
(deterministic; its templates are its own, not `tests/support/corpus.py`'s).
People, companies, addresses and numbers are invented; IP addresses are from
the documentation ranges. Labels follow the conventions of gold-format.md and
come from what each scenario wrote into the message; `notes` says why.
The held-out part uses a different mailbox, disjoint name pools and the other
half of every phrasing list, so it measures how the extractor generalises.

{summary(mails)}

| id | intent | language | MIME shape | notes |
| --- | --- | --- | --- | --- |
{rows}
"""


def summary(mails: list[sc.Mail]) -> str:
    intents = Counter(m.intent for m in mails)
    langs = Counter(m.lang for m in mails)
    shapes = Counter(m.shape for m in mails)
    return (
        f"{len(mails)} messages. Intents: {dict(sorted(intents.items()))}. "
        f"Languages: {dict(sorted(langs.items()))}. MIME shapes: {dict(sorted(shapes.items()))}."
    )


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    for name in SPLITS:
        print(name, summary(build(root, name)))
