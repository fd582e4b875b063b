"""Search terms: Georgian inflections meet at one stem; no search operator gets through."""

import pytest

from content.search import fts5_query, query_terms, stem, tsquery


@pytest.mark.parametrize(
    "forms",
    [
        ["სხდომა", "სხდომაზე", "სხდომის", "სხდომას", "სხდომით", "სხდომაში"],
        ["სტრატეგია", "სტრატეგიის", "სტრატეგიაში", "სტრატეგიით"],
        ["კომისია", "კომისიის", "კომისიაზე"],
    ],
)
def test_georgian_forms_share_a_stem_that_prefixes_every_form(forms: list[str]) -> None:
    stems = {stem(form) for form in forms}
    assert len(stems) == 1
    (common,) = stems
    assert all(form.startswith(common) for form in forms)
    assert len(common) >= 3


def test_english_plural_and_singular_meet() -> None:
    assert stem("migrants") == stem("migrant")
    assert "strategies".startswith(stem("strategy")[:6])


def test_operators_are_dropped() -> None:
    terms = query_terms('"x" OR NEAR(a b) * - ^ : sitting* AND {}')
    assert all(term.isalnum() for term in terms)
    assert fts5_query(["abc", "დე"]) == '"abc"* AND "დე"*'
    assert tsquery(["abc", "დე"]) == "abc:* & დე:*"
    assert query_terms("   ") == []
