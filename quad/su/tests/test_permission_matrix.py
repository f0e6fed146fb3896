"""The permission matrix: every URL Quad serves, every role, the status each role gets.

A new URL pattern without an entry in EXPECTED fails `test_every_url_has_an_entry_in_the_matrix`,
so nobody adds a view without deciding who may use it (STYLE.md rule 16). Each (URL, method, role)
is its own test case; the cast comes from the root conftest and is built afresh for each case.

Reading the table: each URL names a small profile (PUBLIC, SIGNED_IN, COMMITTEE_READ, ...) for GET,
and for URLs that accept POST, a profile for a POST of an empty form. An empty form is enough to
tell "refused" (302 to sign in, 403, 404) from "let through" (the form's errors, or the action's
redirect). Expected statuses are either a number or a `Redirect` to a named URL.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from conftest import PASSWORD, found_society, join, make_person, train
from quad.accounts.totp import current_code
from quad.chat import invite_requests
from quad.chat import scheduling as chat_scheduling
from quad.chat import services as chat_services
from quad.chat.models import ChatGroup, GroupMember, InviteRequest, Message, ModeratorThread, ScheduledPost
from quad.chat.permissions import current_version
from quad.commerce import services as commerce_services
from quad.commerce.models import Order, OrderLine, RefundRequest
from quad.conduct import models as conduct_models
from quad.conduct import services as conduct_services
from quad.core.academic import current_academic_year
from quad.elections import services as election_services
from quad.elections.models import Candidate, Complaint, Election, Post
from quad.elections.tests.factories import make_election
from quad.elections.tests.phases import move_to
from quad.events.models import Event, Ticket, TicketType
from quad.events.tests.factories import buy_tickets, make_event, make_ticket_type
from quad.events.views import feed_token
from quad.mailings import services as mailing_services
from quad.mailings.models import Mailing
from quad.mailings.rendering import unsubscribe_token
from quad.memberships.models import Membership, MembershipType
from quad.memberships.services import create_membership_type
from quad.news import services as news_services
from quad.news.models import Article
from quad.shop.models import Collection, MerchItem, MerchVariant
from quad.shop.tests.factories import buy_merch, make_item
from quad.societies import services
from quad.societies.models import Category, CommitteeTerm, FAQItem, HandoverNote, Position, Power, Society
from quad.su.models import FeaturedSociety

ROLES = (
    "anonymous",
    "visitor",
    "student",
    "member",
    "committee_trained",
    "committee_untrained",
    "other_committee",
    "su_staff",
)


# --- Expectations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """A redirect to the named URL. `kwargs` names the URL kwargs the target takes: the request's own,
    or else the sample world's (a refund decision, made by id, goes back to its society's list);
    `keeps_next` asks that ?next= bring the person back to the page they asked for. An action that makes
    a row and goes to it names the row with `made`, read from the world once the request is done."""

    to: str
    status: int = 302
    kwargs: tuple[str, ...] = ()
    keeps_next: bool = False
    made: Callable[[World], dict[str, str | int]] | None = None

    def __str__(self) -> str:
        return f"{self.status} to {self.to}"


Expect = int | Redirect

TO_LOGIN = Redirect("account_login", keeps_next=True)
TO_REAUTHENTICATE = Redirect("account_reauthenticate")
TO_MFA_REAUTHENTICATE = Redirect("mfa_reauthenticate", keeps_next=True)

# What a browser sends for a form left empty: no fields filled in, but never an empty body (the CSRF
# token is always there; the test client does not check it). An empty body would leave
# `Form(request.POST or None)` unbound, re-rendering the page instead of validating it.
EMPTY_FORM = {"csrfmiddlewaretoken": "unchecked-in-tests"}


@dataclass(frozen=True)
class Profile:
    name: str
    statuses: Mapping[str, Expect]
    # For committee writes: the power the view demands, and what a member who may use it gets.
    power: str | None = None
    allowed: Expect | None = None


def profile(name: str, *, default: Expect, roles: tuple[str, ...] = ROLES, **overrides: Expect) -> Profile:
    unknown = set(overrides) - set(roles)
    assert not unknown, f"{name}: no such roles {unknown}"
    return Profile(name, {role: overrides.get(role, default) for role in roles})


PUBLIC = profile("PUBLIC", default=200)
SIGNED_IN = profile("SIGNED_IN", default=200, anonymous=TO_LOGIN)
# Sign-in and sign-up pages send someone already signed in to their account page.
GUESTS_ONLY = profile("GUESTS_ONLY", default=Redirect("accounts:home"), anonymous=200)
# Founding a society is for current students: not visitors, not union staff.
STUDENTS_ONLY = profile("STUDENTS_ONLY", default=200, anonymous=TO_LOGIN, visitor=403, su_staff=403)
# A society's management area: its current committee, trained or not, may look.
COMMITTEE_READ = profile(
    "COMMITTEE_READ", default=403, anonymous=TO_LOGIN, committee_trained=200, committee_untrained=200
)
# Acknowledging handover notes is for the incoming committee, and nobody in the cast is incoming.
INCOMING_COMMITTEE_ONLY = profile("INCOMING_COMMITTEE_ONLY", default=403, anonymous=TO_LOGIN)
STAFF_ONLY = profile("STAFF_ONLY", default=403, anonymous=TO_LOGIN, su_staff=200)
# An application names its founders by email: the founders (here the President and the Secretary)
# and union staff may read it; to anyone else it does not exist, even after approval.
FOUNDERS_AND_STAFF = profile(
    "FOUNDERS_AND_STAFF", default=404, anonymous=TO_LOGIN, committee_trained=200, committee_untrained=200, su_staff=200
)
NOT_FOUND = profile("NOT_FOUND", default=404)
# A person's own data, downloaded or erased: confirm who you are first (staff with their authenticator).
OWN_DATA_FRESH = profile(
    "OWN_DATA_FRESH", default=TO_REAUTHENTICATE, anonymous=TO_LOGIN, su_staff=Redirect("mfa_reauthenticate")
)


def committee_write(power: str | None, *, allowed: Expect, **overrides: Expect) -> Profile:
    """A change to a society: only a trained current committee member whose position has `power`
    (`None`: any trained current committee member). Untrained committee and everyone else: 403."""
    # committee_trained is the President, whose position has every power.
    assert set(overrides) <= set(ROLES), f"no such roles {set(overrides) - set(ROLES)}"
    name = f"COMMITTEE_WRITE({power})" + "".join(f"+{role}" for role in overrides)
    base = profile(name, default=403, anonymous=TO_LOGIN, committee_trained=allowed)
    return Profile(base.name, {**base.statuses, **overrides}, power=power, allowed=allowed)


def committee_only(power: str) -> Profile:
    """A page of the management area that needs `power` (and valid training) just to look at."""
    return committee_write(power, allowed=200)


def staff_action(then: Expect) -> Profile:
    return profile("STAFF_ACTION", default=403, anonymous=TO_LOGIN, su_staff=then)


TO_SOCIETY_DETAIL = Redirect("su:society-detail", kwargs=("slug",))
TO_MANAGE_COMMITTEE = Redirect("societies:manage-committee", kwargs=("slug",))
TO_BASKET = Redirect("commerce:basket")
TO_ORDER = Redirect("commerce:order", kwargs=("reference",))
TO_MEMBER_LIST = Redirect("memberships:member-list", kwargs=("slug",))
TO_EVENT = Redirect("events:event", kwargs=("pk",))
TO_MANAGE_EVENT = Redirect("events:manage-event", kwargs=("pk",))
TO_MANAGE_ITEM = Redirect("shop:manage-item", kwargs=("pk",))
TO_COLLECTIONS = Redirect("shop:collections", kwargs=("slug",))
TO_ELECTION = Redirect("elections:election", kwargs=("pk",))
TO_MANAGE_ELECTION = Redirect("elections:manage-election", kwargs=("pk",))
TO_RESULTS = Redirect("elections:results", kwargs=("pk",))
TO_RETURNING_OFFICER = Redirect("elections:returning-officer", kwargs=("pk",))
TO_MANAGE_NEWS = Redirect("news:manage-news", kwargs=("slug",))
TO_ARTICLE = Redirect("news:article", kwargs=("slug", "article_slug"))
TO_MAILING = Redirect("mailings:mailing", kwargs=("pk",))
TO_NEW_MAILING = Redirect(
    "mailings:mailing", kwargs=("pk",), made=lambda world: {"pk": Mailing.objects.latest("pk").pk}
)

# Buying is for current students: union staff and visitors are refused with the reason (graduates
# too: see test_graduates_and_visitors_are_told_why_they_cannot_buy). An empty form, or an empty
# basket, goes back to the basket with a message.
STUDENTS_BUY = profile("STUDENTS_BUY", default=TO_BASKET, anonymous=TO_LOGIN, visitor=403, su_staff=403)
# An order is its buyer's (`member`) and union staff's; to anyone else it does not exist.
BUYER_AND_STAFF = profile("BUYER_AND_STAFF", default=404, anonymous=TO_LOGIN, member=200, su_staff=200)
# Paying for or asking a refund on an order is the buyer's alone: staff may see it but not act.
BUYER_ACTS = profile("BUYER_ACTS", default=404, anonymous=TO_LOGIN, member=TO_ORDER, su_staff=403)
# A refund decision goes back to the list it was made from: the society's, or the union's.
REFUND_DECISION = committee_write(
    Power.FINANCE,
    allowed=Redirect("commerce:refund-requests", kwargs=("slug",)),
    su_staff=Redirect("su:refund-requests"),
)


# Elections. The organisers' pages: any current committee member may look; calling an election, adding
# a post or sending reminders needs the elections power (with training), or union staff with two-factor.
ELECTIONS_READ = profile(
    "ELECTIONS_READ", default=403, anonymous=TO_LOGIN, committee_trained=200, committee_untrained=200, su_staff=200
)


def eligible_members(then: Expect) -> Profile:
    """Standing, voting and complaining: members whose membership was active at the cut-off (`member`)."""
    return profile("ELIGIBLE_MEMBERS", default=403, anonymous=TO_LOGIN, member=then)


def returning_officer(then: Expect) -> Profile:
    """The election's returning officer (`su_staff`): everyone else may not, and is told so."""
    return profile("RETURNING_OFFICER", default=403, anonymous=TO_LOGIN, su_staff=then)


# Group chats. A group's pages are for its members (`member` joined the sample group and accepted its
# guidelines) and its moderators: the trained President (the moderate power) and union staff, who watch
# without joining. To anyone else a group does not exist (404), so guessing ids reveals nothing.
TO_GROUP = Redirect("chat:group", kwargs=("pk",))
# An action addressed by something other than the group (its invite token, a message) goes back to it.
TO_SAMPLE_GROUP = Redirect("chat:group", kwargs=("pk",), made=lambda world: {"pk": world.chat_group.pk})
GROUP_READERS = profile(
    "GROUP_READERS", default=404, anonymous=TO_LOGIN, member=200, committee_trained=200, su_staff=200
)


