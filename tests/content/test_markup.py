"""Bodies: Markdown rendered, HTML sanitised, text extracted for search."""

import pytest

from content.markup import html_to_text, render_body


def test_markdown_renders() -> None:
    html = render_body(
        "## სათაური\n\n* **ერთი**\n* [ბმული](https://migration.commission.ge/)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h2>სათაური</h2>" in html
    assert "<strong>ერთი</strong>" in html
    assert '<a href="https://migration.commission.ge/" rel="noopener noreferrer">ბმული</a>' in html
    assert "<table>" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<svg onload="alert(1)"></svg>',
        '<iframe src="https://evil.example"></iframe>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<object data=x></object><embed src=x>",
        "<form action=https://evil.example><input name=a></form>",
        "[x](javascript:alert(1))",
        "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    ],
)
def test_nothing_executable_survives(hostile: str) -> None:
    html = render_body(hostile).lower()
    for marker in ("<script", "onerror", "onload", 'href="javascript', 'href="data:', "<iframe", "style=", "<object",
                   "<embed", "<form", "<svg", "xlink:href"):  # fmt: skip
        assert marker not in html, (hostile, html)


def test_text_for_search() -> None:
    assert html_to_text("<p>სხდომა &amp; <b>შეხვედრა</b></p>\n<p>two</p>") == "სხდომა & შეხვედრა two"
