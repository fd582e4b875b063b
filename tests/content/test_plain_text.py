"""Markdown as plain text: no marks left, links kept as addresses, lists and paragraphs apart."""

from content.plain_text import markdown_line, markdown_to_text

SOURCE = (
    "The **Commission** met; see [the decision](https://migration.commission.ge/d/1) and _its_ annex.\n\n"
    "- first point\n- second **point**\n\n"
    "Write to <press@migration.commission.ge> or <https://migration.commission.ge>."
)


def test_marks_are_gone_and_links_keep_their_address() -> None:
    text = markdown_to_text(SOURCE)
    assert text == (
        "The Commission met; see the decision (https://migration.commission.ge/d/1) and its annex.\n\n"
        "- first point\n- second point\n\n"
        "Write to press@migration.commission.ge or https://migration.commission.ge."
    )


def test_wrapping_keeps_words_and_addresses_whole() -> None:
    text = markdown_to_text(SOURCE, width=30)
    assert all(len(line) <= 30 or "https://" in line for line in text.splitlines())
    assert "https://migration.commission.ge/d/1" in text


def test_one_line_for_previews() -> None:
    assert markdown_line("**გამარჯობა**, [მსოფლიო](https://x.ge)!\n\nმეორე") == "გამარჯობა, მსოფლიო! მეორე"
    assert markdown_line("   ") == ""


def test_raw_html_is_sanitised_not_shown() -> None:
    assert markdown_to_text("<script>alert(1)</script>Hello <b>there</b>") == "Hello there"


def test_a_loose_list_gives_each_item_once() -> None:
    assert markdown_to_text("- one\n\n- two\n") == "- one\n- two"