# Accepting, leaving and muting are a member's own; a moderator who never joined goes back to the group
# (or their list of groups) with nothing done.
def group_readers(then: Expect) -> Profile:
    return profile(
        "GROUP_READERS_ACT", default=404, anonymous=TO_LOGIN, member=then, committee_trained=then, su_staff=then
    )


# Posting is for members: moderators who watch without joining may see the group, so are refused (403).
GROUP_POSTERS = profile(
    "GROUP_POSTERS", default=404, anonymous=TO_LOGIN, member=TO_GROUP, committee_trained=403, su_staff=403
)


def group_moderators(then: Expect) -> Profile:
    """Hiding, removing, a new invite link: moderators only. A member sees the group, so is refused (403)."""
    return profile(
        "GROUP_MODERATORS", default=404, anonymous=TO_LOGIN, member=403, committee_trained=then, su_staff=then
    )


# Editing, deleting and reacting: `member` wrote the sample message (an empty form changes nothing and goes
# back to the group, saying why). Moderators see the group but did not write it, and reacting is for people
# in the group: the President and staff watch without joining, so are refused (403).
GROUP_MEMBERS_ACT = profile(
    "GROUP_MEMBERS_ACT", default=404, anonymous=TO_LOGIN, member=TO_SAMPLE_GROUP, committee_trained=403, su_staff=403
)


def thread_parties(then: Expect) -> Profile:
    """A private conversation (world.chat_thread): the member it is with, and the group's moderators. To
    anyone else it does not exist."""
    return profile(
        "THREAD_PARTIES", default=404, anonymous=TO_LOGIN, member=then, committee_trained=then, su_staff=then
    )


# Reports, the review queue, casework (conduct). Reporting: whoever can read the group (404 to anyone else).
REPORTERS = profile("REPORTERS", default=404, anonymous=TO_LOGIN, member=200, committee_trained=403, su_staff=200)
TO_GROUP_QUEUE = Redirect("conduct:group-queue", kwargs=("pk",), made=lambda world: {"pk": world.chat_group.pk})
TO_CASE = Redirect("conduct:case", kwargs=("pk",))


@dataclass(frozen=True)
class Check:
    get: Profile | None = None
    post: Profile | None = None


