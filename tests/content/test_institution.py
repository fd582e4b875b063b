"""The official names match the glossary word for word, in both languages."""

from pathlib import Path

from content.institution import COMMISSION, SECRETARIAT, commission, secretariat

# The workplace's reference folder sits beside the checkout; a clone elsewhere (CI) finds it at /work.
CANDIDATES = (
    Path(__file__).resolve().parents[3] / "shared" / "reference" / "glossary.md",
    Path("/work/shared/reference/glossary.md"),
)
GLOSSARY = next((path for path in CANDIDATES if path.exists()), CANDIDATES[-1])


def test_names_are_the_glossary_rows() -> None:
    rows = GLOSSARY.read_text(encoding="utf-8").splitlines()
    assert any(COMMISSION["en"] in row and COMMISSION["ka"] in row for row in rows)
    assert any(SECRETARIAT["en"] in row and SECRETARIAT["ka"] in row for row in rows)


def test_georgian_says_governmental_not_state() -> None:
    for name in (commission("ka"), secretariat("ka")):
        assert "სამთავრობო" in name and "სახელმწიფო" not in name


def test_unknown_language_falls_back_to_georgian() -> None:
    assert commission("fr") == COMMISSION["ka"]
    assert secretariat("en") == SECRETARIAT["en"]
