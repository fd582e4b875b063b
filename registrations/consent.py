"""The consent text a registrant agrees to, by version and language; recorded word for word."""

from typing import Final

CONSENT_VERSION: Final = "2026-12-02"
CONSENT_TEXTS: Final[dict[str, str]] = {
    "ka": "ვეთანხმები, რომ მიგრაციის საკითხთა სამთავრობო კომისიის სამდივნომ ჩემი სახელი, ელფოსტა, "
    "ორგანიზაცია და მედიასაშუალება გამოიყენოს მხოლოდ ამ ღონისძიებაზე რეგისტრაციისთვის და მასთან "
    "დაკავშირებული წერილებისთვის. მონაცემები წაიშლება ღონისძიების დასრულებიდან {days} დღეში.",
    "en": "I agree that the Secretariat of the State Commission on Migration Issues may use my name, mail "
    "address, organisation and outlet only for registration for this event and the mails about it. "
    "The data are erased {days} days after the event ends.",
}


def consent_text(lang: str, retention_days: int) -> str:
    """The exact text shown in `lang`, naming how long the data are kept."""
    return CONSENT_TEXTS.get(lang, CONSENT_TEXTS["ka"]).format(days=retention_days)