EXPECTED: dict[str, Check] = {
    "home": Check(get=PUBLIC),
    # --- allauth: sign-in, sign-up, password and email -------------------------------------
    "account_login": Check(get=GUESTS_ONLY),
    "account_signup": Check(get=GUESTS_ONLY),
    # Signing out asks for confirmation; someone not signed in is sent to the front page.
    "account_logout": Check(get=profile("SIGN_OUT", default=200, anonymous=Redirect("home"))),
    "account_inactive": Check(get=PUBLIC),
    "account_reauthenticate": Check(get=SIGNED_IN),
    "account_email": Check(get=SIGNED_IN),
    "account_email_verification_sent": Check(get=PUBLIC),
    "account_change_password": Check(get=SIGNED_IN),
    # Everyone in the cast has a password, so "set" sends them to "change".
    "account_set_password": Check(
        get=profile("HAS_PASSWORD", default=Redirect("account_change_password"), anonymous=TO_LOGIN)
    ),
    "account_reset_password": Check(get=PUBLIC),
    "account_reset_password_done": Check(get=PUBLIC),
    "account_reset_password_from_key_done": Check(get=PUBLIC),
    # With a made-up key these render allauth's "bad link" page (200), to anyone.
    "account_confirm_email": Check(get=PUBLIC),
    "account_reset_password_from_key": Check(get=PUBLIC),
    # Steps of a sign-in in progress: with none under way, back to the start (or the account page).
    "account_confirm_login_code": Check(
        get=profile("NO_LOGIN_IN_PROGRESS", default=Redirect("accounts:home"), anonymous=Redirect("account_login"))
    ),
    "mfa_authenticate": Check(
        get=profile("NO_LOGIN_IN_PROGRESS", default=Redirect("accounts:home"), anonymous=Redirect("account_login"))
    ),
    # --- allauth: two-factor ---------------------------------------------------------------
    "mfa_index": Check(get=SIGNED_IN),
    # Only union staff have TOTP in the cast; the rest are sent to reauthenticate by password.
    "mfa_reauthenticate": Check(get=profile("MFA_REAUTH", default=TO_REAUTHENTICATE, anonymous=TO_LOGIN, su_staff=200)),
    # Changing two-factor settings needs a recent sign-in, which force_login does not give.
    "mfa_activate_totp": Check(get=profile("RECENT_SIGN_IN", default=TO_REAUTHENTICATE, anonymous=TO_LOGIN)),
    "mfa_generate_recovery_codes": Check(get=profile("RECENT_SIGN_IN", default=TO_REAUTHENTICATE, anonymous=TO_LOGIN)),
    "mfa_deactivate_totp": Check(get=profile("HAS_TOTP", default=404, anonymous=TO_LOGIN, su_staff=TO_REAUTHENTICATE)),
    # Nobody in the cast has generated recovery codes.
    "mfa_view_recovery_codes": Check(get=profile("HAS_RECOVERY_CODES", default=404, anonymous=TO_LOGIN)),
    "mfa_download_recovery_codes": Check(get=profile("HAS_RECOVERY_CODES", default=404, anonymous=TO_LOGIN)),
    # --- allauth: university single sign-on (not configured in tests) ----------------------
    "socialaccount_login_cancelled": Check(get=PUBLIC),
    # allauth renders its "sign-in failed" page with 401 Unauthorized, to anyone.
    "socialaccount_login_error": Check(get=profile("SSO_ERROR_PAGE", default=401)),
    # Without a single sign-on under way there is nothing to complete.
    "socialaccount_signup": Check(get=profile("NO_SSO_IN_PROGRESS", default=Redirect("account_login"))),
    "socialaccount_connections": Check(get=SIGNED_IN),
    # Unnamed: allauth's permanent redirects from its old /social/ paths.
    "/auth/social/login/cancelled/": Check(
        get=profile("MOVED", default=Redirect("socialaccount_login_cancelled", status=301))
    ),
    "/auth/social/login/error/": Check(get=profile("MOVED", default=Redirect("socialaccount_login_error", status=301))),
    "/auth/social/signup/": Check(get=profile("MOVED", default=Redirect("socialaccount_signup", status=301))),
    "/auth/social/connections/": Check(get=profile("MOVED", default=Redirect("socialaccount_connections", status=301))),
    # No provider is configured in tests, so a provider id matches nothing.
    "openid_connect_login": Check(get=NOT_FOUND),
    "openid_connect_callback": Check(get=NOT_FOUND),
    # --- accounts ---------------------------------------------------------------------------
    "accounts:home": Check(get=SIGNED_IN),
    # An empty form comes back with its errors (200); nobody can edit anyone else's profile.
    "accounts:edit-profile": Check(get=SIGNED_IN, post=SIGNED_IN),
    "accounts:take-training": Check(get=SIGNED_IN, post=SIGNED_IN),
    # --- societies: public ------------------------------------------------------------------
    "societies:directory": Check(get=PUBLIC),
    "societies:mini-site": Check(get=PUBLIC),
    # Once approved, an application is visible to anyone signed in (see get_visible_society).
    "societies:application": Check(get=FOUNDERS_AND_STAFF),
    "societies:apply-for-society": Check(get=STUDENTS_ONLY, post=STUDENTS_ONLY),
    # --- societies: management area --------------------------------------------------------
    "societies:manage": Check(get=COMMITTEE_READ),
    "societies:manage-committee": Check(get=COMMITTEE_READ),
    "societies:edit-mini-site": Check(get=COMMITTEE_READ, post=committee_write(Power.MANAGE_SITE, allowed=200)),
    # Every social link is optional, so an empty form is valid: all links cleared, then redirect.
    "societies:edit-social-links": Check(
        get=COMMITTEE_READ,
        post=committee_write(Power.MANAGE_SITE, allowed=Redirect("societies:edit-social-links", kwargs=("slug",))),
    ),
    "societies:edit-faq": Check(get=COMMITTEE_READ, post=committee_write(Power.MANAGE_SITE, allowed=200)),
    "societies:remove-faq-item": Check(
        post=committee_write(Power.MANAGE_SITE, allowed=Redirect("societies:edit-faq", kwargs=("slug",)))
    ),
    "societies:grant-committee-term": Check(post=committee_write(Power.MANAGE_COMMITTEE, allowed=400)),
    "societies:end-committee-term": Check(post=committee_write(Power.MANAGE_COMMITTEE, allowed=TO_MANAGE_COMMITTEE)),
    "societies:create-position": Check(post=committee_write(Power.MANAGE_COMMITTEE, allowed=TO_MANAGE_COMMITTEE)),
    "societies:set-position-powers": Check(post=committee_write(Power.MANAGE_COMMITTEE, allowed=TO_MANAGE_COMMITTEE)),
    # Current committee read the handover notes; writing them needs training but no particular power.
    "societies:handover": Check(get=COMMITTEE_READ, post=committee_write(None, allowed=200)),
    "societies:acknowledge-handover": Check(post=INCOMING_COMMITTEE_ONLY),
    # --- su: the union console --------------------------------------------------------------
    "su:console": Check(get=STAFF_ONLY),
    "su:society-list": Check(get=STAFF_ONLY),
    "su:society-detail": Check(get=STAFF_ONLY),
    "su:handover-status": Check(get=STAFF_ONLY),
    "su:record-training": Check(get=STAFF_ONLY, post=STAFF_ONLY),
    # Console actions redirect back to the society, with a message saying what happened
    # (here mostly "cannot": the sample society is active, and an empty form gives no reason).
    "su:approve-society": Check(post=staff_action(TO_SOCIETY_DETAIL)),
    "su:reject-society": Check(post=staff_action(TO_SOCIETY_DETAIL)),
    "su:suspend-society": Check(post=staff_action(TO_SOCIETY_DETAIL)),
    "su:reinstate-society": Check(post=staff_action(TO_SOCIETY_DETAIL)),
    "su:fold-society": Check(post=staff_action(TO_SOCIETY_DETAIL)),
    "su:feature-society": Check(post=staff_action(TO_SOCIETY_DETAIL)),
    "su:unfeature-society": Check(post=staff_action(TO_SOCIETY_DETAIL)),
    "su:refund-requests": Check(get=STAFF_ONLY),
    "su:health": Check(get=STAFF_ONLY),
    "su:health-csv": Check(get=STAFF_ONLY),
    "su:approvals": Check(get=STAFF_ONLY),
    # --- privacy: the notice is public; a person's own data is theirs; other people's are staff's ---
    "privacy:notice": Check(get=PUBLIC),
    "privacy:my-data": Check(get=SIGNED_IN),
    # Downloading or erasing asks everyone to confirm who they are first (staff with their app); an empty
    # erasure form is not even read before that.
    "privacy:download-my-data": Check(post=OWN_DATA_FRESH),
    "privacy:erase-my-account": Check(get=SIGNED_IN, post=OWN_DATA_FRESH),
    "privacy:people": Check(get=STAFF_ONLY),
    "privacy:person": Check(get=STAFF_ONLY),
    "privacy:export-person": Check(post=staff_action(Redirect("mfa_reauthenticate"))),
    "privacy:erase-person": Check(post=staff_action(Redirect("mfa_reauthenticate"))),
    "privacy:retention": Check(get=STAFF_ONLY),
    "privacy:access-log": Check(get=STAFF_ONLY),
    "privacy:departures": Check(get=STAFF_ONLY),
    # --- commerce: basket, checkout, orders, refunds ----------------------------------------
    "commerce:basket": Check(get=SIGNED_IN),
    "commerce:add-to-basket": Check(post=STUDENTS_BUY),
    "commerce:remove-from-basket": Check(post=profile("SIGNED_IN", default=TO_BASKET, anonymous=TO_LOGIN)),
    "commerce:checkout": Check(post=STUDENTS_BUY),
    "commerce:order": Check(get=BUYER_AND_STAFF),
    # The sample order is paid: its buyer sees "already paid", and a POST goes back to the order.
    "commerce:test-payment": Check(
        get=profile("BUYER_PAYS", default=404, anonymous=TO_LOGIN, member=200, su_staff=403), post=BUYER_ACTS
    ),
    "commerce:request-refund": Check(post=BUYER_ACTS),
    # An empty approval refunds everything still refundable; an empty decline lacks its reason.
    "commerce:approve-refund-request": Check(post=REFUND_DECISION),
    "commerce:decline-refund-request": Check(post=REFUND_DECISION),
    "commerce:refund-requests": Check(get=committee_only(Power.FINANCE)),
    "commerce:society-ledger": Check(get=committee_only(Power.FINANCE)),
    # Not configured in tests (the embedded default): there is no webhook to call. See
    # test_stripe_webhook_refuses_a_bad_signature for the configured case.
    "commerce:stripe-webhook": Check(post=NOT_FOUND),
    # --- memberships ------------------------------------------------------------------------
    # Any current committee member may see the types; creating one needs finance (empty form: 200).
    "memberships:membership-types": Check(get=COMMITTEE_READ, post=committee_write(Power.FINANCE, allowed=200)),
    "memberships:edit-membership-type": Check(
        get=committee_only(Power.FINANCE), post=committee_write(Power.FINANCE, allowed=200)
    ),
    # Personal data: the member-data power with valid training, every time.
    "memberships:member-list": Check(get=committee_only(Power.MEMBER_DATA)),
    "memberships:export-members": Check(get=committee_only(Power.MEMBER_DATA)),
    "memberships:remove-member": Check(post=committee_write(Power.MEMBER_DATA, allowed=TO_MEMBER_LIST)),
    # --- events: public -------------------------------------------------------------------
    # The sample event is public; a members-only one is checked in MEMBERS_ONLY_EXPECTED below.
    "events:calendar": Check(get=PUBLIC),
    "events:event": Check(get=PUBLIC),
    "events:society-feed": Check(get=PUBLIC),
    # A calendar app cannot sign in: the signed token is the key, whoever holds it (a bad one is
    # 404: test_personal_feed_needs_a_valid_token).
    "events:my-feed": Check(get=PUBLIC),
    # A ticket (`member`'s) is its holder's and union staff's; to anyone else it does not exist.
    "events:ticket": Check(get=BUYER_AND_STAFF),
    # Joining is for current students (an empty form goes back to the event with a message).
    "events:join-waiting-list": Check(
        post=profile("STUDENTS_WAIT", default=TO_EVENT, visitor=403, su_staff=403, anonymous=TO_LOGIN)
    ),
    # Leaving is never refused to someone signed in (a student on the list who has since graduated can
    # still leave); for someone not on the list it does nothing.
    "events:leave-waiting-list": Check(post=profile("SIGNED_IN_LEAVES", default=TO_EVENT, anonymous=TO_LOGIN)),
    # --- events: management and the door ---------------------------------------------------
    "events:society-events": Check(get=COMMITTEE_READ, post=committee_write(Power.EVENTS, allowed=200)),
    "events:manage-event": Check(get=COMMITTEE_READ, post=committee_write(Power.EVENTS, allowed=200)),
    "events:add-ticket-type": Check(post=committee_write(Power.EVENTS, allowed=TO_MANAGE_EVENT)),
    "events:edit-ticket-type": Check(get=COMMITTEE_READ, post=committee_write(Power.EVENTS, allowed=200)),
    # An empty form cancels nothing: it goes back with "tell ticket holders why".
    "events:cancel-event": Check(post=committee_write(Power.EVENTS, allowed=TO_MANAGE_EVENT)),
    "events:attendees": Check(get=committee_only(Power.MEMBER_DATA)),
    # The door: the scanner, its count, and a scan (an empty code is "not a ticket", on the page).
    "events:scanner": Check(get=committee_only(Power.EVENTS)),
    "events:attendance": Check(get=committee_only(Power.EVENTS)),
    "events:scan": Check(post=committee_write(Power.EVENTS, allowed=200)),
    # --- shop (merch) ---------------------------------------------------------------------
    "shop:item": Check(get=PUBLIC),
    "shop:society-shop": Check(get=COMMITTEE_READ, post=committee_write(Power.SHOP, allowed=200)),
    "shop:manage-item": Check(get=COMMITTEE_READ),
    "shop:update-variant": Check(post=committee_write(Power.SHOP, allowed=TO_MANAGE_ITEM)),
    "shop:add-photo": Check(post=committee_write(Power.SHOP, allowed=TO_MANAGE_ITEM)),
    "shop:set-item-on-sale": Check(post=committee_write(Power.SHOP, allowed=TO_MANAGE_ITEM)),
    "shop:pick-list": Check(get=committee_only(Power.SHOP)),
    # Who bought what is personal data: the shop power and the member-data power, both (the Treasurer
    # has both; test_the_collections_list_needs_the_member_data_power_as_well_as_the_shop takes one away).
    "shop:collections": Check(get=committee_only(Power.SHOP)),
    "shop:mark-ready": Check(post=committee_write(Power.SHOP, allowed=TO_COLLECTIONS)),
    "shop:mark-collected": Check(post=committee_write(Power.SHOP, allowed=TO_COLLECTIONS)),
    # --- news -------------------------------------------------------------------------------
    # The sample article (world.article) is published; a draft is checked in DRAFT_ARTICLE_EXPECTED below.
    "news:union-news": Check(get=PUBLIC),
    "news:union-feed": Check(get=PUBLIC),
    "news:society-news": Check(get=PUBLIC),
    "news:society-feed": Check(get=PUBLIC),
    "news:article": Check(get=PUBLIC),
    # Any current committee member may look at the society's news, drafts included; writing needs the
    # mini-site power (an empty form comes back with its errors).
    "news:manage-news": Check(get=COMMITTEE_READ, post=committee_write(Power.MANAGE_SITE, allowed=200)),
    "news:edit-article": Check(get=COMMITTEE_READ, post=committee_write(Power.MANAGE_SITE, allowed=200)),
    "news:delete-article": Check(post=committee_write(Power.MANAGE_SITE, allowed=TO_MANAGE_NEWS)),
    # The front page is the union's: staff feature an article and go back to it.
    "news:feature-article": Check(post=staff_action(TO_ARTICLE)),
    "news:unfeature-article": Check(post=staff_action(TO_ARTICLE)),
    # --- mailings -------------------------------------------------------------------------
    # The sample mailing (world.mailing) is a draft to the committee, so sending it needs no fresh sign-in
    # (sending to members does: test_sending_to_members_needs_a_fresh_sign_in). Any current committee
    # member may look at the society's email, the preview and the progress; writing, sending, cancelling,
    # deleting and the welcome email need the email power with valid training. To anyone else a mailing
    # is refused (403) like the rest of the management area, never shown.
    "mailings:society-mailings": Check(get=COMMITTEE_READ),
    "mailings:compose-mailing": Check(get=COMMITTEE_READ, post=committee_write(Power.EMAIL, allowed=200)),
    "mailings:welcome-email": Check(get=COMMITTEE_READ, post=committee_write(Power.EMAIL, allowed=200)),
    "mailings:mailing": Check(get=COMMITTEE_READ),
    "mailings:mailing-progress": Check(get=COMMITTEE_READ),
    "mailings:edit-mailing": Check(get=COMMITTEE_READ, post=committee_write(Power.EMAIL, allowed=200)),
    # An empty form says neither "now" nor "later": back to the mailing, with the form's message.
    "mailings:send-mailing": Check(post=committee_write(Power.EMAIL, allowed=TO_MAILING)),
    # A draft cannot be cancelled (only a scheduled mailing can): back to it, with the reason.
    "mailings:cancel-mailing": Check(post=committee_write(Power.EMAIL, allowed=TO_MAILING)),
    "mailings:delete-mailing": Check(
        post=committee_write(Power.EMAIL, allowed=Redirect("mailings:society-mailings", kwargs=("slug",)))
    ),
    # Emailing an article makes a draft from it and goes to that draft.
    "mailings:email-article": Check(post=committee_write(Power.EMAIL, allowed=TO_NEW_MAILING)),
    # Union staff see mail held for quiet hours (world.held_mailing) and send one now.
    "mailings:held-mailings": Check(get=STAFF_ONLY),
    "mailings:mark-urgent": Check(post=staff_action(Redirect("mailings:held-mailings"))),
    # The signed link in `member`'s email is the key, whoever holds it: a mail client follows it signed
    # out, and one-click unsubscribe (RFC 8058) POSTs without a form. A bad link is 400
    # (test_unsubscribe_link_must_be_signed).
    "mailings:unsubscribe": Check(get=PUBLIC, post=PUBLIC),
    # The account page's switch: anyone signed in, for themselves; back to their account page.
    "mailings:news-preference": Check(
        post=profile("OWN_NEWS_CHOICE", default=Redirect("accounts:home"), anonymous=TO_LOGIN)
    ),
    # --- elections: the public pages --------------------------------------------------------
    # The sample election (world.election) is in its nominations; the counted one
    # (world.counted_election) is in its complaints window. Results exist only after a count.
    "elections:election": Check(get=PUBLIC),
    "elections:results": Check(get=PUBLIC),
    "elections:download-blt": Check(get=PUBLIC),
    "elections:check-receipt": Check(get=PUBLIC),
    # --- elections: members --------------------------------------------------------------------
    # An empty nomination lacks its manifesto (200, with the form's errors).
    "elections:nominate": Check(get=eligible_members(200), post=eligible_members(200)),
    # The candidacy is `member`'s; to anyone else it does not exist.
    "elections:withdraw": Check(post=profile("OWN_CANDIDACY", default=404, anonymous=TO_LOGIN, member=TO_ELECTION)),
    # Voting has not opened yet: the eligible member is sent back to the election with a message.
    "elections:vote": Check(get=eligible_members(TO_ELECTION), post=eligible_members(TO_ELECTION)),
    # An empty complaint goes back to the results with "say what your complaint is".
    "elections:file-complaint": Check(post=eligible_members(TO_RESULTS)),
    # --- elections: organisers ----------------------------------------------------------------
    "elections:society-elections": Check(
        get=ELECTIONS_READ, post=committee_write(Power.ELECTIONS, allowed=200, su_staff=200)
    ),
    "elections:manage-election": Check(
        get=ELECTIONS_READ, post=committee_write(Power.ELECTIONS, allowed=200, su_staff=200)
    ),
    # Not while nominations are open ("only while voting is open"), but let through to say so.
    "elections:send-reminders": Check(
        post=committee_write(Power.ELECTIONS, allowed=TO_MANAGE_ELECTION, su_staff=TO_MANAGE_ELECTION)
    ),
    # --- elections: the returning officer -------------------------------------------------------
    "elections:returning-officer": Check(get=returning_officer(200)),
    "elections:answer-complaint": Check(post=returning_officer(TO_RETURNING_OFFICER)),
    # The complaints window is open, so certifying is refused, with the reason, on the officer's page.
    "elections:certify": Check(post=returning_officer(TO_RETURNING_OFFICER)),
    # Counting needs a fresh sign-in with the authenticator app (force_login gives none): see also
    # test_counting_needs_a_fresh_sign_in_with_the_authenticator_app.
    "elections:count": Check(
        get=returning_officer(TO_MFA_REAUTHENTICATE), post=returning_officer(TO_MFA_REAUTHENTICATE)
    ),
    # --- chat: group chats --------------------------------------------------------------------
    "chat:my-groups": Check(get=SIGNED_IN),
    # The management area's page: any current committee member may look (and see the invite links);
    # opening a group needs the moderate power with training (an empty form comes back with its errors).
    "chat:society-groups": Check(get=COMMITTEE_READ, post=committee_write(Power.MODERATE, allowed=200)),
    # The invite link shows the group's purpose and guidelines to anyone who has it. Joining needs a
    # signed-in, eligible student: the society's members and committee get in (an empty form joins
    # without accepting, so the group page asks for the guidelines); anyone else goes back to the
    # invite page, which says why (staff watch as moderators; they do not join society groups).
    "chat:invite": Check(
        get=PUBLIC,
        post=profile(
            "ELIGIBLE_JOIN",
            default=Redirect("chat:invite", kwargs=("token",)),
            anonymous=TO_LOGIN,
            member=TO_SAMPLE_GROUP,
            committee_trained=TO_SAMPLE_GROUP,
            committee_untrained=TO_SAMPLE_GROUP,
        ),
    ),
    # The untrained Secretary cannot moderate and has not joined: to her, too, the group does not exist.
    "chat:group": Check(get=GROUP_READERS),
    "chat:messages": Check(get=GROUP_READERS),
    "chat:accept-guidelines": Check(post=group_readers(TO_GROUP)),
    "chat:leave-group": Check(post=group_readers(Redirect("chat:my-groups"))),
    "chat:mute-group": Check(post=group_readers(TO_GROUP)),
    # An empty message is refused with the form's message, back on the group page.
    "chat:post-message": Check(post=GROUP_POSTERS),
    # An empty form gives no reason, so nothing is hidden or removed: back to the group, saying why.
    "chat:rotate-invite": Check(post=group_moderators(TO_GROUP)),
    "chat:remove-member": Check(post=group_moderators(TO_GROUP)),
    "chat:hide-message": Check(post=group_moderators(TO_SAMPLE_GROUP)),
    # Emailing the invite to every eligible member is bulk email: moderators sign in afresh first (staff
    # with their authenticator app), then come back to the group's page (see test_invites.py).
    "chat:email-invite": Check(
        post=profile(
            "GROUP_MODERATORS_FRESH",
            default=404,
            anonymous=TO_LOGIN,
            member=403,
            committee_trained=TO_REAUTHENTICATE,
            su_staff=Redirect("mfa_reauthenticate"),
        )
    ),
    # A rep group's moderators ask the union to invite people; nobody in the cast is in the sample rep
    # group (so it does not exist for them), and staff choose directly instead of asking
    # (test_invite_requests.py covers the reps themselves).
    "chat:request-invites": Check(post=profile("REP_GROUP_MODERATORS", default=404, anonymous=TO_LOGIN, su_staff=403)),
    # Staff decide; an empty form approves (nothing to give), an empty decline asks for the reason.
    "chat:approve-invite-request": Check(post=staff_action(Redirect("su:approvals"))),
    "chat:decline-invite-request": Check(post=staff_action(Redirect("su:approvals"))),
    # Keeping a message for the morning is posting: an empty one is refused, back on the group page.
    "chat:schedule-message": Check(post=GROUP_POSTERS),
    # A message waiting for the morning is its author's (`member`): to anyone else it does not exist.
    "chat:cancel-scheduled": Check(
        post=profile("SCHEDULED_AUTHOR", default=404, anonymous=TO_LOGIN, member=TO_SAMPLE_GROUP)
    ),
    # Union rep groups (W9) are staff's: an empty form comes back with its errors.
    "chat:rep-groups": Check(get=STAFF_ONLY, post=STAFF_ONLY),
    "chat:rep-eligible": Check(get=STAFF_ONLY, post=STAFF_ONLY),
    # An empty form gives no period or reason: back to the group, saying why.
    "chat:read-only": Check(post=group_moderators(TO_GROUP)),
    "chat:edit-message": Check(post=GROUP_MEMBERS_ACT),
    "chat:delete-message": Check(post=GROUP_MEMBERS_ACT),
    "chat:react": Check(post=GROUP_MEMBERS_ACT),
    # One-click notices: their wording is the moderators' (an empty form names no notice: back to the
    # wording page, saying why), and so is posting one (an empty form: back to the group, saying why).
    "chat:notices": Check(get=group_moderators(200), post=group_moderators(Redirect("chat:notices", kwargs=("pk",)))),
    "chat:post-notice": Check(post=group_moderators(TO_GROUP)),
    # The group's settings: moderators; an empty form is shown again with what is missing.
    "chat:edit-group": Check(get=group_moderators(200), post=group_moderators(200)),
    # Choosing a union group's moderators is for staff; the sample is a society group, so staff are told
    # why not on the group page, and its President (a moderator, not staff) is refused.
    "chat:set-role": Check(
        post=profile("SET_ROLE", default=404, anonymous=TO_LOGIN, member=403, committee_trained=403, su_staff=TO_GROUP)
    ),
    # Writing privately to a member (an empty form comes back with its errors), and the conversation.
    "chat:start-thread": Check(get=group_moderators(200), post=group_moderators(200)),
    "chat:thread": Check(get=thread_parties(200), post=thread_parties(200)),
    # --- conduct: reports, the moderators' review queue, union casework -------------------------
    # Reporting is for whoever can read the group: `member`, and union staff watching it. The sample is
    # the President's message (and her place in the group), so the President is refused her own (403).
    "conduct:report-message": Check(get=REPORTERS, post=REPORTERS),
    "conduct:report-member": Check(get=REPORTERS, post=REPORTERS),
    "conduct:my-reports": Check(get=SIGNED_IN),
    # The review queue and its actions are the group's moderators' (and staff's). The sample report (the
    # President's, of `member`'s message) waits for them; the sample flag is on `member`'s message. An
    # empty dismissal dismisses; hiding and escalating without a reason go back to the queue, saying why.
    "conduct:group-queue": Check(get=group_moderators(200)),
    "conduct:dismiss-report": Check(post=group_moderators(TO_GROUP_QUEUE)),
    "conduct:hide-reported-message": Check(post=group_moderators(TO_GROUP_QUEUE)),
    "conduct:escalate-report": Check(post=group_moderators(TO_GROUP_QUEUE)),
    "conduct:dismiss-flag": Check(post=group_moderators(TO_GROUP_QUEUE)),
    "conduct:hide-flagged-message": Check(post=group_moderators(TO_GROUP_QUEUE)),
    "conduct:escalate-flag": Check(post=group_moderators(TO_GROUP_QUEUE)),
    # Casework is union staff's (with two-factor); officers read cases put before them (none in the cast).
    # The sample case: `member` reported the President's message as threats. Actions go back to the case.
    "conduct:queue": Check(get=STAFF_ONLY),
    "conduct:case": Check(get=STAFF_ONLY),
    "conduct:add-case-note": Check(post=staff_action(TO_CASE)),
    "conduct:set-case-status": Check(post=staff_action(TO_CASE)),
    "conduct:close-case": Check(post=staff_action(TO_CASE)),
    "conduct:escalate-to-officers": Check(post=staff_action(TO_CASE)),
    "conduct:suspend-member": Check(post=staff_action(TO_CASE)),
    "conduct:assign-case": Check(post=staff_action(TO_CASE)),
    "conduct:lift-suspension": Check(
        post=staff_action(Redirect("conduct:case", kwargs=("pk",), made=lambda world: {"pk": world.conduct_case.pk}))
    ),
    # --- uploads ----------------------------------------------------------------------------
    "media": Check(get=PUBLIC),
}


