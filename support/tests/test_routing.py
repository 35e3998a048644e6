"""Routing is a pure function: table tests, no database."""

from __future__ import annotations

import pytest

from support.routing import AccountFacts, RouteSource, Rule, route_request

DEFAULT = "billing-inbox@insurer.example"
AUTO = frozenset({"commercial_auto"})

ACCOUNT = AccountFacts(
    representative_email="",
    company_id=1,
    lines_of_business=AUTO,
    state="OH",
    team_mailbox="team@insurer.example",
)
RULES = [
    Rule(id=1, mailbox="company1@insurer.example", company_id=1),
    Rule(
        id=2,
        mailbox="company1-auto@insurer.example",
        company_id=1,
        line_of_business="commercial_auto",
    ),
    Rule(
        id=3,
        mailbox="ohio-auto-payments@insurer.example",
        line_of_business="commercial_auto",
        state="OH",
        topic="payment",
    ),
    Rule(id=4, mailbox="company2@insurer.example", company_id=2),
    Rule(id=5, mailbox="autopay-desk@insurer.example", topic="autopay"),
    Rule(id=6, mailbox="texas@insurer.example", state="TX"),
]


@pytest.mark.parametrize(
    ("account", "topic", "rules", "primary", "recipient", "source", "rule_id"),
    [
        # A representative comes first, whatever rules exist.
        (
            AccountFacts(
                representative_email="rep@insurer.example",
                company_id=1,
                lines_of_business=AUTO,
                state="OH",
                team_mailbox="team@insurer.example",
            ),
            "payment",
            RULES,
            "",
            "rep@insurer.example",
            RouteSource.REPRESENTATIVE,
            None,
        ),
        # Without one, the most specific matching rule: 3 criteria beat 2 beat 1.
        (ACCOUNT, "payment", RULES, "", "ohio-auto-payments@insurer.example", RouteSource.RULE, 3),
        (ACCOUNT, "general", RULES, "", "company1-auto@insurer.example", RouteSource.RULE, 2),
        (ACCOUNT, "general", [RULES[0]], "", "company1@insurer.example", RouteSource.RULE, 1),
        # Equally specific rules: the oldest (lowest id) wins, whatever the list order.
        (
            ACCOUNT,
            "autopay",
            [RULES[4], RULES[0]][::-1],
            "",
            "company1@insurer.example",
            RouteSource.RULE,
            1,
        ),
        # A rule for another company, state or topic does not match: the team mailbox.
        (
            ACCOUNT,
            "general",
            [RULES[3], RULES[4], RULES[5]],
            "",
            "team@insurer.example",
            RouteSource.TEAM,
            None,
        ),
        # No rule and no team: the default inbox.
        (
            AccountFacts(company_id=1, state="OH"),
            "general",
            [],
            "",
            DEFAULT,
            RouteSource.DEFAULT,
            None,
        ),
        # State comparison ignores case.
        (
            AccountFacts(company_id=9, state="tx"),
            "general",
            [RULES[5]],
            "",
            "texas@insurer.example",
            RouteSource.RULE,
            6,
        ),
        # A line-of-business rule needs a policy of that line on the account.
        (
            AccountFacts(
                company_id=1,
                lines_of_business=frozenset({"homeowners"}),
                team_mailbox="t@insurer.example",
            ),
            "general",
            [RULES[1]],
            "",
            "t@insurer.example",
            RouteSource.TEAM,
            None,
        ),
        # General Inquiry: the primary team, else the default inbox; rules do not apply.
        (
            None,
            "general",
            RULES,
            "primary@insurer.example",
            "primary@insurer.example",
            RouteSource.PRIMARY_TEAM,
            None,
        ),
        (None, "autopay", RULES, "", DEFAULT, RouteSource.DEFAULT, None),
    ],
)
def test_route_request_follows_the_rule_order(
    account: AccountFacts | None,
    topic: str,
    rules: list[Rule],
    primary: str,
    recipient: str,
    source: RouteSource,
    rule_id: int | None,
) -> None:
    route = route_request(
        account=account,
        topic=topic,
        rules=rules,
        default_inbox=DEFAULT,
        primary_team_mailbox=primary,
    )
    assert (route.recipient, route.source, route.rule_id) == (recipient, source, rule_id)
    assert route.reason


def test_the_reason_names_the_rule_that_matched() -> None:
    route = route_request(account=ACCOUNT, topic="payment", rules=RULES, default_inbox=DEFAULT)
    assert "rule #3" in route.reason
    assert "state=OH" in route.reason and "topic=payment" in route.reason
