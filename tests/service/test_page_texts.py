"""The public pages' text tables: merged into one for each page, so no key may mean two things."""

from service.page_texts import SIGN_UP_TEXTS
from service.pages import TEXTS
from service.registration_texts import REGISTRATION_TEXTS


def test_a_key_the_merged_tables_share_means_the_same_in_each() -> None:
    for lang in ("ka", "en"):
        tables = {
            "pages": TEXTS[lang],
            "sign-up": SIGN_UP_TEXTS[lang],
            "registration": REGISTRATION_TEXTS[lang],
        }
        names = list(tables)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                shared = set(tables[first]) & set(tables[second])
                same = {key for key in shared if tables[first][key] == tables[second][key]}
                assert shared == same, (lang, first, second, sorted(shared - same))


def test_the_sign_up_page_keeps_its_own_labels() -> None:
    merged = TEXTS["en"] | SIGN_UP_TEXTS["en"] | REGISTRATION_TEXTS["en"]
    assert merged["confirm_button"] == "Confirm subscription"
    assert merged["name_label"] == "Name (optional)"