# --- Every URL pattern --------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name"; the path itself for the few unnamed patterns
    path: str
    kwarg_names: tuple[str, ...]
    pattern: URLPattern = field(compare=False)


def _walk(patterns: list[Any], prefix: str, namespace: str, kwargs: tuple[str, ...]) -> Iterator[Route]:
    for entry in patterns:
        groups = tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, kwargs + groups)
        elif isinstance(entry, URLPattern):
            path = "/" + prefix + str(entry.pattern)
            key = path  # unnamed: not reversible, so known by its path
            if entry.name:
                key = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(key, path, kwargs + groups, entry)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", "", ()))


ROUTES = {route.key: route for route in all_routes()}


@dataclass(frozen=True)
class Sale:
    """`member`'s membership of the sample society, the order that paid for it, and a refund request."""

    membership_type: MembershipType
    membership: Membership
    order: Order
    line: OrderLine
    refund_request: RefundRequest  # `member` asked for their money back; not yet decided

    @classmethod
    def make(cls, request: pytest.FixtureRequest) -> Sale:
        member = request.getfixturevalue("member")  # bought `membership_type` through the checkout
        membership = Membership.objects.select_related("order_line__order").get(user=member)
        line = membership.order_line
        assert line is not None
        refund_request = commerce_services.request_refund(line, actor=member, reason="I can't make Wednesdays.")
        return cls(request.getfixturevalue("membership_type"), membership, line.order, line, refund_request)


