"""The embargo as the press reads it, in Georgian and English: until when, on Tbilisi's clock and UTC."""

from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

TBILISI: Final = ZoneInfo("Asia/Tbilisi")
# The genitive, as in "18 დეკემბრის 10:00-მდე" (the glossary's wording of an embargo).
MONTHS_OF: Final = (
    "იანვრის", "თებერვლის", "მარტის", "აპრილის", "მაისის", "ივნისის",
    "ივლისის", "აგვისტოს", "სექტემბრის", "ოქტომბრის", "ნოემბრის", "დეკემბრის",
)  # fmt: skip
MONTHS_EN: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _ka(moment: datetime) -> str:
    return f"{moment.year} წლის {moment.day} {MONTHS_OF[moment.month - 1]} {moment:%H:%M}"


def _en(moment: datetime) -> str:
    return f"{moment.day} {MONTHS_EN[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def embargo_line(until: datetime, lang: str) -> str:
    """ "Embargoed until 18 December 2026, 10:00 Tbilisi time (18 December 2026, 06:00 UTC)"."""
    local, utc = until.astimezone(TBILISI), until.astimezone(UTC)
    if lang == "en":
        return f"Embargoed until {_en(local)} Tbilisi time ({_en(utc)} UTC)"
    return f"ემბარგო მოქმედებს {_ka(local)}-მდე თბილისის დროით ({_ka(utc)} UTC)"
