"""The words of the reading pages and the newsletter archive, in Georgian and English, and their dates."""

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from content.institution import SECRETARIAT
from content.kinds import DEFAULT_TIMEZONE

READER_TIMEZONE: Final = ZoneInfo(DEFAULT_TIMEZONE)
LOCALES: Final = {"ka": "ka_GE", "en": "en_GB"}

TEXTS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "site": SECRETARIAT["ka"],
        "skip": "მთავარ შინაარსზე გადასვლა",
        "published": "გამოქვეყნდა",
        "updated": "განახლდა",
        "topics": "თემები",
        "attachments": "დანართები",
        "event": "ღონისძიება",
        "when": "დრო",
        "where": "ადგილი",
        "online": "ონლაინ",
        "register": "რეგისტრაცია",
        "cancelled": "ღონისძიება გაუქმებულია.",
        "deadline": "ბოლო ვადა",
        "more": "დეტალურად",
        "read_in": "წაიკითხეთ ქართულად",
        "feeds": "სიახლეების არხი (RSS)",
        "signup": "საინფორმაციო ბიულეტენის გამოწერა",
        "archive": "საინფორმაციო ბიულეტენების არქივი",
        "archive_empty": "ჯერ არცერთი საინფორმაციო ბიულეტენი არ გაგზავნილა.",
        "newsletter_frame": "საინფორმაციო ბიულეტენი ისე, როგორც ფოსტით გაიგზავნა",
        "open_mail": "ბიულეტენის ცალკე გახსნა",
        "archive_back": "ყველა საინფორმაციო ბიულეტენი",
        "sent": "გაიგზავნა",
        "not_found_title": "გვერდი ვერ მოიძებნა",
        "not_found_body": "ამ მისამართზე გვერდი არ არის: შესაძლოა, ის წაიშალა ან ჯერ არ გამოქვეყნებულა.",
        "error_title": "შეცდომა",
        "error_body": "გვერდის ჩვენება ვერ მოხერხდა. სცადეთ მოგვიანებით.",
        "unavailable_body": "სერვისი დროებით მიუწვდომელია. სცადეთ რამდენიმე წუთში.",
        "file": "ფაილი",
        "press_note": "მასალა გაზიარებულია პირადად თქვენთვის, გამოქვეყნებამდე. გთხოვთ, ემბარგოს მოხსნამდე"
        " არ გამოაქვეყნოთ ის ან მისი ნაწილი და არ გადაუგზავნოთ ეს ბმული სხვას.",
        "press_withdrawn_title": "ბმული გაუქმებულია",
        "press_withdrawn_body": "ამ მასალაზე წვდომა გაუქმდა. თუ ეს შეცდომაა, დაუკავშირდით სამდივნოს.",
    },
    "en": {
        "site": SECRETARIAT["en"],
        "skip": "Skip to main content",
        "published": "Published",
        "updated": "Updated",
        "topics": "Topics",
        "attachments": "Attachments",
        "event": "Event",
        "when": "When",
        "where": "Where",
        "online": "Online",
        "register": "Registration",
        "cancelled": "This event is cancelled.",
        "deadline": "Deadline",
        "more": "Details",
        "read_in": "Read in English",
        "feeds": "News feed (RSS)",
        "signup": "Subscribe to the newsletter",
        "archive": "Newsletter archive",
        "archive_empty": "No newsletter has been sent yet.",
        "newsletter_frame": "The newsletter as it was mailed",
        "open_mail": "Open the newsletter on its own",
        "archive_back": "All newsletters",
        "sent": "Sent",
        "not_found_title": "Page not found",
        "not_found_body": "There is no page at this address: it may have been removed, or not published yet.",
        "error_title": "Something went wrong",
        "error_body": "The page could not be shown. Please try again later.",
        "unavailable_body": "The service is unavailable for a moment. Please try again in a few minutes.",
        "file": "File",
        "press_note": "Shared with you personally, ahead of publication. Please do not publish it, or any"
        " part of it, before the embargo lifts, and do not forward this link.",
        "press_withdrawn_title": "This link was withdrawn",
        "press_withdrawn_body": "Access to this material was withdrawn. If you think this is a mistake,"
        " please contact the Secretariat.",
    },
}
# One kind's name, as a reader sees it above an entry (the glossary's words).
KIND_NAMES: Final[dict[str, dict[str, str]]] = {
    "ka": {"news": "სიახლე", "events": "ღონისძიება", "announcements": "განცხადება", "materials": "მასალა"},
    "en": {"news": "News", "events": "Event", "announcements": "Announcement", "materials": "Material"},
}
MONTHS: Final[dict[str, tuple[str, ...]]] = {
    "ka": (
        "იანვარი", "თებერვალი", "მარტი", "აპრილი", "მაისი", "ივნისი",
        "ივლისი", "აგვისტო", "სექტემბერი", "ოქტომბერი", "ნოემბერი", "დეკემბერი",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def texts(lang: str) -> dict[str, str]:
    """The page words in `lang` (Georgian for a language we do not speak)."""
    return TEXTS.get(lang, TEXTS["ka"])


def local_time(moment: datetime, timezone: str | None = None) -> datetime:
    """A moment on the clock of `timezone` (Tbilisi's unless an event names its own)."""
    try:
        zone = ZoneInfo(timezone) if timezone else READER_TIMEZONE
    except (ValueError, KeyError):  # a zone name tzdata does not know: show Tbilisi's clock
        zone = READER_TIMEZONE
    return moment.astimezone(zone)


def format_date(moment: datetime, lang: str, *, with_time: bool = False, timezone: str | None = None) -> str:
    """A day (and time) as a reader writes it: `18 დეკემბერი 2026, 10:00` or `18 December 2026, 10:00`."""
    local = local_time(moment, timezone)
    months = MONTHS.get(lang, MONTHS["ka"])
    day = f"{local.day} {months[local.month - 1]} {local.year}"
    return f"{day}, {local:%H:%M}" if with_time else day