# Pages that list sales, members or refund requests are checked with the sample sale in place; for
# the rest it is made only if their URL points at it (it costs a member, an order and a payment).
SHOWS_SALES = ("commerce:", "memberships:", "su:refund-requests")


# Likewise tickets (they cost a member, an order and a payment) and merch collections.
SHOWS_TICKETS = ("events:ticket", "events:my-feed", "events:attendees")
SHOWS_COLLECTIONS = ("shop:collections", "shop:pick-list")
SHOWS_MAILINGS = ("mailings:society-mailings", "mailings:held-mailings")
SHOWS_CHATS = ("chat:my-groups", "chat:society-groups")
SHOWS_CONDUCT = ("conduct:my-reports", "conduct:group-queue", "conduct:queue")
# Elections: one in its nominations for the pages before a count, one counted for those after.
COUNTED_ELECTION_PAGES = (
    "elections:results",
    "elections:download-blt",
    "elections:check-receipt",
    "elections:file-complaint",
    "elections:returning-officer",
    "elections:answer-complaint",
    "elections:count",
    "elections:certify",
)


@dataclass
class World:
    """What the sample URL kwargs point at."""

    society: Society
    faq_item: FAQItem
    treasurer_term: CommitteeTerm
    media_path: str
    request: pytest.FixtureRequest = field(repr=False)

    @cached_property
    def sale(self) -> Sale:
        return Sale.make(self.request)

    @cached_property
    def ticket_type(self) -> TicketType:
        """Of a public event of the sample society."""
        president = self.request.getfixturevalue("committee_trained")
        event = make_event(self.society, actor=president, online_url="https://meet.example.org/walk")
        return make_ticket_type(event, actor=president, price_pence=500, member_price_pence=300)

    @property
    def event(self) -> Event:
        return self.ticket_type.event

    @cached_property
    def ticket(self) -> Ticket:
        """`member`'s, bought through the checkout."""
        [ticket] = buy_tickets(self.request.getfixturevalue("member"), self.ticket_type)
        return ticket

    @cached_property
    def article(self) -> Article:
        """A published article of the sample society."""
        return news_services.create_article(
            self.society,
            actor=self.request.getfixturevalue("committee_trained"),
            title="Spring walks announced",
            body="Six walks, **all levels**.",
            status=Article.Status.PUBLISHED,
        )

    @cached_property
    def mailing(self) -> Mailing:
        """A draft from the President to the sample society's committee."""
        return mailing_services.create_mailing(
            self.society,
            actor=self.request.getfixturevalue("committee_trained"),
            audience=Mailing.Audience.COMMITTEE,
            kind=Mailing.Kind.ESSENTIAL,
            subject="Committee meeting moved",
            body="We meet on **Thursday** this week.",
        )

    @cached_property
    def held_mailing(self) -> Mailing:
        """The sample society's news to its members, sent in quiet hours and held for the morning."""
        mailing = mailing_services.create_mailing(
            self.society,
            actor=self.request.getfixturevalue("committee_trained"),
            subject="Late-night stargazing walk",
            body="Bring a torch.",
        )
        Mailing.objects.filter(pk=mailing.pk).update(
            status=Mailing.Status.SCHEDULED,
            held_for_quiet_hours=True,
            send_at=timezone.now() + datetime.timedelta(hours=8),
        )
        mailing.refresh_from_db()
        return mailing

    @cached_property
    def merch(self) -> MerchItem:
        return make_item(self.society, actor=self.request.getfixturevalue("committee_trained"))

    @cached_property
    def merch_variant(self) -> MerchVariant:
        return self.merch.merch_variants.select_related("variant").first()  # type: ignore[return-value]

    @cached_property
    def collection(self) -> Collection:
        """`member` bought a hoodie and has not collected it yet."""
        return buy_merch(self.request.getfixturevalue("member"), self.merch_variant)

    @cached_property
    def chat_group(self) -> ChatGroup:
        """The sample society's group chat, opened by the President: `member` joined it, accepted its
        guidelines and said something."""
        group = chat_services.create_group(
            actor=self.request.getfixturevalue("committee_trained"),
            society=self.society,
            name="Hiking Society",
            purpose="Planning our weekend walks.",
        )
        joined = chat_services.join_group(self.request.getfixturevalue("member"), group, token=group.invite_token)
        chat_services.accept_guidelines(joined, version=1)
        # In quiet hours the poster says they mean it, so the sample is the same by night as by day.
        chat_services.post_message(joined, "Who is coming on Saturday?", in_quiet_hours=True)
        return group

    @property
    def chat_member(self) -> GroupMember:
        return GroupMember.objects.get(group=self.chat_group, user=self.request.getfixturevalue("member"))

    @property
    def chat_message(self) -> Message:
        return Message.objects.get(group=self.chat_group)

    @cached_property
    def chat_scheduled_post(self) -> ScheduledPost:
        """`member`'s message in the sample group, waiting for the morning."""
        return chat_scheduling.schedule_message(self.chat_member, "See you all at eight.")

    @cached_property
    def chat_rep_group(self) -> ChatGroup:
        """A union group for student reps, opened by staff."""
        return chat_services.create_group(
            actor=self.request.getfixturevalue("su_staff"), name="Course reps", purpose="Reps and the union."
        )

    @cached_property
    def invite_request(self) -> InviteRequest:
        """A rep (made a moderator of the sample rep group by staff) asked the union to let someone in."""
        staff = self.request.getfixturevalue("su_staff")
        rep = make_person("Rita Rep", "rita.rep")
        group = self.chat_rep_group
        chat_services.make_eligible(group, [rep], actor=staff)
        member = chat_services.join_group(rep, group, token=group.invite_token)
        chat_services.accept_guidelines(member, version=current_version(group))
        chat_services.set_role(member, actor=staff, moderator=True)
        return invite_requests.request_invites(group, actor=rep, emails=["new.rep@student.example.ac.uk"])

    @cached_property
    def chat_thread(self) -> ModeratorThread:
        """The President wrote privately to `member` about their behaviour in the sample group."""
        return chat_services.open_thread(
            self.chat_member, actor=self.request.getfixturevalue("committee_trained"), body="Please keep it kind."
        )

    @cached_property
    def member_message(self) -> Message:
        """`member`'s message in the sample group (asked by author: conduct's samples add the President's)."""
        return Message.objects.get(group=self.chat_group, author=self.request.getfixturevalue("member"))

    @cached_property
    def conduct_member(self) -> GroupMember:
        """The President, joined to the sample group (she moderates it anyway)."""
        group = self.chat_group
        president = self.request.getfixturevalue("committee_trained")
        return chat_services.accept_guidelines(
            chat_services.join_group(president, group, token=group.invite_token), version=1
        )

    @cached_property
    def conduct_message(self) -> Message:
        """The President's message in the sample group."""
        self.member_message  # noqa: B018  (found first, while it is the only message)
        return chat_services.post_message(self.conduct_member, "Lifts leave at nine sharp.", in_quiet_hours=True)

    @cached_property
    def conduct_report(self) -> conduct_models.Report:
        """The President reported `member`'s message as something else: it waits for the moderators."""
        return conduct_services.report_message(
            self.member_message,
            reporter=self.request.getfixturevalue("committee_trained"),
            category=conduct_models.Category.OTHER,
            note="Off topic.",
        )

    @cached_property
    def conduct_flag(self) -> Message:
        """`member`'s message, flagged by the scorer and not yet reviewed."""
        message = self.member_message
        Message.objects.filter(pk=message.pk).update(flagged_at=timezone.now(), flag_score=0.9)
        message.refresh_from_db()
        return message

    @cached_property
    def conduct_case(self) -> conduct_models.Case:
        """`member` reported the President's message as threats: straight to staff, as a case."""
        report = conduct_services.report_message(
            self.conduct_message,
            reporter=self.request.getfixturevalue("member"),
            category=conduct_models.Category.THREATS,
            note="It felt like a threat.",
        )
        assert report.case is not None
        return report.case

    @cached_property
    def conduct_suspension(self) -> conduct_models.Suspension:
        """Staff suspended the sample case's subject (the President) from group chats."""
        case = self.conduct_case
        return conduct_services.suspend_member(
            case.subject, actor=self.request.getfixturevalue("su_staff"), case=case, reason="Threats."
        )

    def _call_election(self, posts: tuple[tuple[str, int], ...]) -> Election:
        self.request.getfixturevalue("member")  # a member before the cut-off, so eligible to stand and vote
        return make_election(
            self.society,
            actor=self.request.getfixturevalue("committee_trained"),
            returning_officer=self.request.getfixturevalue("su_staff"),
            posts=posts,
        )

    @cached_property
    def election(self) -> Election:
        """The sample society's election, nominations open: `member` stands for President; nobody yet
        for Secretary."""
        election = self._call_election((("President", 1), ("Secretary", 1)))
        post = election.posts.get(name="President")
        election_services.nominate(post, user=self.request.getfixturevalue("member"), manifesto="Vote for me.")
        return election

    def election_post(self, name: str) -> Post:
        return self.election.posts.get(name=name)

    @property
    def candidacy(self) -> Candidate:
        return Candidate.objects.get(post__election=self.election, user=self.request.getfixturevalue("member"))

    @cached_property
    def counted_election(self) -> Election:
        """Counted by `su_staff`, the returning officer, and in its complaints window: `member` stood for
        Treasurer, voted, and complained."""
        member = self.request.getfixturevalue("member")
        election = self._call_election((("Treasurer", 1),))
        post = election.posts.get()
        candidate = election_services.nominate(post, user=member, manifesto="Vote for me.")
        move_to(election, "voting")
        election_services.cast_ballot(post, voter=member, ranking=[candidate.pk])
        move_to(election, "closed")
        election_services.count_election(election, actor=self.request.getfixturevalue("su_staff"))
        election.refresh_from_db()
        election_services.file_complaint(election, complainant=member, text="The hustings clashed with exams.")
        election.refresh_from_db()
        return election

    @property
    def complaint(self) -> Complaint:
        return Complaint.objects.get(election=self.counted_election)


