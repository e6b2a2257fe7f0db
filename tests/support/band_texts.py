"""Three lead texts that the shipped intent model puts in the three confidence bands, for the
integration tests on the real stack (test_confidence_bands.py, test_admin_ui.py) and the unit
test that checks them in milliseconds (tests/unit/extraction/test_band_fixtures.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

# The local extractor's confidence for each (measured with the shipped intent model, version
# 26: 1.0, 0.67, 0.49 — auto_write, suggest, review under the default bands; all three read as
# leads). A retrained model moves them: tests/unit/extraction/test_band_fixtures.py says when.
SURE = ("Pipeline Forecaster demo",
        "We're evaluating Pipeline Forecaster for our sales team and would like a demo. "
        "We've budgeted $60,000 a year and want to be live next quarter.")
UNSURE = ("Question", "Could we talk about your product for our team next week?")
DOUBTFUL = ("Question", "Could we talk about your forecasting tool sometime?")


def message(subject: str, text: str, domain: str) -> bytes:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = f"Jane Doe <jane@{domain}>"
    msg["To"] = "sales@lumora.io"
    msg["Subject"] = subject
    msg["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{domain}>"
    msg.set_content(f"Hi,\n\n{text}\n\nThanks,\nJane Doe\n")
    return msg.as_bytes()
