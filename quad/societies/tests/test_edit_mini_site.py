import datetime
import io

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import dateformat, timezone
from PIL import Image, PngImagePlugin

from quad.core.models import AuditEvent
from quad.societies import services
from quad.societies.errors import SocietyError
from quad.societies.forms import validate_platform_url
from quad.societies.models import FAQItem, Society

pytestmark = pytest.mark.django_db


def _url(name: str, society: Society, **kwargs) -> str:
    return reverse(f"societies:{name}", kwargs={"slug": society.slug, **kwargs})


def _image(size: tuple[int, int], fmt: str = "PNG", *, noisy: bool = False, **save) -> bytes:
    mode = "RGB" if fmt == "JPEG" else "RGBA"
    if noisy:
        image = Image.frombytes(mode, size, bytes((n * 7919) % 251 for n in range(size[0] * size[1] * len(mode))))
    else:
        image = Image.new(mode, size, (200, 40, 40) if mode == "RGB" else (200, 40, 40, 255))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def _post_site(client, society: Society, *, logo: bytes | None = None, name: str = "logo.png", **fields):
    data: dict[str, object] = {
        "purpose": "We walk up hills.",
        "meeting_info": "Saturdays, 9am, the bus stop",
        "contact_email": "",
        **fields,
    }
    if logo is not None:
        data["logo"] = SimpleUploadedFile(name, logo, content_type="image/png")
    return client.post(_url("edit-mini-site", society), data)


@pytest.fixture
def president(client, committee_trained):
    client.force_login(committee_trained)
    return client


def _stored_logo(society: Society) -> Image.Image:
    society.refresh_from_db()
    assert society.logo
    with society.logo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


# --- Logo -----------------------------------------------------------------------------------------


def test_png_logo_is_re_encoded_and_scaled_to_at_most_512_pixels(president, society) -> None:
    response = _post_site(president, society, logo=_image((1000, 600)))

    assert response.status_code == 302
    logo = _stored_logo(society)
    assert logo.format == "PNG"
    assert logo.size == (512, 307)
    assert society.logo.name.endswith(".png")


def test_jpeg_logo_is_stored_as_png(president, society) -> None:
    _post_site(president, society, logo=_image((800, 800), "JPEG"), name="logo.jpg")

    logo = _stored_logo(society)
    assert logo.format == "PNG"
    assert logo.size == (512, 512)


def test_small_enough_logo_keeps_its_size(president, society) -> None:
    _post_site(president, society, logo=_image((100, 80)))

    assert _stored_logo(society).size == (100, 80)


def test_re_encoding_drops_metadata_and_trailing_payloads(president, society) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-metadata")
    original = _image((200, 200), pnginfo=info) + b"<script>trailing-payload</script>"

    _post_site(president, society, logo=original)

    society.refresh_from_db()
    with society.logo.open("rb") as handle:
        stored = handle.read()
    assert b"secret-metadata" not in stored
    assert b"trailing-payload" not in stored


def _logo_errors(response) -> list[str]:
    assert response.status_code == 200
    return list(response.context["form"].errors["logo"])


def test_text_file_renamed_png_is_refused(president, society) -> None:
    response = _post_site(president, society, logo=b"<?php system($_GET['c']); ?>", name="logo.png")

    assert _logo_errors(response)
    society.refresh_from_db()
    assert not society.logo
    assert society.meeting_info == ""


def test_tiny_logo_is_refused(president, society) -> None:
    response = _post_site(president, society, logo=_image((10, 10)))

    assert _logo_errors(response) == ["The logo is too small: at least 64×64 pixels please."]
    society.refresh_from_db()
    assert not society.logo


def test_logo_too_many_bytes_is_refused_with_the_limit_in_the_message(president, society, settings) -> None:
    settings.LOGO_MAX_BYTES = 1000
    big = _image((300, 300), noisy=True)
    assert len(big) > 1000

    response = _post_site(president, society, logo=big)

    (error,) = _logo_errors(response)
    assert error.startswith("The logo must be at most 1000")
    assert "0 MB" not in error
    society.refresh_from_db()
    assert not society.logo


def test_logo_just_under_the_byte_limit_is_accepted(president, society, settings) -> None:
    logo = _image((300, 300), noisy=True)
    settings.LOGO_MAX_BYTES = len(logo)

    assert _post_site(president, society, logo=logo).status_code == 302
    assert _stored_logo(society).size == (300, 300)


def test_logo_with_too_many_pixels_on_a_side_is_refused(president, society) -> None:
    response = _post_site(president, society, logo=_image((6001, 64)))

    assert _logo_errors(response) == ["The logo is too large: at most 6000 pixels on a side."]


def test_image_in_an_unsupported_format_is_refused(president, society) -> None:
    response = _post_site(president, society, logo=_image((100, 100), "BMP"), name="logo.bmp")

    assert _logo_errors(response) == ["Upload the logo as a PNG, JPEG, WebP or GIF image."]