Sample = Callable[[World], str | int]
SAMPLE_KWARGS: dict[str, Sample] = {
    "slug": lambda world: world.society.slug,
    "item_id": lambda world: world.faq_item.pk,
    "term_id": lambda world: world.treasurer_term.pk,
    "position_id": lambda world: world.treasurer_term.position_id,
    "key": lambda world: "not-a-real-key",
    "uidb36": lambda world: "zz",
    "provider_id": lambda world: "university",
    "path": lambda world: world.media_path,
    "reference": lambda world: world.sale.order.reference,
    "line_id": lambda world: world.sale.line.pk,
    "variant_id": lambda world: world.sale.membership_type.variant_id,
    "ticket_type_id": lambda world: world.ticket_type.pk,
    "code": lambda world: world.ticket.code,
    "token": lambda world: feed_token(world.ticket.holder_id),
    "article_slug": lambda world: world.article.slug,
}
MAILING_PK: dict[str, Sample] = {"pk": lambda world: world.mailing.pk}
EVENT_PK: dict[str, Sample] = {"pk": lambda world: world.event.pk}
ITEM_PK: dict[str, Sample] = {"pk": lambda world: world.merch.pk}
ARTICLE_PK: dict[str, Sample] = {"pk": lambda world: world.article.pk}
ELECTION_PK: dict[str, Sample] = {"pk": lambda world: world.election.pk}
COUNTED_ELECTION_PK: dict[str, Sample] = {"pk": lambda world: world.counted_election.pk}
CHAT_GROUP_PK: dict[str, Sample] = {"pk": lambda world: world.chat_group.pk}
# A kwarg whose meaning depends on the URL (`pk` is a different row in each app).
ROUTE_SAMPLE_KWARGS: dict[str, dict[str, Sample]] = {
    "memberships:edit-membership-type": {"pk": lambda world: world.sale.membership_type.pk},
    "memberships:remove-member": {"pk": lambda world: world.sale.membership.pk},
    "commerce:approve-refund-request": {"pk": lambda world: world.sale.refund_request.pk},
    "commerce:decline-refund-request": {"pk": lambda world: world.sale.refund_request.pk},
    **{key: EVENT_PK for key in ROUTES if key.startswith("events:")},
    **{key: ITEM_PK for key in ("shop:item", "shop:manage-item", "shop:add-photo", "shop:set-item-on-sale")},
    "shop:update-variant": ITEM_PK | {"variant_id": lambda world: world.merch_variant.pk},
    "shop:mark-ready": {"pk": lambda world: world.collection.pk},
    **{key: ARTICLE_PK for key in ROUTES if key.startswith("news:")},
    "shop:mark-collected": {"pk": lambda world: world.collection.pk},
    **{key: ELECTION_PK for key in ROUTES if key.startswith("elections:") and key not in COUNTED_ELECTION_PAGES},
    **{key: COUNTED_ELECTION_PK for key in COUNTED_ELECTION_PAGES},
    "elections:nominate": ELECTION_PK | {"post_id": lambda world: world.election_post("Secretary").pk},
    "elections:vote": ELECTION_PK | {"post_id": lambda world: world.election_post("President").pk},
    "elections:withdraw": ELECTION_PK | {"candidate_id": lambda world: world.candidacy.pk},
    "elections:download-blt": COUNTED_ELECTION_PK | {"post_id": lambda world: world.counted_election.posts.get().pk},
    "elections:answer-complaint": COUNTED_ELECTION_PK | {"complaint_id": lambda world: world.complaint.pk},
    **{key: MAILING_PK for key in ROUTES if key.startswith("mailings:") and "pk" in ROUTES[key].kwarg_names},
    "mailings:email-article": ARTICLE_PK,
    "mailings:mark-urgent": {"pk": lambda world: world.held_mailing.pk},
    "mailings:unsubscribe": {
        "token": lambda world: unsubscribe_token(world.request.getfixturevalue("member").pk, world.society.pk)
    },
    **{key: CHAT_GROUP_PK for key in ROUTES if key.startswith("chat:") and "pk" in ROUTES[key].kwarg_names},
    "chat:invite": {"token": lambda world: world.chat_group.invite_token},
    "chat:remove-member": CHAT_GROUP_PK | {"member_pk": lambda world: world.chat_member.pk},
    "chat:hide-message": {"pk": lambda world: world.chat_message.pk},
    "chat:cancel-scheduled": {"pk": lambda world: world.chat_scheduled_post.pk},
    "chat:rep-eligible": {"pk": lambda world: world.chat_rep_group.pk},
    "chat:read-only": CHAT_GROUP_PK | {"member_pk": lambda world: world.chat_member.pk},
    "chat:start-thread": CHAT_GROUP_PK | {"member_pk": lambda world: world.chat_member.pk},
    "chat:set-role": CHAT_GROUP_PK | {"member_pk": lambda world: world.chat_member.pk},
    "chat:thread": {"pk": lambda world: world.chat_thread.pk},
    **{
        key: {"pk": lambda world: world.member_message.pk}
        for key in ("chat:edit-message", "chat:delete-message", "chat:react")
    },
    "conduct:report-message": {"pk": lambda world: world.conduct_message.pk},
    "conduct:report-member": CHAT_GROUP_PK | {"member_pk": lambda world: world.conduct_member.pk},
    "conduct:group-queue": CHAT_GROUP_PK,
    **{
        key: {"pk": lambda world: world.conduct_report.pk}
        for key in ("conduct:dismiss-report", "conduct:hide-reported-message", "conduct:escalate-report")
    },
    **{
        key: {"pk": lambda world: world.conduct_flag.pk}
        for key in ("conduct:dismiss-flag", "conduct:hide-flagged-message", "conduct:escalate-flag")
    },
    **{
        key: {"pk": lambda world: world.conduct_case.pk}
        for key in ROUTES
        if key.startswith("conduct:") and ROUTES[key].path.startswith("/conduct/cases/")
    },
    "conduct:lift-suspension": {"pk": lambda world: world.conduct_suspension.pk},
    "chat:request-invites": {"pk": lambda world: world.chat_rep_group.pk},
    **{
        key: {"pk": lambda world: world.invite_request.pk}
        for key in ("chat:approve-invite-request", "chat:decline-invite-request")
    },
    **{
        key: {"pk": lambda world: world.request.getfixturevalue("member").pk}
        for key in ("privacy:person", "privacy:export-person", "privacy:erase-person")
    },
}


def kwargs_for(route: Route, world: World) -> dict[str, str | int]:
    if route.key.startswith(SHOWS_SALES):
        world.sale  # noqa: B018  (made now, so the page has it to show)
    if route.key in SHOWS_TICKETS:
        world.ticket  # noqa: B018
    if route.key in SHOWS_COLLECTIONS:
        world.collection  # noqa: B018
    if route.key in SHOWS_MAILINGS:
        world.mailing  # noqa: B018
        world.held_mailing  # noqa: B018
    if route.key in SHOWS_CHATS:
        world.chat_group  # noqa: B018
    if route.key in SHOWS_CONDUCT:
        world.conduct_report  # noqa: B018
        world.conduct_flag  # noqa: B018
        world.conduct_case  # noqa: B018
    samples = SAMPLE_KWARGS | ROUTE_SAMPLE_KWARGS.get(route.key, {})
    missing = [name for name in route.kwarg_names if name not in samples]
    assert not missing, (
        f"{route.key} ({route.path}) takes {missing}: add a sample value to SAMPLE_KWARGS (or ROUTE_SAMPLE_KWARGS)"
    )
    return {name: samples[name](world) for name in route.kwarg_names}


def redirect_kwargs(expected: Expect, kwargs: dict[str, str | int], world: World) -> dict[str, str | int]:
    """The request's kwargs, and any other sample kwarg a redirect target takes."""
    if isinstance(expected, Redirect) and expected.made is not None:
        return expected.made(world)
    wanted = expected.kwargs if isinstance(expected, Redirect) else ()
    return kwargs | {name: SAMPLE_KWARGS[name](world) for name in wanted if name not in kwargs}


def url_for(route: Route, kwargs: dict[str, str | int]) -> str:
    if route.key == route.path:  # unnamed, so not reversible; none of them takes kwargs
        assert not kwargs, f"unnamed pattern {route.path} takes {list(kwargs)}: give it a name"
        return route.path
    return reverse(route.key, kwargs=kwargs)


