"""Slugs: the national romanisation table, hyphens, lengths."""

import pytest

from content.slugs import GEORGIAN_TO_LATIN, MAX_SLUG_LENGTH, romanise, slugify, with_suffix

# The table as the issue gives it, letter by letter, so a change to the code cannot pass unnoticed.
NATIONAL_TABLE = (
    "ა a, ბ b, გ g, დ d, ე e, ვ v, ზ z, თ t, ი i, კ k, ლ l, მ m, ნ n, ო o, პ p, ჟ zh, რ r, ს s, ტ t, "
    "უ u, ფ p, ქ k, ღ gh, ყ q, შ sh, ჩ ch, ც ts, ძ dz, წ ts, ჭ ch, ხ kh, ჯ j, ჰ h"
)


def test_table_is_the_national_one() -> None:
    expected = dict(pair.split(" ") for pair in NATIONAL_TABLE.split(", "))
    assert expected == GEORGIAN_TO_LATIN
    assert len(expected) == 33


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("მიგრაციის სახელმწიფო კომისია", "migratsiis-sakhelmtsipo-komisia"),
        ("ჟურნალისტების შეხვედრა ქუთაისში", "zhurnalistebis-shekhvedra-kutaisshi"),
        ("ღია კარის დღე — 18 დეკემბერი", "ghia-karis-dghe-18-dekemberi"),
        ("ᲡᲐᲥᲐᲠᲗᲕᲔᲚᲝ", "sakartvelo"),  # Mtavruli capitals
        ("Georgia & the EU: 2024 Action Plan", "georgia-the-eu-2024-action-plan"),
        ("Café résumé", "cafe-resume"),
        ("!!!", "entry"),
        ("中文", "entry"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_long_titles_are_cut_at_a_word() -> None:
    slug = slugify("სტრატეგია " * 30)
    assert len(slug) <= MAX_SLUG_LENGTH
    assert not slug.endswith("-")
    assert set(slug.split("-")) == {"strategia"}


def test_suffix_keeps_the_limit() -> None:
    long = "a" * MAX_SLUG_LENGTH
    assert with_suffix(long, 12).endswith("-12")
    assert len(with_suffix(long, 12)) == MAX_SLUG_LENGTH
    assert with_suffix("skhdoma", 2) == "skhdoma-2"


def test_romanise_keeps_other_text() -> None:
    assert romanise("ა-1 b") == "a-1 b"
