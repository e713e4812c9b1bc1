"""A draft a person must read first says so everywhere it goes (issue 15): the ``.eml``'s
``X-Drafter-Review`` header, its file name in ``--drafts``, the ranked table, and never the
text that would reach the customer if it were sent as is."""

from __future__ import annotations

import email
from email import policy

from drafter.engines.offline import OfflineEngine
from drafter.models import Email
from drafter.pipeline import draft_email
from drafter.policy import parse_policy
from drafter.render import review_label, to_eml
from drafter.triage.outputs import draft_filename, ranked_table

LEGAL = Email(sender_name="Dana Reyes", sender_address="dana@example.com", to="help@shop.example",
              subject="Order 5521 still not refunded",
              body="Order 5521 arrived broken and I returned it a month ago. I want my $80 "
                   "back. If it is not refunded by Friday, my solicitor will be in touch.")
PLAIN = Email(sender_name="Dana Reyes", sender_address="dana@example.com", to="help@shop.example",
              subject="Order 5521", body="Order 5521 arrived broken. I want my $80 back.")


def result_of(mail: Email):
    return draft_email(mail, parse_policy(""), OfflineEngine())


def test_a_legal_threat_draft_carries_the_review_header_not_the_body() -> None:
    result = result_of(LEGAL)
    assert result.draft is not None and result.analysis.escalation.review
    parsed = email.message_from_string(to_eml(result), policy=policy.default)
    assert parsed["X-Drafter-Review"] == "legal threat" == review_label(result)
    body = parsed.get_body().get_content().split("\n> ")[0]
    assert "legal" not in body.lower() and "review" not in body.lower()


def test_an_ordinary_draft_has_no_review_header() -> None:
    result = result_of(PLAIN)
    assert review_label(result) == ""
    assert "X-Drafter-Review" not in to_eml(result)


def test_the_file_name_and_the_ranked_table_say_review() -> None:
    row = {"rank": 3, "id": "T-9", "status": "drafted", "priority": 80, "anger": 4,
           "category": "billing", "sender": "dana@example.com", "subject": "Refund",
           "check_passed": True, "escalation_review": True}
    assert draft_filename(row) == "0003-T-9-REVIEW.eml"
    assert draft_filename({**row, "escalation_review": False}) == "0003-T-9.eml"
    assert "passed, review" in ranked_table([row], width=160)
