"""Billing Support (issue 5): the Email Us modal from the Billing Summary and from Billing
Details, its contacts and form, routing of the staff email, closing without sending,
validation, keyboard use, 2,500 accounts, the plain page without JavaScript, and phones.

Sends are rate-limited per user (SUPPORT_RATE_LIMIT, 5 per 10 minutes): each flow that
presses Send does so as a different user, at most once, so the file can run twice in a
row against the same server and still stay under the limit.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from .harness import (
    PHONE,
    assert_focus_stays_in_modal,
    assert_no_overflow,
    axe,
    focus_in_modal,
    modal_close_with_escape,
    modal_open,
    screenshot,
)

pytestmark = pytest.mark.e2e

INSURED = "insured@example.com"
FLEET = "fleet@example.com"
# Users only these flows sign in as, granted the insured's three accounts, so that the
# keyboard and no-JavaScript flows each have a rate limit of their own.
KEYBOARD_USER = "e2e-support-keys@example.com"
PLAIN_USER = "e2e-support-plain@example.com"
REFERENCE = re.compile(r"BS-\d{4}-\d{6}")
LABELS = ["Billing Account Number", "Email", "Phone Number", "In Reference To", "Message"]

# Set up once, in one `manage.py shell` (each costs a Django start): the dedicated users,
# the insured's account ids, a fleet account without a representative, and the route the
# app's own routing takes for each (representative, else the most specific active rule,
# else the team's mailbox), from the seeded data and rules, for the topic each flow sends.
_SETUP = """
import json
from accounts.models import AccountGrant, User
from billing.models import BillingAccount
from support.routing import route_request
from support.selectors import account_facts_get, routing_rule_active_list

household = BillingAccount.objects.filter(grants__user__email="insured@example.com")
for email, name in [(KEYBOARD_USER, "Keyboard Support"), (PLAIN_USER, "Plain Support")]:
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email, "portal-demo-2026", full_name=name, phone="+16145550100")
    for account in household:
        AccountGrant.objects.get_or_create(user=user, account=account)
fleet = BillingAccount.objects.filter(
    grants__user__email="fleet@example.com", representative=None).order_by("number")[300]
rules = routing_rule_active_list()

def route(account, topic):
    r = route_request(account=account_facts_get(account=account), topic=topic, rules=rules,
        default_inbox="default@invalid")
    return {"recipient": r.recipient, "reason": r.reason}

print(json.dumps({
    "accounts": {a.number: str(a.public_id) for a in household},
    "routes": {a.number: {t: route(a, t) for t in ("general", "other")} for a in household},
    "fleet": {"number": fleet.number, "public_id": str(fleet.public_id),
        "phone": fleet.phone.as_national, "company": fleet.company.name,
        "route": route(fleet, "general")},
}))
"""


@pytest.fixture(scope="module")
def seeded(app) -> dict:
    users = f"KEYBOARD_USER = {KEYBOARD_USER!r}\nPLAIN_USER = {PLAIN_USER!r}\n"
    return json.loads(app.shell(users + _SETUP))


@pytest.fixture(scope="module")
def accounts(seeded) -> dict[str, str]:
    """The insured's account numbers → public ids."""
    return seeded["accounts"]


def staff_mail(mailbox, reference: str, recipient: str, *, after: int):
    """The staff email of a request: to the routed recipient, the reference in its subject."""
    return mailbox.wait_for(
        lambda m: reference in m.subject and recipient in m.rcpt_tos, after=after
    )


def quiet_mark(mailbox, *, quiet: float = 1.0, timeout: float = 15) -> int:
    """A mailbox mark taken once nothing has arrived for ``quiet`` seconds: the session's
    start-up reminders (run_periodic) and earlier flows' emails must not count as
    something a Cancel sent."""
    deadline = time.monotonic() + timeout
    mark = mailbox.mark()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        if mailbox.mark() == mark:
            return mark
        mark = mailbox.mark()
    return mark