@pytest.fixture
def world(
    society: Society,
    committee_trained: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> World:
    item = services.add_faq_item(society, actor=committee_trained, question="Do I need boots?", answer="Yes.")
    treasurer_term = CommitteeTerm.objects.get(society=society, position__name="Treasurer")
    media_path = default_storage.save("societies/logos/sample.txt", ContentFile(b"a stand-in upload"))
    return World(society=society, faq_item=item, treasurer_term=treasurer_term, media_path=media_path, request=request)


def sign_in(client: Client, request: pytest.FixtureRequest, role: str) -> None:
    if role == "anonymous":
        return
    if role == "other_committee":
        request.getfixturevalue("other_society")  # makes them committee of another society
    client.force_login(request.getfixturevalue(role))


def assert_status(response: HttpResponseBase, expected: Expect, *, url: str, kwargs: dict[str, Any], who: str) -> None:
    location = response.get("Location", "")
    got = f"{response.status_code}" + (f" to {location}" if location else "")
    message = f"{who} {url}: expected {expected}, got {got}"
    if isinstance(expected, int):
        assert response.status_code == expected, message
        return
    assert response.status_code == expected.status, message
    target = reverse(expected.to, kwargs={name: kwargs[name] for name in expected.kwargs})
    parts = urlsplit(location)
    assert parts.path == target, message
    if expected.keeps_next:
        assert parse_qs(parts.query).get("next") == [url], f"{message}: ?next= should bring them back"


def _cases() -> Iterator[Any]:
    for key in ROUTES:
        check = EXPECTED.get(key)
        if check is None:
            continue  # test_every_url_has_an_entry_in_the_matrix fails instead
        for method in ("get", "post"):
            if getattr(check, method) is not None:
                for role in ROLES:
                    yield pytest.param(key, method, role, id=f"{key}-{method.upper()}-{role}")


# --- The matrix ---------------------------------------------------------------------------------


def test_every_url_has_an_entry_in_the_matrix() -> None:
    routes = all_routes()
    keys = [route.key for route in routes]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, f"URL names used twice, so the matrix cannot tell them apart: {duplicates}"
    missing = [f"{route.key} ({route.path})" for route in routes if route.key not in EXPECTED]
    assert not missing, (
        "These URLs have no entry in EXPECTED in quad/su/tests/test_permission_matrix.py. "
        "Decide who may use each and add it:\n  " + "\n  ".join(missing)
    )
    stale = sorted(set(EXPECTED) - set(keys))
    assert not stale, f"EXPECTED lists URLs that no longer exist: {stale}"


def test_every_entry_checks_a_method() -> None:
    empty = [key for key, check in EXPECTED.items() if check.get is None and check.post is None]
    assert not empty, f"entries that check nothing: {empty}"


# `db` is requested here, not only through getfixturevalue: pytest-django sets up the test database
# only when a collected test asks for it up front.
@pytest.mark.parametrize(("key", "method", "role"), list(_cases()))
def test_permission_matrix(
    key: str, method: str, role: str, db: None, client: Client, request: pytest.FixtureRequest, world: World
) -> None:
    route = ROUTES[key]
    kwargs = kwargs_for(route, world)
    url = url_for(route, kwargs)
    sign_in(client, request, role)
    response = client.get(url) if method == "get" else client.post(url, EMPTY_FORM)
    profile = getattr(EXPECTED[key], method)
    expected = profile.statuses[role]
    assert_status(
        response,
        expected,
        url=url,
        kwargs=redirect_kwargs(expected, kwargs, world),
        who=f"{role} {method.upper()} ({profile.name})",
    )


def test_action_urls_refuse_get(db: None, client: Client, world: World, committee_trained: Any, su_staff: Any) -> None:
    """A URL that changes something is POST-only: a link or a prefetch must never trigger it."""
    post_only = [key for key, check in EXPECTED.items() if check.get is None]
    assert post_only
    for key in post_only:
        route = ROUTES[key]
        kwargs = kwargs_for(route, world)
        # Signed in as someone the POST is for, so the method, not the role, is what is refused.
        post = EXPECTED[key].post
        staff_only = post is not None and post.statuses["committee_trained"] == 403 != post.statuses["su_staff"]
        client.force_login(su_staff if staff_only else committee_trained)
        response = client.get(url_for(route, kwargs))
        assert response.status_code == 405, f"GET {key}: expected 405, got {response.status_code}"


def _committee_write_cases() -> Iterator[Any]:
    for key, check in EXPECTED.items():
        for method in ("get", "post"):
            profile: Profile | None = getattr(check, method)
            if profile is not None and profile.allowed is not None:
                yield pytest.param(key, method, id=f"{key}-{method.upper()}")


@pytest.mark.parametrize(("key", "method"), list(_committee_write_cases()))
def test_committee_write_needs_the_power_named_in_the_matrix(
    key: str, method: str, db: None, client: Client, world: World
) -> None:
    """The Treasurer, trained, may manage the site but not the committee: the table's power is the real one."""
    profile: Profile = getattr(EXPECTED[key], method)
    treasurer = world.treasurer_term.user
    train(treasurer)
    powers = world.treasurer_term.position.powers
    assert Power.MANAGE_SITE in powers and Power.MANAGE_COMMITTEE not in powers  # both outcomes get exercised
    expected = profile.allowed if profile.power is None or profile.power in powers else 403
    assert expected is not None
    route = ROUTES[key]
    kwargs = kwargs_for(route, world)
    url = url_for(route, kwargs)
    client.force_login(treasurer)
    response = client.get(url) if method == "get" else client.post(url, EMPTY_FORM)
    assert_status(
        response,
        expected,
        url=url,
        kwargs=redirect_kwargs(expected, kwargs, world),
        who=f"trained Treasurer {method.upper()}",
    )


# --- A society not yet approved (or turned down) is hidden ----------------------------------------


@pytest.fixture
def applicant(db: None) -> Any:
    return make_person("Ada Applicant", "ada.applicant")


@pytest.fixture
def founder(db: None) -> Any:
    """Named on the application as Treasurer, with an account."""
    return make_person("Fay Founder", "fay.founder")


@pytest.fixture
def applied_society(applicant: Any, founder: Any) -> Society:
    category, _ = Category.objects.get_or_create(slug="science", defaults={"name": "Science"})
    return services.apply_for_society(
        applicant,
        name="Astronomy Society",
        category=category,
        purpose="Looking up.",
        constitution="1. We look up.",
        committee=[
            (applicant.email, "President"),
            (founder.email, "Treasurer"),
            ("no.account.yet@student.example.ac.uk", "Secretary"),
        ],
    )


APPLIED_ROLES = (*ROLES, "applicant", "founder")
TO_APPLICATION = Redirect("societies:application", kwargs=("slug",))
APPLIED_EXPECTED: dict[str, Profile] = {
    # Outsiders must not learn it exists; those named on it see the application instead.
    "societies:mini-site": profile(
        "APPLICANTS_AND_STAFF",
        default=404,
        roles=APPLIED_ROLES,
        applicant=TO_APPLICATION,
        founder=TO_APPLICATION,
        su_staff=TO_APPLICATION,
    ),
    "societies:application": profile(
        "APPLICANTS_AND_STAFF",
        default=404,
        roles=APPLIED_ROLES,
        anonymous=TO_LOGIN,
        applicant=200,
        founder=200,
        su_staff=200,
    ),
    # Nobody manages a society before approval: its committee is not seated yet.
    "societies:manage": profile("NOBODY", default=404, roles=APPLIED_ROLES, anonymous=TO_LOGIN),
    "societies:handover": profile("NOBODY", default=404, roles=APPLIED_ROLES, anonymous=TO_LOGIN),
    "su:society-detail": profile("STAFF_ONLY", default=403, roles=APPLIED_ROLES, anonymous=TO_LOGIN, su_staff=200),
}


def _applied_cases() -> Iterator[Any]:
    for status in (Society.Status.APPLIED, Society.Status.REJECTED):
        for key in APPLIED_EXPECTED:
            for role in APPLIED_ROLES:
                yield pytest.param(status, key, role, id=f"{status}-{key}-{role}")


@pytest.mark.parametrize(("status", "key", "role"), list(_applied_cases()))
def test_unapproved_society_is_hidden_from_outsiders(
    status: str,
    key: str,
    role: str,
    db: None,
    client: Client,
    request: pytest.FixtureRequest,
    applied_society: Society,
    society: Society,  # so the committee roles are committee of an approved society, just not this one
    su_staff: Any,
) -> None:
    if status == Society.Status.REJECTED:
        services.reject_society(applied_society, actor=su_staff, reason="Overlaps with an existing society.")
    kwargs: dict[str, Any] = {"slug": applied_society.slug}
    url = reverse(key, kwargs=kwargs)
    sign_in(client, request, role)
    response = client.get(url)
    expected = APPLIED_EXPECTED[key]
    assert_status(response, expected.statuses[role], url=url, kwargs=kwargs, who=f"{role} GET ({status})")


# --- A members-only event is hidden from everyone but its society ----------------------------------

# Members, the society's committee (members or not) and union staff see it; to anyone else it does
# not exist. Joining its waiting list is for current students first (visitor, staff: 403), then
# for those who can see it.
MEMBERS_ONLY_EXPECTED: dict[tuple[str, str], Profile] = {
    ("events:event", "get"): profile(
        "MEMBERS_AND_STAFF", default=404, member=200, committee_trained=200, committee_untrained=200, su_staff=200
    ),
    ("events:join-waiting-list", "post"): profile(
        "MEMBER_STUDENTS_WAIT",
        default=404,
        anonymous=TO_LOGIN,
        visitor=403,
        su_staff=403,
        member=TO_EVENT,
        committee_trained=TO_EVENT,
        committee_untrained=TO_EVENT,
    ),
    ("events:leave-waiting-list", "post"): profile(
        "MEMBERS_LEAVE",
        default=404,
        anonymous=TO_LOGIN,
        member=TO_EVENT,
        committee_trained=TO_EVENT,
        committee_untrained=TO_EVENT,
        su_staff=TO_EVENT,
    ),
}


@pytest.mark.parametrize(
    ("key", "method", "role"),
    [
        pytest.param(key, method, role, id=f"{key}-{method.upper()}-{role}")
        for key, method in MEMBERS_ONLY_EXPECTED
        for role in ROLES
    ],
)
def test_members_only_event_is_hidden_from_outsiders(
    key: str, method: str, role: str, db: None, client: Client, request: pytest.FixtureRequest, society: Society
) -> None:
    president = request.getfixturevalue("committee_trained")
    event = make_event(society, actor=president, visibility=Event.Visibility.MEMBERS)
    kwargs: dict[str, Any] = {"pk": event.pk}
    url = reverse(key, kwargs=kwargs)
    sign_in(client, request, role)
    response = client.get(url) if method == "get" else client.post(url, EMPTY_FORM)
    expected = MEMBERS_ONLY_EXPECTED[(key, method)]
    assert_status(
        response, expected.statuses[role], url=url, kwargs=kwargs, who=f"{role} {method.upper()} (members only)"
    )


# --- A draft article is hidden from everyone but its society's committee ---------------------------

# The committee, trained or not, may preview it; to anyone else, union staff included, it does not
# exist until it is published. Nor can staff feature it (they go back to the union's news).
DRAFT_ARTICLE_EXPECTED: dict[tuple[str, str], Profile] = {
    ("news:article", "get"): profile("COMMITTEE_PREVIEWS", default=404, committee_trained=200, committee_untrained=200),
    ("news:feature-article", "post"): staff_action(Redirect("news:union-news")),
}


@pytest.mark.parametrize(
    ("key", "method", "role"),
    [
        pytest.param(key, method, role, id=f"{key}-{method.upper()}-{role}")
        for key, method in DRAFT_ARTICLE_EXPECTED
        for role in ROLES
    ],
)
def test_draft_article_is_hidden_from_outsiders(
    key: str, method: str, role: str, db: None, client: Client, request: pytest.FixtureRequest, society: Society
) -> None:
    draft = news_services.create_article(
        society, actor=request.getfixturevalue("committee_trained"), title="Committee minutes", body="Not yet."
    )
    kwargs: dict[str, Any] = (
        {"slug": society.slug, "article_slug": draft.slug} if key == "news:article" else {"pk": draft.pk}
    )
    url = reverse(key, kwargs=kwargs)
    sign_in(client, request, role)
    response = client.get(url) if method == "get" else client.post(url, EMPTY_FORM)
    expected = DRAFT_ARTICLE_EXPECTED[(key, method)]
    assert_status(response, expected.statuses[role], url=url, kwargs=kwargs, who=f"{role} {method.upper()} (draft)")
    draft.refresh_from_db()
    assert draft.featured_at is None


def test_personal_feed_needs_a_valid_token(db: None, client: Client, student: Any) -> None:
    token = feed_token(student.pk)
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), str(student.pk), "nonsense"):
        assert client.get(reverse("events:my-feed", kwargs={"token": bad})).status_code == 404, bad
    assert client.get(reverse("events:my-feed", kwargs={"token": token})).status_code == 200


