"""The preheader: plain words, cut at a word, padded with invisible characters only."""

from newsletters.preheader import LENGTH, PADDING, preheader_html, preheader_text


def test_a_short_intro_is_kept_whole() -> None:
    assert preheader_text("The **latest** news.") == "The latest news."


def test_a_long_intro_is_cut_between_words() -> None:
    intro = "მიგრაციის საკითხთა სამთავრობო კომისიის სხდომა " * 10
    cut = preheader_text(intro)
    assert cut.endswith("…")
    assert len(cut) <= LENGTH + 1
    assert intro.startswith(cut.removesuffix("…"))
    assert intro[len(cut) - 1] == " "  # the next character is the space between two words


def test_the_html_is_escaped_and_padding_is_invisible() -> None:
    html = preheader_html("<b>bold</b> & more")
    assert html.startswith("bold &amp; more")
    assert set(str(PADDING)) == {"\u034f", "\u200c", "\u00a0"}