def unread(bell) -> int:
    """The bell's unread count, from its accessible name ("Notifications, 2 unread")."""
    found = re.search(r"(\d+) unread", bell.text_content() or "")
    return int(found.group(1)) if found else 0


def selected_text(select) -> str:
    return select.evaluate("(s) => s.selectedOptions[0].textContent.trim()")


def support_button(page):
    return page.get_by_role("main").get_by_role("link", name="Billing Support")


def send_and_read_reference(page, dialog) -> str:
    dialog.get_by_role("button", name="Send").click()
    expect(page.get_by_role("dialog", name="Your message was sent")).to_be_visible()
    text = dialog.locator(".support-sent__ref").inner_text()
    found = REFERENCE.search(text)
    assert found, f"no reference number in {text!r}"
    return found.group(0)


def test_email_us_from_the_summary_reaches_the_representative_and_confirms(
    signed_in_page, accounts, seeded, mailbox
):
    page = signed_in_page(INSURED)  # on the Billing Summary
    bell = page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Notifications"))
    unread_before = unread(bell)
    opener = support_button(page)

    dialog = modal_open(page, opener)

    expect(page.get_by_role("dialog", name="Email Us")).to_be_visible()
    contacts = dialog.get_by_role("complementary")
    expect(contacts).to_contain_text("General billing contacts")
    expect(contacts).to_contain_text("Service hours")
    # Contact information on the left, the form on the right (1440x900).
    account = dialog.get_by_label("Billing Account Number")
    message = dialog.get_by_label("Message")
    left, right = contacts.bounding_box(), message.bounding_box()
    assert left and right
    assert left["x"] + left["width"] <= right["x"], (left, right)
    assert left["y"] < right["y"] + right["height"] and right["y"] < left["y"] + left["height"]
    # The guide's fields, labels and order, then Cancel and Send.
    labels = [t.strip() for t in dialog.locator("form label").all_text_contents()]
    assert labels == LABELS
    tops = [dialog.get_by_label(label, exact=True).bounding_box()["y"] for label in LABELS]
    assert tops == sorted(tops), tops
    cancel = dialog.get_by_role("link", name="Cancel")
    send = dialog.get_by_role("button", name="Send")
    cancel_box, send_box = cancel.bounding_box(), send.bounding_box()
    assert cancel_box["x"] < send_box["x"]
    assert cancel_box["y"] > tops[-1] and send_box["y"] > tops[-1]
    # General Inquiry first; Email from the profile and read-only; Phone pre-filled.
    expect(account).to_have_value("")
    assert selected_text(account) == "General Inquiry"
    expect(account).to_be_focused()
    email = dialog.get_by_label("Email", exact=True)
    expect(email).to_have_value(INSURED)
    expect(email).not_to_be_editable()
    email.focus()
    page.keyboard.type("someone@else.example")
    expect(email).to_have_value(INSURED)
    phone = dialog.get_by_label("Phone Number")
    expect(phone).to_have_value("(614) 555-0110")
    reference_to = dialog.get_by_label("In Reference To")
    assert selected_text(reference_to) == "General Question"
    options = reference_to.locator("option").all_inner_texts()
    assert {"General Question", "4000012345", "5200087731", "4000019876"} <= set(options)

    assert axe(page, "#modal", label="email us modal") == []

    # A message typed first is kept while the account (contacts, phone) changes.
    text = "Where can I send my payment? I would like to pay this installment by check."
    message.fill(text)
    account.select_option(accounts["5200087731"])
    expect(contacts).to_contain_text("Contacts for account 5200087731")
    expect(contacts).to_contain_text("Miguel Santos")
    expect(phone).to_have_value("(614) 555-0111")
    account.select_option(accounts["4000012345"])
    expect(contacts).to_contain_text("Contacts for account 4000012345")
    expect(contacts).to_contain_text("Dana Whitfield")
    expect(contacts).to_contain_text("Personal Lines Billing")
    expect(phone).to_have_value("(614) 555-0110")
    expect(message).to_have_value(text)
    expect(page.get_by_role("status").filter(has_text="account 4000012345")).to_be_attached()
    reference_to.select_option(label="4000012345")
    # The chosen account's policies are offered too.
    options = reference_to.locator("option").all_inner_texts()
    assert any(option.startswith("Policy PA-2026-118204") for option in options), options

    assert axe(page, "#modal", label="email us modal, account chosen") == []
    assert_no_overflow(page)
    screenshot(page, "billing-support")

    # The app routes an account with a representative to that representative.
    recipient = seeded["routes"]["4000012345"]["other"]["recipient"]
    assert recipient == "dana.whitfield@aig-insurance.example"
    mark = mailbox.mark()
    reference = send_and_read_reference(page, dialog)

    expect(dialog).to_contain_text("Personal Lines Billing")
    expect(dialog).to_contain_text("Expect an answer")
    expect(dialog).to_contain_text(f"We also emailed a confirmation to {INSURED}")
    expect(dialog.get_by_role("heading", name="Your message was sent")).to_be_focused()
    assert axe(page, "#modal", label="email us sent (modal)") == []
    screenshot(page, "billing-support-sent")

    staff = staff_mail(mailbox, reference, recipient, after=mark)
    assert INSURED in staff.message["Reply-To"]
    assert "Account 4000012345" in staff.subject
    assert text in staff.text
    # The routing decision stored with the request, as the email reports it.
    assert f"Routed to {recipient}: The account's assigned billing representative." in staff.text
    confirmation = mailbox.wait_for(
        lambda m: INSURED in m.rcpt_tos and reference in m.subject, after=mark
    )
    assert "Personal Lines Billing" in confirmation.text

    # The confirmation's Close gives focus back; the bell counts the new notification.
    dialog.get_by_role("link", name="Close", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    page.reload()
    expect(bell).to_have_accessible_name(re.compile(r"^Notifications, \d+ unread$"))
    assert unread(bell) >= unread_before + 1
    page.goto("/notifications/")
    expect(page.get_by_role("main")).to_contain_text(f"Billing Support request {reference} sent")


def test_from_billing_details_it_opens_on_that_account_and_closing_sends_nothing(
    signed_in_page, accounts, mailbox
):
    page = signed_in_page(INSURED)
    page.goto(f"/billing/accounts/{accounts['5200087731']}/")
    opener = support_button(page)
    mark = quiet_mark(mailbox)

    # Each way of closing: Cancel, the close button, Escape; each after typing.
    for close in ("Cancel", "Close Email Us", "Escape"):
        dialog = modal_open(page, opener)
        expect(page.get_by_role("dialog", name="Email Us")).to_be_visible()
        account = dialog.get_by_label("Billing Account Number")
        expect(account).to_have_value(accounts["5200087731"])
        expect(dialog.get_by_role("complementary")).to_contain_text(
            "Contacts for account 5200087731"
        )
        expect(dialog.get_by_label("Phone Number")).to_have_value("(614) 555-0111")
        dialog.get_by_label("Message").fill(f"Not to be sent ({close})")
        if close == "Escape":
            modal_close_with_escape(page, opener)
            continue
        role = "link" if close == "Cancel" else "button"
        dialog.get_by_role(role, name=close, exact=True).click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#modal-content")).to_be_empty()
        expect(opener).to_be_focused()

    mailbox.nothing_since(mark, wait=3)


def test_a_validation_error_is_shown_at_the_field_and_keeps_the_message(signed_in_page, mailbox):
    page = signed_in_page(INSURED)
    opener = support_button(page)
    dialog = modal_open(page, opener)
    mark = quiet_mark(mailbox)
    phone = dialog.get_by_label("Phone Number")
    message = dialog.get_by_label("Message")

    phone.fill("555")
    message.fill("Please keep this text")
    dialog.get_by_role("button", name="Send").click()

    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("Phone Number: Enter a valid phone number")
    expect(alert).to_be_focused()
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile(r"Enter a valid phone number"))
    expect(phone).to_have_value("555")
    expect(message).to_have_value("Please keep this text")
    assert axe(page, "#modal", label="email us modal, invalid phone") == []

    phone.fill("(614) 555-0110")
    message.fill("")
    dialog.get_by_role("button", name="Send").click()

    expect(alert).to_contain_text("Message: Enter a message for billing support.")
    expect(message).to_have_attribute("aria-invalid", "true")
    expect(message).to_have_accessible_description(re.compile(r"^Enter a message"))
    expect(phone).not_to_have_attribute("aria-invalid", "true")
    assert axe(page, "#modal", label="email us modal, empty message") == []
    # The summary's link goes to the field.
    alert.get_by_role("link", name=re.compile(r"^Message")).click()
    expect(message).to_be_focused()

    modal_close_with_escape(page, opener)
    mailbox.nothing_since(mark, wait=2)