def test_logo_can_be_removed(president, society) -> None:
    _post_site(president, society, logo=_image((100, 100)))
    assert _stored_logo(society)

    _post_site(president, society, remove_logo="on")

    society.refresh_from_db()
    assert not society.logo


def test_logo_appears_on_the_mini_site(president, society, client) -> None:
    _post_site(president, society, logo=_image((100, 100)))
    society.refresh_from_db()

    page = client.get(society.get_absolute_url()).content.decode()

    assert society.logo.url in page
    assert 'alt="Hiking Society logo"' in page


# --- Contact address and site details ---------------------------------------------------------------


def test_society_contact_address_is_saved_and_shown(president, society, client) -> None:
    response = _post_site(president, society, contact_email="Hiking@Union.example.ac.uk")

    assert response.status_code == 302
    society.refresh_from_db()
    assert society.contact_email == "hiking@union.example.ac.uk"
    assert "mailto:hiking@union.example.ac.uk" in client.get(society.get_absolute_url()).content.decode()


def test_personal_student_address_is_refused_as_contact(president, society) -> None:
    response = _post_site(president, society, contact_email="someone@student.example.ac.uk")

    assert response.context["form"].errors["contact_email"] == [
        "That is a personal student address. Use a society address instead."
    ]
    society.refresh_from_db()
    assert society.contact_email == ""


def test_committee_members_address_is_refused_as_contact(president, society, committee_trained) -> None:
    response = _post_site(president, society, contact_email=committee_trained.email)

    assert response.status_code == 200
    society.refresh_from_db()
    assert society.contact_email == ""


def test_committee_members_address_is_refused_even_off_the_student_domains(
    society, committee_trained, settings
) -> None:
    # The service's own check: a committee member's address, whatever its domain.
    settings.STUDENT_EMAIL_DOMAINS = ["elsewhere.example.ac.uk"]

    with pytest.raises(SocietyError, match="never a personal one"):
        services.update_mini_site(
            society,
            actor=committee_trained,
            purpose="x",
            meeting_info="",
            contact_email=committee_trained.email.upper(),
        )

    society.refresh_from_db()
    assert society.contact_email == ""


def test_saving_the_site_updates_last_updated(president, society, client) -> None:
    long_ago = timezone.now() - datetime.timedelta(days=40)
    Society.objects.filter(pk=society.pk).update(site_updated_at=long_ago)
    before = timezone.now()

    _post_site(president, society)

    society.refresh_from_db()
    assert society.site_updated_at is not None
    assert society.site_updated_at >= before
    page = client.get(society.get_absolute_url()).content.decode()
    today = dateformat.format(timezone.localtime(society.site_updated_at), "j F Y")
    assert f"Last updated {today}" in page
    assert dateformat.format(timezone.localtime(long_ago), "j F Y") not in page


def test_saving_the_site_is_audited(president, society, committee_trained) -> None:
    _post_site(president, society)

    event = AuditEvent.objects.get(action="societies.site.updated")
    assert event.actor == committee_trained
    assert "purpose" in event.data["fields"]


def test_purpose_markdown_is_rendered_safely_on_the_mini_site(president, society, client) -> None:
    _post_site(president, society, purpose="We **walk**. <script>alert(1)</script>")

    page = client.get(society.get_absolute_url()).content.decode()

    assert "<strong>walk</strong>" in page
    assert "alert(1)" not in page


# --- Social links -------------------------------------------------------------------------------------

PLATFORM_URLS = {
    "instagram": ("https://instagram.com/hiking.soc", "https://tiktok.com/@hikingsoc"),
    "facebook": ("https://facebook.com/hikingsoc", "https://instagram.com/hikingsoc"),
    "tiktok": ("https://tiktok.com/@hiking.soc", "https://x.com/hikingsoc"),
    "x": ("https://x.com/hiking_soc", "https://facebook.com/hikingsoc"),
    "youtube": ("https://youtube.com/@hikingsoc", "https://discord.gg/hikers"),
    "discord": ("https://discord.gg/hikers", "https://youtube.com/@hikingsoc"),
    "linkedin": ("https://linkedin.com/company/hiking-soc", "https://instagram.com/hikingsoc"),
}


@pytest.mark.parametrize("platform", PLATFORM_URLS)
def test_each_platform_accepts_its_own_link(platform: str) -> None:
    good, _other = PLATFORM_URLS[platform]

    assert validate_platform_url(platform, good) == good


@pytest.mark.parametrize("platform", PLATFORM_URLS)
def test_each_platform_refuses_another_platforms_link(platform: str) -> None:
    _good, other = PLATFORM_URLS[platform]

    with pytest.raises(forms.ValidationError, match="That is not a"):
        validate_platform_url(platform, other)


