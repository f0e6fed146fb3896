import pytest
from django.urls import reverse

from conftest import found_society, make_person
from quad.societies import services
from quad.societies.models import Category, Society

pytestmark = pytest.mark.django_db

URL = reverse("societies:directory")


@pytest.fixture
def societies(su_staff):
    """Hiking (sport), Film (arts), Poetry (arts, suspended), Opera (arts, folded), Quilting (applied)."""
    people = [make_person(f"Founder {n}", f"founder{n}") for n in range(15)]
    arts = Category.objects.create(name="Arts & Culture", slug="arts")

    def found(name: str, purpose: str, n: int, category: Category | None = None) -> Society:
        society = found_society(name, *people[3 * n : 3 * n + 3], staff=su_staff)
        Society.objects.filter(pk=society.pk).update(purpose=purpose, **({"category": category} if category else {}))
        return society

    hiking = found("Hiking Society", "Walks up hills every weekend.", 0)
    found("Film Society", "Screenings of classic cinema and a weekend of hill-walking films.", 1, arts)
    poetry = found("Poetry Society", "Open mic nights.", 2, arts)
    services.suspend_society(poetry, actor=su_staff, reason="x")
    opera = found("Opera Society", "Singing.", 3, arts)
    services.fold_society(opera, actor=su_staff, reason="x")
    services.apply_for_society(
        people[12],
        name="Quilting Society",
        category=arts,
        purpose="Quilts.",
        constitution="1.",
        committee=[
            (p.email, pos) for p, pos in zip(people[12:15], ["President", "Treasurer", "Secretary"], strict=True)
        ],
    )
    return hiking


def _names(response) -> list[str]:
    return [society.name for society in response.context["societies"]]


def test_directory_lists_only_active_societies(client, societies) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    assert _names(response) == ["Film Society", "Hiking Society"]
    page = response.content.decode()
    for hidden in ["Poetry Society", "Opera Society", "Quilting Society"]:
        assert hidden not in page


def test_search_matches_the_name_whatever_its_case(client, societies) -> None:
    assert _names(client.get(URL, {"q": "HIKING"})) == ["Hiking Society"]


def test_search_matches_the_purpose(client, societies) -> None:
    assert _names(client.get(URL, {"q": "cinema"})) == ["Film Society"]
    assert _names(client.get(URL, {"q": "hill"})) == ["Film Society", "Hiking Society"]


def test_search_with_no_match_says_so(client, societies) -> None:
    response = client.get(URL, {"q": "underwater basket weaving"})

    assert _names(response) == []
    assert "No societies match." in response.content.decode()


def test_search_does_not_find_hidden_societies(client, societies) -> None:
    assert _names(client.get(URL, {"q": "Poetry"})) == []
    assert _names(client.get(URL, {"q": "Quilts"})) == []


def test_filter_by_category(client, societies) -> None:
    assert _names(client.get(URL, {"category": "arts"})) == ["Film Society"]
    assert _names(client.get(URL, {"category": "sport-outdoors"})) == ["Hiking Society"]


def test_search_and_category_combine(client, societies) -> None:
    assert _names(client.get(URL, {"q": "hill", "category": "sport-outdoors"})) == ["Hiking Society"]


def test_unknown_category_lists_nothing(client, societies) -> None:
    assert _names(client.get(URL, {"category": "no-such-category"})) == []


def test_full_page_has_the_layout_and_the_search_form(client, societies) -> None:
    page = client.get(URL, {"q": "hiking"}).content.decode()

    assert "<html" in page
    assert 'role="search"' in page
    assert 'value="hiking"' in page


def test_htmx_request_gets_only_the_results(client, societies) -> None:
    response = client.get(URL, {"q": "cinema"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert "<form" not in page
    assert "Film Society" in page
    assert "Hiking Society" not in page
    assert "1 society matching “cinema”" in page


def test_search_text_is_escaped(client, societies) -> None:
    page = client.get(URL, {"q": "<script>alert(1)</script>"}, headers={"HX-Request": "true"}).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