def test_the_whole_support_flow_with_the_keyboard_only(signed_in_page, accounts, seeded, mailbox):
    page = signed_in_page(KEYBOARD_USER)  # on the Billing Summary
    opener = support_button(page)
    for _ in range(40):  # Tab from the top of the page to the button
        page.keyboard.press("Tab")
        if opener.evaluate("(el) => el === document.activeElement"):
            break
    expect(opener).to_be_focused()

    # Escape first: open with Enter, close with Escape, focus back on the button.
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Email Us")).to_be_visible()
    modal_close_with_escape(page, opener)

    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Email Us")
    expect(dialog).to_be_visible()
    account = dialog.get_by_label("Billing Account Number")
    expect(account).to_be_focused()
    page.keyboard.type("5200087731")  # type-ahead on the focused list
    expect(account).to_have_value(accounts["5200087731"])
    expect(dialog.get_by_role("complementary")).to_contain_text("Contacts for account 5200087731")

    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Email", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    phone = dialog.get_by_label("Phone Number")
    expect(phone).to_be_focused()
    expect(phone).to_have_value("(614) 555-0111")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("(614) 555-0123")
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("In Reference To")).to_be_focused()
    page.keyboard.press("Tab")
    message = dialog.get_by_label("Message")
    expect(message).to_be_focused()
    text = "Sent with the keyboard only (e2e)."
    page.keyboard.type(text)
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_label("In Reference To")).to_be_focused()
    page.keyboard.press("Tab")

    stops = assert_focus_stays_in_modal(page)
    assert {"Cancel", "Send", "Close Email Us"} <= set(stops), stops
    assert stops[-1] == focus_in_modal(page)["name"]

    message.focus()  # where the walk started; Tab on to Cancel and Send
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("link", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Send")).to_be_focused()
    mark = mailbox.mark()
    page.keyboard.press("Space")

    sent = page.get_by_role("dialog", name="Your message was sent")
    expect(sent.get_by_role("heading", name="Your message was sent")).to_be_focused()
    reference = REFERENCE.search(sent.inner_text()).group(0)
    expect(sent).to_contain_text("Western Region Billing")
    recipient = seeded["routes"]["5200087731"]["general"]["recipient"]
    staff = staff_mail(mailbox, reference, recipient, after=mark)
    assert KEYBOARD_USER in staff.message["Reply-To"]
    assert text in staff.text and "(614) 555-0123" in staff.text

    assert_focus_stays_in_modal(page, presses=4)
    for _ in range(4):
        if (
            focus_in_modal(page)["name"] == "Close"
            and page.evaluate("() => document.activeElement.tagName") == "A"
        ):
            break
        page.keyboard.press("Tab")
    expect(sent.get_by_role("link", name="Close", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("dialog#modal")).to_be_hidden()
    expect(opener).to_be_focused()


def test_an_insured_with_2500_accounts_finds_and_chooses_one(signed_in_page, seeded, mailbox):
    # An account without a representative: the app routes it by rule, else to its team.
    fleet = seeded["fleet"]
    number, public_id, phone_number = fleet["number"], fleet["public_id"], fleet["phone"]
    page = signed_in_page(FLEET)
    dialog = modal_open(page, support_button(page))
    account = dialog.get_by_label("Billing Account Number")

    expect(account).to_have_accessible_description(re.compile(r"^2,500 accounts, grouped"))
    assert account.locator("option").count() == 2501  # and General Inquiry
    groups = account.locator("optgroup")
    assert groups.count() >= 2
    in_its_group = account.locator(f'optgroup[label="{fleet["company"]}"] option', has_text=number)
    expect(in_its_group).to_have_count(1)
    assert axe(page, "#modal", label="email us modal (2,500 accounts)") == []

    account.focus()
    page.keyboard.type(number)  # type-ahead, as the help text says
    expect(account).to_have_value(public_id)
    contacts = dialog.get_by_role("complementary")
    expect(contacts).to_contain_text(f"Contacts for account {number}")
    expect(dialog.get_by_label("Phone Number")).to_have_value(phone_number)
    reference_to = dialog.get_by_label("In Reference To")
    assert reference_to.locator("option").count() < 50  # not 2,500 numbers twice
    assert selected_text(reference_to) == "General Question"

    dialog.get_by_label("Message").fill("Fleet terminal billing question (e2e).")
    recipient, reason = fleet["route"]["recipient"], fleet["route"]["reason"]
    assert reason.startswith("No representative")
    mark = mailbox.mark()
    reference = send_and_read_reference(page, dialog)
    staff = staff_mail(mailbox, reference, recipient, after=mark)
    assert f"Account {number}" in staff.subject
    assert f"Routed to {recipient}: {reason}." in staff.text  # as stored with the request
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_email_us_works_as_a_plain_page_without_javascript(
    signed_in_page, accounts, seeded, mailbox
):
    page = signed_in_page(PLAIN_USER, java_script_enabled=False)
    page.goto("/support/email-us/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Email Us")
    main = page.get_by_role("main")
    expect(main.get_by_label("Email", exact=True)).to_have_value(PLAIN_USER)
    text = "Sent without JavaScript (e2e)."
    main.get_by_label("Message").fill(text)

    main.get_by_label("Billing Account Number").select_option(accounts["4000019876"])
    main.get_by_role("button", name="Show contacts and phone number for this account").click()
    expect(main.get_by_role("complementary")).to_contain_text("Contacts for account 4000019876")
    expect(main.get_by_role("complementary")).to_contain_text("Priya Raman")
    expect(main.get_by_label("Message")).to_have_value(text)

    recipient = seeded["routes"]["4000019876"]["general"]["recipient"]
    mark = mailbox.mark()
    main.get_by_role("button", name="Send").click()

    expect(page).to_have_url(re.compile(r"/support/email-us/sent/BS-\d{4}-\d{6}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your message was sent")
    reference = REFERENCE.search(page.url).group(0)
    expect(page.get_by_role("main")).to_contain_text(reference)
    staff = staff_mail(mailbox, reference, recipient, after=mark)
    assert text in staff.text
    sent_url = page.url

    # axe needs JavaScript: audit the same pages in a normal context.
    page = signed_in_page(PLAIN_USER)
    for url, label in (("/support/email-us/", "email us page"), (sent_url, "email us sent page")):
        page.goto(url)
        assert axe(page, label=label) == []
        assert_no_overflow(page)


def test_email_us_fits_and_scrolls_on_a_phone(signed_in_page):
    page = signed_in_page(INSURED, viewport=PHONE, is_mobile=True)
    opener = support_button(page)
    dialog = modal_open(page, opener)

    assert_no_overflow(page)
    expect(dialog.get_by_role("button", name="Close Email Us")).to_be_in_viewport()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] <= PHONE["height"]
    scrolls = dialog.evaluate("(d) => d.scrollHeight > d.clientHeight")
    assert scrolls, "the modal is taller than a phone: it must scroll"
    send = dialog.get_by_role("button", name="Send")
    send.scroll_into_view_if_needed()
    expect(send).to_be_in_viewport()
    assert_no_overflow(page)
    assert axe(page, "#modal", label="email us modal (phone)") == []
    modal_close_with_escape(page, opener)
