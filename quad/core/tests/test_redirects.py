import pytest
from django.test import RequestFactory

from quad.core.redirects import safe_next


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("/su/approvals/", "/su/approvals/"),
        ("/su/approvals/?sort=-name", "/su/approvals/?sort=-name"),
        ("https://evil.example/", "/fallback/"),
        ("//evil.example/", "/fallback/"),
        ("/\\evil.example/", "/fallback/"),
        ("javascript:alert(1)", "/fallback/"),
        ("su/approvals/", "/fallback/"),
        ("", "/fallback/"),
    ],
)
def test_only_a_path_on_this_site_is_followed(wanted: str, expected: str) -> None:
    request = RequestFactory().post("/somewhere/", {"next": wanted})

    assert safe_next(request, "/fallback/") == expected


def test_next_may_come_from_the_query_string() -> None:
    request = RequestFactory().get("/somewhere/", {"next": "/su/health/"})

    assert safe_next(request, "/fallback/") == "/su/health/"
