"""Where a support request goes, and why: one small pure function.

Order (PRODUCT.md, issue 5):
1. an account's active billing representative;
2. else the most specific active routing rule that matches the account and topic;
3. else the account's service team mailbox;
4. else the default billing inbox from configuration.
A General Inquiry (no account) goes to the insured's primary team, else the default inbox.

"Most specific" is the rule with the most criteria set; among equally specific rules the
oldest (lowest id) wins, so the outcome never depends on query order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class RouteSource(StrEnum):
    REPRESENTATIVE = "representative"
    RULE = "rule"
    TEAM = "team"
    PRIMARY_TEAM = "primary_team"
    DEFAULT = "default"


@dataclass(frozen=True)
class AccountFacts:
    representative_email: str = ""
    company_id: int | None = None
    lines_of_business: frozenset[str] = field(default_factory=frozenset)
    state: str = ""
    team_mailbox: str = ""


@dataclass(frozen=True)
class Rule:
    id: int
    mailbox: str
    company_id: int | None = None
    line_of_business: str = ""
    state: str = ""
    topic: str = ""

    @property
    def specificity(self) -> int:
        return sum(
            bool(c) for c in (self.company_id, self.line_of_business, self.state, self.topic)
        )

    def matches(self, *, account: AccountFacts, topic: str) -> bool:
        return (
            (self.company_id is None or self.company_id == account.company_id)
            and (not self.line_of_business or self.line_of_business in account.lines_of_business)
            and (not self.state or self.state.upper() == account.state.upper())
            and (not self.topic or self.topic == topic)
        )

    def describe(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("company", self.company_id),
                ("line", self.line_of_business),
                ("state", self.state),
                ("topic", self.topic),
            )
            if value
        ]
        return f"routing rule #{self.id} ({', '.join(parts) or 'any request'})"


@dataclass(frozen=True)
class Route:
    recipient: str
    reason: str
    source: RouteSource
    rule_id: int | None = None


def route_request(
    *,
    account: AccountFacts | None,
    topic: str,
    rules: Sequence[Rule],
    default_inbox: str,
    primary_team_mailbox: str = "",
) -> Route:
    """Decide the recipient of a support request and record why."""
    if account is None:
        if primary_team_mailbox:
            return Route(
                primary_team_mailbox,
                "General Inquiry: the insured's primary billing team",
                RouteSource.PRIMARY_TEAM,
            )
        return Route(
            default_inbox,
            "General Inquiry without a primary team: the default billing inbox",
            RouteSource.DEFAULT,
        )
    if account.representative_email:
        return Route(
            account.representative_email,
            "The account's assigned billing representative",
            RouteSource.REPRESENTATIVE,
        )
    matching = [r for r in rules if r.matches(account=account, topic=topic)]
    if matching:
        best = min(matching, key=lambda r: (-r.specificity, r.id))
        return Route(
            best.mailbox,
            f"No representative; most specific matching {best.describe()}",
            RouteSource.RULE,
            best.id,
        )
    if account.team_mailbox:
        return Route(
            account.team_mailbox,
            "No representative and no matching rule: the account's service team mailbox",
            RouteSource.TEAM,
        )
    return Route(
        default_inbox,
        "No representative, rule or team: the default billing inbox",
        RouteSource.DEFAULT,
    )