def test_unsubscribe_link_must_be_signed(db: None, client: Client, society: Society, member: Any) -> None:
    token = unsubscribe_token(member.pk, society.pk)
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), f"{member.pk}:{society.pk}", "nonsense"):
        url = reverse("mailings:unsubscribe", kwargs={"token": bad})
        assert client.get(url).status_code == 400, bad
        assert client.post(url).status_code == 400, bad
    assert mailing_services.receives_news(member, society)


def test_sending_to_members_needs_a_fresh_sign_in(
    db: None, client: Client, society: Society, member: Any, committee_trained: Any, settings: Any
) -> None:
    """The other side of the sample mailing (to the committee): bulk email to members asks for the
    password again, then brings the sender back to the mailing's page (the send URL is POST-only) to
    press Send once more, knowing what it does."""
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)
    mailing = mailing_services.create_mailing(society, actor=committee_trained, subject="Walks", body="Six walks.")
    page = reverse("mailings:mailing", kwargs={"pk": mailing.pk})
    send = reverse("mailings:send-mailing", kwargs={"pk": mailing.pk})
    client.force_login(committee_trained)
    response = client.post(send, {"when": "now"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_reauthenticate')}?{urlencode({'next': page})}"
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD, "next": page})
    assert response["Location"] == page
    assert client.post(send, {"when": "now"})["Location"] == page
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    assert mailing.recipient_count == 1
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    draft = mailing_services.create_mailing(society, actor=committee_trained, subject="More walks", body="Two.")
    response = client.post(reverse("mailings:send-mailing", kwargs={"pk": draft.pk}), {"when": "now"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))


@pytest.mark.parametrize("key", ["events:edit-ticket-type", "shop:update-variant"])
def test_committee_cannot_reach_another_societys_tickets_or_stock_through_their_own_event_or_item(
    key: str,
    db: None,
    client: Client,
    society: Society,
    other_society: Society,
    other_committee: Any,
    committee_trained: Any,
) -> None:
    theirs: TicketType | MerchVariant
    if key == "events:edit-ticket-type":
        theirs = make_ticket_type(make_event(other_society, actor=other_committee), actor=other_committee)
        ours = make_event(society, actor=committee_trained)
        kwargs = {"pk": ours.pk, "ticket_type_id": theirs.pk}
        posted = {"price": "0.01", "on_sale": "on"}
    else:
        theirs = make_item(other_society, actor=other_committee).merch_variants.get(variant__name="M")
        kwargs = {"pk": make_item(society, actor=committee_trained).pk, "variant_id": theirs.pk}
        posted = {"price": "0.01", "stock": "0"}
    client.force_login(committee_trained)
    response = client.post(reverse(key, kwargs=kwargs), posted)
    assert response.status_code == 404
    theirs.variant.refresh_from_db()
    assert theirs.variant.price_pence != 1


# --- Around the matrix --------------------------------------------------------------------------


def test_staff_without_totp_are_sent_to_set_it_up(db: None, client: Client, society: Society) -> None:
    staff = make_person("Tam Newstaff", "tam.newstaff", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    client.force_login(staff)
    console_pages = [key for key, check in EXPECTED.items() if key.startswith("su:") and check.get is not None]
    assert console_pages
    for key in console_pages:
        url = reverse(key, kwargs={"slug": society.slug} if "slug" in ROUTES[key].kwarg_names else None)
        response = client.get(url)
        assert response.status_code == 302, f"{key}: {response.status_code}"
        assert response["Location"] == reverse("mfa_activate_totp"), key
    response = client.post(reverse("su:feature-society", kwargs={"slug": society.slug}))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not FeaturedSociety.objects.filter(society=society).exists()


def test_incoming_committee_can_read_and_acknowledge_handover(
    db: None, client: Client, society: Society, member: Any, committee_trained: Any
) -> None:
    """The other side of INCOMING_COMMITTEE_ONLY: someone whose term starts next year gets through."""
    next_year = current_academic_year().next()
    secretary = Position.objects.get(society=society, name="Secretary")
    services.grant_committee_term(society, member, secretary, actor=committee_trained, starts_on=next_year.start)
    services.write_handover(society, actor=committee_trained, work_in_flight="Book the hut.", external_accounts="None.")
    client.force_login(member)
    assert client.get(reverse("societies:handover", kwargs={"slug": society.slug})).status_code == 200
    # Not yet on the committee, so not in the management area.
    assert client.get(reverse("societies:manage", kwargs={"slug": society.slug})).status_code == 403
    response = client.post(reverse("societies:acknowledge-handover", kwargs={"slug": society.slug}))
    assert response.status_code == 302
    note = HandoverNote.objects.get(society=society, year_start=next_year.start)
    assert note.acknowledged_by == member


def test_counting_needs_a_fresh_sign_in_with_the_authenticator_app(
    db: None, client: Client, world: World, su_staff: Any, settings: Any
) -> None:
    """The returning officer has an authenticator app, so confirming the password again is not enough:
    the count asks for a code (allauth's MFA reauthentication), and asks again once that goes stale."""
    url = reverse("elections:count", kwargs={"pk": world.counted_election.pk})
    to_code = f"{reverse('mfa_reauthenticate')}?{urlencode({'next': url})}"
    client.force_login(su_staff)
    assert client.get(url)["Location"] == to_code
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    assert client.get(url)["Location"] == to_code
    response = client.post(reverse("mfa_reauthenticate"), {"code": current_code(su_staff), "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    response = client.get(url)
    assert response.status_code == 200
    assert "This election has been counted" in response.content.decode()
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    assert client.get(url)["Location"] == to_code


@pytest.mark.parametrize(
    "key", ["societies:remove-faq-item", "societies:end-committee-term", "societies:set-position-powers"]
)
def test_committee_cannot_reach_another_societys_rows_through_their_own_slug(
    key: str,
    db: None,
    client: Client,
    society: Society,
    other_society: Society,
    other_committee: Any,
    committee_trained: Any,
) -> None:
    other_item = services.add_faq_item(other_society, actor=other_committee, question="Bring a board?", answer="No.")
    other_term = CommitteeTerm.objects.select_related("position").get(society=other_society, position__name="Treasurer")
    before = (other_term.ends_on, other_term.position.powers)
    ids = {"item_id": other_item.pk, "term_id": other_term.pk, "position_id": other_term.position_id}
    kwargs = {"slug": society.slug} | {name: ids[name] for name in ROUTES[key].kwarg_names if name != "slug"}
    client.force_login(committee_trained)
    response = client.post(reverse(key, kwargs=kwargs), EMPTY_FORM)
    assert response.status_code == 404
    assert FAQItem.objects.filter(pk=other_item.pk).exists()
    other_term.refresh_from_db()
    other_term.position.refresh_from_db()
    assert (other_term.ends_on, other_term.position.powers) == before


@pytest.mark.parametrize("key", ["memberships:remove-member", "memberships:edit-membership-type"])
def test_committee_cannot_reach_another_societys_memberships_through_their_own_slug(
    key: str,
    db: None,
    client: Client,
    society: Society,
    other_society: Society,
    other_committee: Any,
    committee_trained: Any,
) -> None:
    other_type = create_membership_type(
        other_society, actor=other_committee, year=current_academic_year(), name="Player", price_pence=300
    )
    other_member = join(make_person("Pat Player", "pat.player"), other_type)
    pk = other_member.pk if key == "memberships:remove-member" else other_type.pk
    client.force_login(committee_trained)
    response = client.post(reverse(key, kwargs={"slug": society.slug, "pk": pk}), {"reason": "Gone", "price": "0"})
    assert response.status_code == 404
    other_member.refresh_from_db()
    other_type.variant.refresh_from_db()
    assert other_member.status == Membership.Status.ACTIVE
    assert other_type.variant.price_pence == 300


@pytest.mark.parametrize("key", ["commerce:add-to-basket", "commerce:checkout"])
@pytest.mark.parametrize(
    ("role", "reason"),
    [("graduate", "Graduates can no longer buy from societies"), ("visitor", "Only current students can buy")],
)
def test_graduates_and_visitors_are_told_why_they_cannot_buy(
    key: str, role: str, reason: str, db: None, client: Client, request: pytest.FixtureRequest, world: World
) -> None:
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse(key), {"variant": world.sale.membership_type.variant_id, "quantity": "1"})
    assert response.status_code == 403
    assert reason in response.content.decode()


def test_stripe_webhook_refuses_a_bad_signature(db: None, client: Client, settings: Any) -> None:
    """Configured (PAYMENT_PROVIDER=stripe sets a secret), a webhook whose signature does not check out is refused."""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_matrix"
    url = reverse("commerce:stripe-webhook")
    payload = b'{"id": "evt_forged", "type": "checkout.session.completed", "data": {"object": {}}}'
    for signature in ("", "t=1,v1=0000"):
        response = client.post(url, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)
        assert response.status_code == 400, signature
    assert client.get(url).status_code == 405


# --- Query counts ---------------------------------------------------------------------------------


def _found_societies(names: range, founders: list[Any], staff: Any) -> None:
    for n in names:
        found_society(f"Society Number {n}", *founders, staff=staff)


# Anonymous: the societies and the categories. Signed in: the session and the user as well.
DIRECTORY_QUERIES = {"anonymous": 2, "student": 4}


@pytest.mark.parametrize("role", DIRECTORY_QUERIES)
def test_society_directory_queries_do_not_grow_with_societies(
    role: str, db: None, client: Client, request: pytest.FixtureRequest, su_staff: Any, django_assert_num_queries: Any
) -> None:
    founders = [make_person(f"Founder {n}", f"founder.{n}") for n in range(3)]
    sign_in(client, request, role)
    url = reverse("societies:directory")
    _found_societies(range(3), founders, su_staff)
    with django_assert_num_queries(DIRECTORY_QUERIES[role]):
        response = client.get(url)
    assert len(response.context["societies"]) == 3
    _found_societies(range(3, 10), founders, su_staff)
    with django_assert_num_queries(DIRECTORY_QUERIES[role]):
        response = client.get(url)
    assert len(response.context["societies"]) == 10


def test_committee_members_never_reach_the_console(
    db: None, client: Client, su_staff: Any, committee_trained: Any, society: Society
) -> None:
    """Every page the console's menu leads to refuses the committee (the matrix says so URL by URL; this
    follows the menu itself, so a page added to it without a staff check fails here too)."""
    client.force_login(su_staff)
    menu = client.get(reverse("su:console")).content.decode()
    links = re.findall(r'<nav aria-label="Union console">(.*?)</nav>', menu, re.S)[0]
    pages = re.findall(r'href="([^"]+)"', links)
    assert len(pages) >= 14 and reverse("privacy:access-log") in pages and reverse("su:health") in pages
    client.force_login(committee_trained)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 403, f"{url}: the committee got {response.status_code}"
