from html.parser import HTMLParser

import pytest

from quad.core.markdown import ALLOWED_TAGS, render_markdown

SAFE_SCHEMES = ("http:", "https:", "mailto:")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def _parse(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def assert_cannot_run(html: str) -> None:
    """No tag outside the allow-list, no handler or style attribute, no link to a scheme that runs."""
    for tag, attrs in _parse(html):
        assert tag in ALLOWED_TAGS, f"<{tag}> survived in {html!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"{name} survived in {html!r}"
            assert name not in {"style", "src", "srcset", "action", "formaction", "xlink:href"}, html
            if name == "href" and value is not None:
                # The parser has decoded entities, as a browser would; browsers also drop tabs and newlines.
                url = "".join(value.split()).lower()
                assert ":" not in url.split("/")[0] or url.startswith(SAFE_SCHEMES), f"href {value!r} in {html!r}"


XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">click</a>',
    '<p onmouseover="alert(1)">hover</p>',
    "<details open ontoggle=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[ref]: javascript:alert(1)\n\n[click][ref]",
    '<a href=" javascript:alert(1)">lead space</a>',
    '<a href="java\nscript:alert(1)">newline</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    "![pic](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<IMG SRC="javascript:alert(1);">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<style>body { display: none }</style>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="https://evil.example/x.swf"></object><embed src="x">',
    '<form action="https://evil.example"><input name="password"><button>Go</button></form>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</div>',
    '<a href="https://ok.example" style="color:red">styled link</a>',
    '<a href="jav&#x61;script:alert(1)">entity</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">decimal entities</a>',
    '<a href="java&#x09;script:alert(1)">entity tab</a>',
    "[entity](jav&#x61;script:alert(1))",
    '<a title="&quot; onmouseover=&quot;alert(1)" href="https://a.example">quoted</a>',
]


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_nothing_that_can_run_survives_rendering(vector: str) -> None:
    html = str(render_markdown(vector))

    assert_cannot_run(html)
    assert "<script" not in html.lower()


def test_the_safety_check_itself_catches_unsafe_html() -> None:
    # If the checker passed everything, the vector tests above would prove nothing.
    for unsafe in [
        "<script>x</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x61;script:alert(1)">x</a>',
        '<p onclick="x">x</p>',
        '<p style="color:red">x</p>',
        "<iframe></iframe>",
    ]:
        with pytest.raises(AssertionError):
            assert_cannot_run(unsafe)


def test_escaped_html_stays_text() -> None:
    html = str(render_markdown("&lt;script&gt;alert(1)&lt;/script&gt;"))

    assert "&lt;script&gt;" in html
    assert not any(tag == "script" for tag, _ in _parse(html))


def test_script_text_is_dropped_not_shown_and_surrounding_text_kept() -> None:
    html = str(render_markdown("Before <script>alert('hi')</script> after"))

    assert "alert" not in html
    assert "Before" in html
    assert "after" in html


def test_handler_attribute_is_removed_but_link_text_is_kept() -> None:
    html = str(render_markdown('<a href="https://union.example" onclick="steal()">Union</a>'))

    assert 'href="https://union.example"' in html
    assert "onclick" not in html
    assert ">Union</a>" in html


def test_emphasis_and_strong_are_kept() -> None:
    html = str(render_markdown("Come *hiking* with **us**"))

    assert "<em>hiking</em>" in html
    assert "<strong>us</strong>" in html


def test_https_links_are_kept_and_marked_nofollow() -> None:
    html = str(render_markdown("See [our route](https://maps.example.org/route?id=4&x=1)"))

    assert 'href="https://maps.example.org/route?id=4&amp;x=1"' in html
    assert 'rel="nofollow noopener noreferrer"' in html
    assert ">our route</a>" in html


def test_mailto_links_are_kept() -> None:
    html = str(render_markdown("[Email us](mailto:hiking@union.example.ac.uk)"))

    assert 'href="mailto:hiking@union.example.ac.uk"' in html


def test_lists_are_kept() -> None:
    html = str(render_markdown("Bring:\n\n- boots\n- water\n\n1. meet\n2. walk"))

    assert "<ul>" in html
    assert "<li>boots</li>" in html
    assert "<ol>" in html
    assert "<li>walk</li>" in html


def test_headings_below_h2_are_kept_but_h1_is_not() -> None:
    html = str(render_markdown("# Big\n\n## Section"))

    assert "<h2>Section</h2>" in html
    assert "<h1>" not in html
    assert "Big" in html


def test_empty_text_renders_to_nothing() -> None:
    assert str(render_markdown("")) == ""
