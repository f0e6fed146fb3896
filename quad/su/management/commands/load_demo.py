"""Load the demo union: a dozen societies with committees, one awaiting approval, one folded; upcoming
events with tickets (one happening today, to try the scanner), some society merch and news (one
article featured on the front page), and society email: Hiking Society's sent and draft mailings and its
own welcome email, Chess Club's news held for quiet hours, and Film Society not emailed at all.

Idempotent: run it again and nothing is duplicated; it always prints the demo sign-ins.
Everything is built through the services, exactly as people would build it.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from quad.accounts import services as account_services
from quad.accounts.models import TrainingRecord, User
from quad.chat import invite_requests
from quad.chat import services as chat_services
from quad.chat.models import ChatGroup
from quad.chat.permissions import current_version
from quad.commerce import services as commerce_services
from quad.commerce.models import Order, OrderLine, Variant
from quad.conduct import demo as conduct_demo
from quad.core import quiet_hours
from quad.core.academic import current_academic_year
from quad.events import services as event_services
from quad.events.models import Event
from quad.mailings import audiences
from quad.mailings import services as mailing_services
from quad.mailings.models import Delivery, Mailing
from quad.memberships import services as membership_services
from quad.news import services as news_services
from quad.news.models import Article
from quad.privacy import demo as privacy_demo
from quad.shop import services as shop_services
from quad.shop.models import MerchItem
from quad.societies import services as society_services
from quad.societies.models import Category, CommitteeTerm, Society
from quad.su import services as su_services

PASSWORD = "quad-demo-2026"
# A fixed base32 secret so the demo staff account can be added to any authenticator app.
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPQUADDEMO"
VISITOR_DOMAIN = "example.com"

CATEGORIES = [
    ("Academic", "academic"),
    ("Arts & Culture", "arts-culture"),
    ("Sport & Outdoors", "sport-outdoors"),
    ("Games & Hobbies", "games-hobbies"),
    ("Faith & Belief", "faith-belief"),
    ("Volunteering & Campaigning", "volunteering-campaigning"),
    ("International & Cultural", "international-cultural"),
]

SOCIETIES: list[dict[str, Any]] = [
    {
        "name": "Hiking Society",
        "category": "sport-outdoors",
        "purpose": "Weekend walks in the Malverns and the Welsh hills for every fitness level. Boots optional on the first walk — we lend kit.",
        "meeting": "Saturdays 9:00, meet at the main gate. Socials on Wednesdays.",
        "links": {"instagram": "https://instagram.com/quadhiking", "discord": "https://discord.gg/quadhike"},
    },
    {
        "name": "Chess Club",
        "category": "games-hobbies",
        "purpose": "Casual and competitive chess. We play in the BUCS league and run beginners' lessons every term.",
        "meeting": "Tuesdays 18:00, Library seminar room 2.",
        "links": {"website": "https://lichess.org/team/quad-chess"},
    },
    {
        "name": "Film Society",
        "category": "arts-culture",
        "purpose": "Weekly screenings from classics to cult, with a short talk before each film.",
        "meeting": "Thursdays 19:00, Lecture theatre B.",
        "links": {"instagram": "https://instagram.com/quadfilm", "x": "https://x.com/quadfilm"},
    },
    {
        "name": "Debating Society",
        "category": "academic",
        "purpose": "British Parliamentary debating, training nights and competitions across the UK.",
        "meeting": "Mondays 18:30, Room 1.04.",
        "links": {"facebook": "https://facebook.com/quaddebating"},
    },
    {
        "name": "Computing Society",
        "category": "academic",
        "purpose": "Talks, hack nights and careers events for anyone who likes computers.",
        "meeting": "Wednesdays 17:00, Computing lab 3.",
        "links": {"discord": "https://discord.gg/quadcomp", "linkedin": "https://linkedin.com/company/quadcomp"},
    },
    {
        "name": "Choir",
        "category": "arts-culture",
        "purpose": "A friendly, non-auditioned choir singing everything from folk to pop. Concerts every term.",
        "meeting": "Tuesdays 19:00, the Chapel.",
        "links": {"youtube": "https://youtube.com/@quadchoir"},
    },
    {
        "name": "Climbing Club",
        "category": "sport-outdoors",
        "purpose": "Indoor bouldering twice a week and outdoor trips when the weather allows.",
        "meeting": "Mondays and Thursdays 18:00 at the climbing wall.",
        "links": {"instagram": "https://instagram.com/quadclimb", "tiktok": "https://tiktok.com/@quadclimb"},
    },
    {
        "name": "Board Games Society",
        "category": "games-hobbies",
        "purpose": "Hundreds of games, one big table. Drop in any week.",
        "meeting": "Fridays 18:00, Student Union café.",
        "links": {},
    },
    {
        "name": "Christian Union",
        "category": "faith-belief",
        "purpose": "Bible study, prayer and friendship for students of every background.",
        "meeting": "Wednesdays 19:30, Room 2.10.",
        "links": {},
    },
    {
        "name": "Islamic Society",
        "category": "faith-belief",
        "purpose": "Friday prayers, Ramadan iftars and charity weeks, open to all.",
        "meeting": "Fridays 13:00, Multi-faith room.",
        "links": {"instagram": "https://instagram.com/quadisoc"},
    },
    {
        "name": "Volunteering Society",
        "category": "volunteering-campaigning",
        "purpose": "Local volunteering: food banks, river clean-ups and school reading clubs.",
        "meeting": "First Monday of the month, 18:00, Room 1.01.",
        "links": {},
    },
    {
        "name": "International Students Society",
        "category": "international-cultural",
        "purpose": "A home from home: trips, food nights and help settling in.",
        "meeting": "Thursdays 17:30, International lounge.",
        "links": {"facebook": "https://facebook.com/quadinternational"},
    },
]


class Command(BaseCommand):
    help = "Load the demo union (idempotent) and print the demo sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not Society.objects.filter(slug="hiking-society").exists():
            with transaction.atomic():
                self._load()
            self.stdout.write(self.style.SUCCESS("Demo union loaded."))
        # Events and merch came later: a demo union loaded before them gets them on the next run.
        if not Event.objects.filter(society__slug="hiking-society").exists():
            with transaction.atomic():
                self._load_events()
            self.stdout.write(self.style.SUCCESS("Demo events loaded."))
        if not MerchItem.objects.filter(society__slug="hiking-society").exists():
            with transaction.atomic():
                self._load_merch()
            self.stdout.write(self.style.SUCCESS("Demo merch loaded."))
        if not Article.objects.filter(society__slug="hiking-society").exists():
            with transaction.atomic():
                self._load_news()
            self.stdout.write(self.style.SUCCESS("Demo news loaded."))
        if not Mailing.objects.filter(society__slug="hiking-society").exists():
            with transaction.atomic():
                self._load_mailings()
            self.stdout.write(self.style.SUCCESS("Demo mailings loaded."))
        if not ChatGroup.objects.filter(society__slug="hiking-society").exists():
            with transaction.atomic():
                self._load_chat()
            self.stdout.write(self.style.SUCCESS("Demo group chats loaded."))
        with transaction.atomic():
            if conduct_demo.load():
                self.stdout.write(self.style.SUCCESS("Demo reports and cases loaded."))
        if not ChatGroup.objects.filter(kind=ChatGroup.Kind.REP).exists():
            with transaction.atomic():
                self._load_rep_group()
            self.stdout.write(self.style.SUCCESS("Demo rep group loaded."))
        with transaction.atomic():
            if privacy_demo.load(self._person, lambda person, kind: self._buy(person, kind.variant)):
                self.stdout.write(self.style.SUCCESS("Demo privacy records loaded."))
        self._print_sign_ins()

    def _person(self, name: str, local: str, *, student: bool = True, years_left: int = 2, domain: str = "") -> User:
        domain = domain or (settings.STUDENT_EMAIL_DOMAINS[0] if student else settings.UNION_EMAIL_DOMAIN)
        email = f"{local}@{domain}"
        user = User.objects.filter(email=email).first()
        if user is None:
            year = current_academic_year()
            user = User.objects.create_user(
                email,
                None,
                display_name=name,
                course_ends_on=datetime.date(year.end.year + years_left - 1, year.end.month, year.end.day)
                if student
                else None,
            )
            user.password = self._password_hash()
            user.save(update_fields=["password"])
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            if student:
                account_services.record_email_verified(user, email, actor=user)
        return user

    def _password_hash(self) -> str:
        # Hash the shared demo password once: hashing it for each of fifty people takes seconds.
        if not hasattr(self, "_hash"):
            self._hash = make_password(PASSWORD)
        return self._hash

    def _load(self) -> None:
        staff = self._person("Jo Staff (union staff)", "jo.staff", student=False)
        staff.is_union_staff = True
        staff.save(update_fields=["is_union_staff"])
        TOTP.activate(staff, STAFF_TOTP_SECRET)
        officer = self._person("Ollie Officer", "ollie.officer", student=False)
        officer.is_officer = True
        officer.save(update_fields=["is_officer"])

        categories = {
            slug: Category.objects.get_or_create(slug=slug, defaults={"name": name})[0] for name, slug in CATEGORIES
        }
        self._person("Sam Student", "sam.student")
        self._person("Mia Member", "mia.member")
        self._person(
            "Vic Visitor", "vic.visitor", student=False, domain=VISITOR_DOMAIN
        )  # not on a student domain: a visitor
        committee_trained = self._person("Priya President", "priya.president")
        committee_untrained = self._person("Uma Untrained", "uma.untrained")
        treasurer = self._person("Theo Treasurer", "theo.treasurer")
        today = timezone.localdate()
        account_services.record_training(
            committee_trained, actor=committee_trained, source=TrainingRecord.Source.QUIZ, completed_on=today, score=100
        )
        account_services.record_training(
            treasurer, actor=staff, source=TrainingRecord.Source.EXTERNAL, completed_on=today, note="University course"
        )

        for index, spec in enumerate(SOCIETIES):
            if index == 0:
                president, others = committee_trained, [treasurer, committee_untrained]
            else:
                president = self._person(f"{spec['name'].split()[0]} President", f"president{index}")
                others = [
                    self._person(f"{spec['name'].split()[0]} Treasurer", f"treasurer{index}"),
                    self._person(f"{spec['name'].split()[0]} Secretary", f"secretary{index}"),
                ]
                account_services.record_training(
                    president, actor=staff, source=TrainingRecord.Source.EXTERNAL, completed_on=today, note="Demo"
                )
            society = society_services.apply_for_society(
                president,
                name=spec["name"],
                category=categories[spec["category"]],
                purpose=spec["purpose"],
                constitution=f"1. The society is called {spec['name']}.\n2. Membership is open to all students of the union.\n3. The committee is elected each spring.",
                committee=[
                    (president.email, "President"),
                    (others[0].email, "Treasurer"),
                    (others[1].email, "Secretary"),
                ],
            )
            society = society_services.approve_society(society, actor=staff)
            society_services.update_mini_site(
                society,
                actor=president,
                purpose=spec["purpose"],
                meeting_info=spec["meeting"],
                contact_email=f"{society.slug}@{settings.UNION_EMAIL_DOMAIN}",
            )
            if spec["links"]:
                society_services.set_social_links(society, actor=president, links=spec["links"])
            society_services.add_faq_item(
                society,
                actor=president,
                question="Do I need any experience?",
                answer="No — beginners are always welcome.",
            )
            if index < 4:
                su_services.feature_society(society, actor=staff)
            treasurer = others[0]
            membership_services.create_membership_type(
                society,
                actor=treasurer,
                year=current_academic_year(),
                name="Full member",
                price_pence=spec.get("price", 500 + 100 * (index % 6)),
                limit=spec.get("limit"),
            )
            if index == 0:
                membership_services.create_membership_type(
                    society, actor=treasurer, year=current_academic_year(), name="Associate (free)", price_pence=0
                )

        self._load_members()

        applicant = self._person("Alex Applicant", "alex.applicant")
        society_services.apply_for_society(
            applicant,
            name="Astronomy Society",
            category=categories["academic"],
            purpose="Stargazing nights, telescope workshops and talks about the universe.",
            constitution="1. The society is called Astronomy Society.\n2. Membership is open to all students.",
            committee=[
                (applicant.email, "President"),
                (self._person("Ada Astro", "ada.astro").email, "Treasurer"),
                (self._person("Kit Kepler", "kit.kepler").email, "Secretary"),
            ],
        )

        folder = self._person("Fern Folded", "fern.folded")
        folded = society_services.apply_for_society(
            folder,
            name="Juggling Society",
            category=categories["games-hobbies"],
            purpose="We juggled. Then we ran out of jugglers.",
            constitution="1. The society is called Juggling Society.",
            committee=[
                (folder.email, "President"),
                (self._person("Jay Juggle", "jay.juggle").email, "Treasurer"),
                (self._person("Bo Balls", "bo.balls").email, "Secretary"),
            ],
        )
        folded = society_services.approve_society(folded, actor=staff)
        society_services.fold_society(folded, actor=staff, reason="No committee came forward for this year.")

    def _load_members(self) -> None:
        """A few students join societies through the real checkout, as the test provider would pay."""
        member = User.objects.get(email=f"mia.member@{settings.STUDENT_EMAIL_DOMAINS[0]}")
        joiners = [member] + [self._person(f"Demo Student {n}", f"demo.student{n}") for n in range(1, 9)]
        hiking = Society.objects.get(slug="hiking-society")
        slugs = ["hiking-society", "film-society", "chess-club", "choir", "climbing-club", "debating-society"]
        for count, society in enumerate(Society.objects.filter(slug__in=slugs).order_by("name")):
            full = society.membership_types.select_related("variant").get(product__name="Full member")
            for person in joiners if society == hiking else joiners[: 3 + count % 4]:
                order, _ = commerce_services.place_order(person, items=[(full.variant, 1)])
                commerce_services.confirm_payment(
                    order, provider=order.provider, payment_id=f"demo-{order.reference}", amount_pence=order.total_pence
                )
        film = Society.objects.get(slug="film-society")
        line = OrderLine.objects.get(order__buyer=member, seller=film)
        commerce_services.request_refund(line, actor=member, reason="I can't make Thursday screenings this year.")

    # --- Events and merch -------------------------------------------------------------------------

    def _student(self, local: str) -> User:
        return User.objects.get(email=f"{local}@{settings.STUDENT_EMAIL_DOMAINS[0]}")

    def _president(self, society: Society) -> User:
        return CommitteeTerm.objects.select_related("user").get(society=society, position__name="President").user

    def _buy(self, person: User, variant: Variant, quantity: int = 1) -> Order:
        """Buy as the checkout does: an order, then the test provider's payment (free orders are paid at once)."""
        order, _ = commerce_services.place_order(person, items=[(variant, quantity)])
        if order.status == Order.Status.PENDING:
            commerce_services.confirm_payment(
                order, provider=order.provider, payment_id=f"demo-{order.reference}", amount_pence=order.total_pence
            )
        return order

    def _event(
        self,
        slug: str,
        title: str,
        *,
        starts_at: datetime.datetime,
        hours: float,
        capacity: int,
        tickets: list[dict[str, Any]],
        description: str,
        **fields: Any,
    ) -> tuple[Event, list[Any]]:
        society = Society.objects.get(slug=slug)
        president = self._president(society)
        event = event_services.create_event(
            society,
            actor=president,
            title=title,
            description=description,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=hours),
            capacity=capacity,
            **fields,
        )
        types = [event_services.add_ticket_type(event, actor=president, **spec) for spec in tickets]
        return event, types

    def _load_events(self) -> None:
        """A week or two of events across the societies: public and members-only, free RSVPs and paid
        tickets with member prices, one online, one nearly and one fully sold out (with a waiting list),
        and one happening today so the check-in scanner can be tried on Mia's ticket."""
        now = timezone.localtime()
        today = now.date()

        def at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
            day = today + datetime.timedelta(days=days)
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

        mia, sam = self._student("mia.member"), self._student("sam.student")
        demo = [self._student(f"demo.student{n}") for n in range(1, 9)]

        # Today, from the start of this hour: the scanner's demo.
        _social, (rsvp,) = self._event(
            "hiking-society",
            "Kit swap and route-planning social",
            starts_at=now.replace(minute=0, second=0, microsecond=0),
            hours=4,
            capacity=60,
            venue="Students' Union bar",
            tickets=[{"name": "Free place", "price_pence": 0}],
            description="Bring the kit you no longer use and take home what you need. "
            "We plan **next month's walks** over a drink.",
        )
        self._buy(mia, rsvp.variant)
        for person in demo[:5]:
            self._buy(person, rsvp.variant)

        _walk, (walker,) = self._event(
            "hiking-society",
            "Full-moon walk on the Malverns",
            starts_at=at(5, 19, 30),
            hours=3,
            capacity=30,
            venue="Great Malvern station",
            tickets=[{"name": "Walker", "price_pence": 600, "member_price_pence": 300}],
            description="A gentle night walk up to the Worcestershire Beacon.\n\n"
            "- Bring a head torch and warm layers\n- Hot chocolate at the top\n- Train back at 23:10",
        )
        self._buy(mia, walker.variant)  # a member: pays the member price
        self._buy(demo[0], walker.variant, 2)

        self._event(
            "film-society",
            "Cult classics double bill",
            starts_at=at(3, 18, 30),
            hours=4,
            capacity=120,
            venue="Lecture theatre B",
            tickets=[{"name": "Double bill", "price_pence": 500, "member_price_pence": 250}],
            description="Two cult favourites back to back, with pizza in the interval. Costumes encouraged.",
        )
        self._event(
            "film-society",
            "Members' screening: the director's cut",
            starts_at=at(9, 19),
            hours=3,
            capacity=40,
            venue="Lecture theatre B",
            visibility=Event.Visibility.MEMBERS,
            tickets=[{"name": "Free place", "price_pence": 0, "per_person_limit": 1}],
            description="For members only: the three-hour cut, followed by a discussion.",
        )
        self._event(
            "computing-society",
            "Intro to Rust: an online workshop",
            starts_at=at(4, 18),
            hours=2,
            capacity=100,
            online_url="https://meet.example.com/quad-rust-intro",
            tickets=[{"name": "Free place", "price_pence": 0, "per_person_limit": 1}],
            description="Install Rust beforehand (`rustup`). The link appears on the event page once you have a place.",
        )
        self._event(
            "chess-club",
            "Blitz tournament",
            starts_at=at(12, 13),
            hours=5,
            capacity=48,
            venue="Library seminar room 2",
            tickets=[{"name": "Entry", "price_pence": 300, "member_price_pence": 0, "per_person_limit": 1}],
            description="Five-minute games, Swiss system, seven rounds. Free for members.",
        )
        _concert, (seat,) = self._event(
            "choir",
            "Winter concert",
            starts_at=at(6, 19, 30),
            hours=2,
            capacity=18,
            venue="The Chapel",
            tickets=[{"name": "Seat", "price_pence": 800, "member_price_pence": 500}],
            description="Folk, pop and a carol or two. Mulled juice afterwards.",
        )
        for person in demo:  # 16 of 18 seats: nearly sold out
            self._buy(person, seat.variant, 2)

        taster, (place,) = self._event(
            "climbing-club",
            "Bouldering taster session",
            starts_at=at(2, 18),
            hours=2,
            capacity=6,
            venue="The climbing wall",
            tickets=[{"name": "Taster", "price_pence": 400, "member_price_pence": 200, "per_person_limit": 2}],
            description="Shoes and chalk provided. Instructors from the wall show you the basics.",
        )
        for person in demo[5:8]:  # all 6 places: sold out
            self._buy(person, place.variant, 2)
        event_services.join_waiting_list(taster, place, user=sam)

    def _hoodie_photo(self) -> ContentFile:
        image = Image.new("RGB", (480, 480), "#f4f5f8")
        draw = ImageDraw.Draw(image)
        draw.polygon([(150, 90), (330, 90), (440, 200), (390, 250), (350, 210), (350, 430), (130, 430), (130, 210),
                      (90, 250), (40, 200)], fill="#1d6b35")  # fmt: skip
        draw.ellipse([(190, 60), (290, 130)], fill="#14502a")
        draw.polygon([(240, 200), (300, 300), (180, 300)], fill="#ffffff")
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return ContentFile(out.getvalue())

    def _load_merch(self) -> None:
        """A hoodie in stock (with a photo) and a pre-order T-shirt; Mia's paid hoodie waits to be collected."""
        hiking, film = Society.objects.get(slug="hiking-society"), Society.objects.get(slug="film-society")
        hoodie = shop_services.create_merch_item(
            hiking,
            actor=self._president(hiking),
            name="Hiking Society hoodie",
            description="Heavyweight cotton with an **embroidered** mountain. Collect at the Wednesday social.",
            variants=[("S", 2500, 8), ("M", 2500, 15), ("L", 2500, 15), ("XL", 2700, 6)],
        )
        shop_services.add_photo(
            hoodie,
            actor=self._president(hiking),
            image=self._hoodie_photo(),
            alt_text="A dark green hoodie with a white mountain embroidered on the chest",
        )
        shop_services.create_merch_item(
            film,
            actor=self._president(film),
            name="Film Society T-shirt (pre-order)",
            description="Printed when pre-orders close; we email you when yours is ready.",
            variants=[("S", 1500, 50), ("M", 1500, 50), ("L", 1500, 50)],
            preorder_closes_at=timezone.now() + datetime.timedelta(days=14),
        )
        medium = hoodie.merch_variants.select_related("variant").get(variant__name="M").variant
        self._buy(self._student("mia.member"), medium)

    def _ridge_photo(self) -> ContentFile:
        image = Image.new("RGB", (640, 400), "#bfe0f5")
        draw = ImageDraw.Draw(image)
        draw.polygon([(0, 400), (0, 260), (200, 150), (380, 230), (640, 120), (640, 400)], fill="#2f7d3b")
        for x in (300, 330, 360):
            draw.rectangle([(x, 180), (x + 10, 215)], fill="#3b2a8f")
            draw.ellipse([(x - 2, 166), (x + 12, 180)], fill="#3b2a8f")
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return ContentFile(out.getvalue())

    def _load_news(self) -> None:
        """Hiking's spring programme (featured on the front page by staff) and a draft; Film's season."""
        hiking, film = Society.objects.get(slug="hiking-society"), Society.objects.get(slug="film-society")
        staff = User.objects.get(email=f"jo.staff@{settings.UNION_EMAIL_DOMAIN}")
        spring = news_services.create_article(
            hiking,
            actor=self._president(hiking),
            title="Spring walks: six weekends in the hills",
            body="Our spring programme is out. Six walks, from a **gentle riverside ramble** to a full day on the Malvern ridges.\n\n- Boots optional on the first walk: we lend kit\n- Meet at the main gate at 9:00\n- Bring lunch and water\n\nQuestions? Come to the Wednesday social.",
            status=Article.Status.PUBLISHED,
            publish_at=timezone.now() - datetime.timedelta(days=2),
            image=self._ridge_photo(),
            image_alt="Three walkers on a green ridge under a blue sky",
        )
        news_services.feature_article(spring, actor=staff)
        news_services.create_article(
            hiking,
            actor=self._president(hiking),
            title="Kit library: what we lend",
            body="A draft for the committee: list the boots, poles and waterproofs we lend, and how to borrow them.",
        )
        news_services.create_article(
            film,
            actor=self._president(film),
            title="This term's season: Studio Ghibli",
            body="Every Thursday at 19:00 in Lecture Theatre 2: *Spirited Away*, *My Neighbour Totoro*, *Princess Mononoke* and more. Members free; guests £2.",
            status=Article.Status.PUBLISHED,
            publish_at=timezone.now() - datetime.timedelta(days=5),
        )

    # --- Society email ---------------------------------------------------------------------------------

    def _load_chat(self) -> None:
        """Hiking Society's General group and its Announcements: Priya and Mia are in General and have
        talked; the invite links are on Manage → Group chats."""
        hiking = Society.objects.get(slug="hiking-society")
        priya, mia = self._president(hiking), self._student("mia.member")
        general = chat_services.create_group(
            actor=priya, society=hiking, name="General", purpose="Questions about walks, kit and lifts."
        )
        chat_services.create_group(
            actor=priya,
            society=hiking,
            name="Announcements",
            purpose="Walk times and changes, from the committee only.",
            announcements_only=True,
        )
        for person, text in (
            (priya, "Welcome to the Hiking Society chat! Saturday's walk leaves the SU at 9am."),
            (mia, "Is there room in a car for two more? We can share petrol."),
            (priya, "Yes: meet at the front entrance, I'll drive."),
        ):
            member = chat_services.join_group(person, general, token=general.invite_token)
            chat_services.accept_guidelines(member, version=1)
            chat_services.post_message(member, text, in_quiet_hours=True)
        # Mia mentions Priya and replies; Priya reacts; the moderators remind everyone of the guidelines.
        mia_in = general.members.get(user=mia)
        lift = general.messages.get(seq=3)
        chat_services.post_message(
            mia_in, f"Thanks @{priya.display_name}! Should we bring lunch?", reply_to=lift, in_quiet_hours=True
        )
        chat_services.react(lift, user=mia, emoji="👍")
        chat_services.post_notice(general, actor=priya, kind="guidelines")

    def _load_mailings(self) -> None:
        """Hiking Society emailed its members ten days ago (delivered to all), has a draft waiting and
        its own welcome email; Chess Club's news is held for quiet hours, for staff to see on
        /mailings/held/; Film Society has never emailed its members, so its committee sees the flag."""
        hiking, chess = Society.objects.get(slug="hiking-society"), Society.objects.get(slug="chess-club")
        priya = self._president(hiking)
        sent = mailing_services.create_mailing(
            hiking,
            actor=priya,
            subject="Full-moon walk and the kit swap",
            body="Hello walkers!\n\nTwo dates for your diary:\n\n"
            "- **Kit swap and route-planning social** at the Students' Union bar\n"
            "- **Full-moon walk** on the Malverns: bring a head torch\n\n"
            f"Tickets are on [our page]({settings.SITE_URL}{hiking.get_absolute_url()}). See you on the hills!",
        )
        # Sent by a worker ten days ago: the rows a delivery leaves behind, written directly.
        started = timezone.now() - datetime.timedelta(days=10)
        recipients = list(audiences.recipients(sent).values_list("pk", "email"))
        Delivery.objects.bulk_create(
            Delivery(
                mailing=sent,
                user_id=pk,
                email=email,
                status=Delivery.Status.SENT,
                attempts=1,
                sent_at=started + datetime.timedelta(seconds=n),
            )
            for n, (pk, email) in enumerate(recipients)
        )
        Mailing.objects.filter(pk=sent.pk).update(
            created_at=started - datetime.timedelta(hours=1),
            status=Mailing.Status.SENT,
            send_at=started,
            started_at=started,
            finished_at=started + datetime.timedelta(seconds=len(recipients)),
            recipient_count=len(recipients),
        )
        mailing_services.create_mailing(
            hiking,
            actor=priya,
            subject="Spring walks: sign-up opens Monday",
            body="Our spring programme is out: **six weekends in the hills**. Sign-up opens on Monday at 9:00.",
        )
        mailing_services.save_welcome_email(
            hiking,
            actor=priya,
            enabled=True,
            subject="Welcome to Hiking Society!",
            body="Hello, and welcome to the hills!\n\n"
            "- We walk most **Saturdays**: meet at the main gate at 9:00\n"
            "- Boots optional on your first walk: we lend kit\n"
            "- Socials on Wednesdays in the Students' Union bar\n\n"
            "Questions? Reply to this email and the committee will answer.",
        )

        # Sent late in the evening, so it waits for the morning (unless the union has no quiet hours).
        held = mailing_services.create_mailing(
            chess,
            actor=self._president(chess),
            subject="Blitz tournament: the draw is out",
            body="The draw for Saturday's blitz tournament is on our page. Round one starts at **13:00** sharp.",
        )
        late = None
        if quiet_hours.quiet_until() is None and settings.QUIET_HOURS_START != settings.QUIET_HOURS_END:
            now = timezone.localtime()
            late = timezone.make_aware(datetime.datetime.combine(now.date(), settings.QUIET_HOURS_START))
            if late < now:
                late += datetime.timedelta(days=1)
        mailing_services.send_mailing(held, actor=self._president(chess), send_at=late)

    def _load_rep_group(self) -> None:
        """A union rep group run by staff, with Theo as its rep; he has asked the union to let two more
        course reps in (waiting in the console's approvals)."""
        staff = User.objects.get(email=f"jo.staff@{settings.UNION_EMAIL_DOMAIN}")
        theo = User.objects.get(email=f"theo.treasurer@{settings.STUDENT_EMAIL_DOMAINS[0]}")
        group = chat_services.create_group(
            actor=staff,
            name="Engineering course reps",
            purpose="Course reps for the engineering courses and the union's education officer.",
        )
        chat_services.make_eligible(group, [theo], actor=staff)
        member = chat_services.join_group(theo, group, token=group.invite_token)
        chat_services.accept_guidelines(member, version=current_version(group))
        chat_services.set_role(member, actor=staff, moderator=True)
        domain = settings.STUDENT_EMAIL_DOMAINS[0]
        invite_requests.request_invites(
            group,
            actor=theo,
            emails=[f"sam.student@{domain}", f"new.rep@{domain}"],
            note="Sam is the new second-year rep; the other is starting next week.",
        )

    def _print_sign_ins(self) -> None:
        domain = settings.STUDENT_EMAIL_DOMAINS[0]
        rows = [
            ("student", f"sam.student@{domain}", "a current student in no society"),
            (
                "member",
                f"mia.member@{domain}",
                "a member of Hiking, Film and others; a refund request pending; "
                "tickets (one event today) and a hoodie to collect; Account → Your data shows who viewed her data",
            ),
            (
                "committee, trained",
                f"priya.president@{domain}",
                "President of Hiking Society, GDPR-trained: try the check-in scanner on today's social",
            ),
            (
                "committee, no email",
                f"president2@{domain}",
                "President of Film Society, which has never emailed its members: see Email",
            ),
            (
                "committee, untrained",
                f"uma.untrained@{domain}",
                "Secretary of Hiking Society, no GDPR training: read-only",
            ),
            ("visitor", f"vic.visitor@{VISITOR_DOMAIN}", "not a student: browses only"),
            (
                "SU staff",
                f"jo.staff@{settings.UNION_EMAIL_DOMAIN}",
                f"needs a TOTP code: secret {STAFF_TOTP_SECRET}, or run `make totp`; "
                "Console → Health, Approvals, Privacy requests",
            ),
        ]
        self.stdout.write(f"\nDemo sign-ins (password for all: {PASSWORD})\n")
        for role, email, note in rows:
            self.stdout.write(f"  {role:<22} {email:<42} {note}")
        self.stdout.write("")