@pytest.mark.parametrize("platform", [*PLATFORM_URLS, "website"])
def test_each_platform_refuses_plain_http(platform: str) -> None:
    good = PLATFORM_URLS.get(platform, ("https://hiking.example.org", ""))[0]

    with pytest.raises(forms.ValidationError, match=r"Use a full https:// link\."):
        validate_platform_url(platform, good.replace("https://", "http://"))


@pytest.mark.parametrize(
    "url",
    [
        "https://instagram.com.evil.example/hikingsoc",
        "https://evilinstagram.com/hikingsoc",
        "https://instagram.com@evil.example/hikingsoc",
        "javascript://instagram.com/%0aalert(1)",
    ],
)
def test_lookalike_links_are_refused(url: str) -> None:
    with pytest.raises(forms.ValidationError):
        validate_platform_url("instagram", url)


def test_links_are_normalised_to_the_bare_host() -> None:
    assert validate_platform_url("instagram", "https://www.instagram.com/hikingsoc/") == (
        "https://instagram.com/hikingsoc/"
    )
    assert validate_platform_url("x", "https://twitter.com/hikingsoc") == "https://twitter.com/hikingsoc"


def test_a_post_rather_than_a_profile_is_refused_with_an_example() -> None:
    with pytest.raises(forms.ValidationError, match=r"should look like https://instagram.com/yoursociety"):
        validate_platform_url("instagram", "https://instagram.com/p/Cabc123/extra")


def test_website_accepts_any_https_site() -> None:
    assert validate_platform_url("website", "https://hiking.example.org/about") == "https://hiking.example.org/about"


def test_social_links_form_shows_the_message_and_saves_nothing(president, society) -> None:
    response = president.post(
        _url("edit-social-links", society),
        {"instagram": "https://instagram.com/hikingsoc", "facebook": "http://facebook.com/hikingsoc"},
    )

    assert response.status_code == 200
    assert "Use a full https:// link." in response.content.decode()
    assert not society.social_links.exists()


def test_social_links_are_saved_shown_and_cleared(president, society, client) -> None:
    response = president.post(
        _url("edit-social-links", society),
        {"instagram": "https://www.instagram.com/hikingsoc", "discord": "https://discord.gg/hikers"},
    )
    assert response.status_code == 302
    assert dict(society.social_links.values_list("platform", "url")) == {
        "instagram": "https://instagram.com/hikingsoc",
        "discord": "https://discord.gg/hikers",
    }
    page = client.get(society.get_absolute_url()).content.decode()
    assert 'href="https://instagram.com/hikingsoc"' in page

    president.post(_url("edit-social-links", society), {"discord": "https://discord.gg/hikers"})

    assert list(society.social_links.values_list("platform", flat=True)) == ["discord"]
    assert AuditEvent.objects.filter(action="societies.site.links_updated").count() == 2


# --- FAQ -----------------------------------------------------------------------------------------------


def test_faq_items_are_added_in_order_and_shown(president, society, client) -> None:
    president.post(_url("edit-faq", society), {"question": "Do I need boots?", "answer": "Yes, *walking* boots."})
    president.post(_url("edit-faq", society), {"question": "Is it free?", "answer": "The first walk is."})

    assert list(society.faq.values_list("question", flat=True)) == ["Do I need boots?", "Is it free?"]
    page = client.get(society.get_absolute_url()).content.decode()
    assert "Do I need boots?" in page
    assert "<em>walking</em>" in page


def test_faq_question_needs_an_answer(president, society) -> None:
    response = president.post(_url("edit-faq", society), {"question": "Do I need boots?", "answer": ""})

    assert response.status_code == 200
    assert "answer" in response.context["form"].errors
    assert not society.faq.exists()


def test_faq_item_can_be_removed(president, society, committee_trained, client) -> None:
    item = services.add_faq_item(society, actor=committee_trained, question="Do I need boots?", answer="Yes.")

    response = president.post(_url("remove-faq-item", society, item_id=item.pk))

    assert response.status_code == 302
    assert not FAQItem.objects.filter(pk=item.pk).exists()
    assert "Do I need boots?" not in client.get(society.get_absolute_url()).content.decode()
    assert AuditEvent.objects.filter(action="societies.site.faq_removed", data__question="Do I need boots?").exists()


def test_another_societys_faq_item_cannot_be_removed(president, society, other_society, other_committee) -> None:
    item = services.add_faq_item(other_society, actor=other_committee, question="Chess?", answer="Yes.")

    response = president.post(_url("remove-faq-item", society, item_id=item.pk))

    assert response.status_code == 404
    assert FAQItem.objects.filter(pk=item.pk).exists()


def test_faq_changes_update_last_updated(society, committee_trained) -> None:
    Society.objects.filter(pk=society.pk).update(site_updated_at=timezone.now() - datetime.timedelta(days=40))
    before = timezone.now()

    services.add_faq_item(society, actor=committee_trained, question="Q?", answer="A.")

    society.refresh_from_db()
    assert society.site_updated_at is not None
    assert society.site_updated_at >= before
