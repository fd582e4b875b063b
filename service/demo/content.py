"""The demo's texts in Georgian and English, written from the secretariat's public facts."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

from content.schemas import RegistrationIn

TOPICS: Final[list[tuple[str, str, str]]] = [
    ("georgia-eu", "საქართველო და ევროკავშირი", "Georgia and the EU"),
    ("emigration", "ემიგრაცია", "Emigration"),
    ("immigration", "იმიგრაცია", "Immigration"),
    ("voluntary-return", "ნებაყოფლობითი დაბრუნება", "Voluntary return"),
    ("reintegration", "რეინტეგრაცია", "Reintegration"),
    ("refugees-asylum", "ლტოლვილები და თავშესაფარი", "Refugees and asylum"),
    ("integration", "უცხოელთა ინტეგრაცია", "Integration of foreigners"),
    ("migration-data", "მიგრაციის მონაცემები და რისკების ანალიზი", "Migration data and risk analysis"),
]

LISTS: Final[list[dict[str, Any]]] = [
    {
        "slug": "press",
        "name": {"ka": "პრესა", "en": "Press"},
        "description": {
            "ka": "პრესრელიზები და კომისიის სხდომების შედეგები ჟურნალისტებისთვის.",
            "en": "Press releases and the outcomes of the Commission's sittings, for journalists.",
        },
    },
    {
        "slug": "partners",
        "name": {"ka": "პარტნიორები", "en": "Partners"},
        "description": {
            "ka": "სიახლეები საკონსულტაციო სტატუსის მქონე საერთაშორისო და არასამთავრობო ორგანიზაციებისთვის.",
            "en": "News for the international and non-governmental organisations with consultative status.",
        },
    },
]


@dataclass(frozen=True)
class DemoImage:
    """A picture the demo draws with Pillow: a title on a coloured ground."""

    name: str
    caption: tuple[str, str]
    colour: tuple[int, int, int]
    label: str


@dataclass(frozen=True)
class DemoEntry:
    """One entry of the demo: its kind, texts per language, kind fields and media."""

    kind: str
    ka: dict[str, str]
    en: dict[str, str]
    topics: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    # Offsets from the day the demo is loaded, so events stay upcoming (Asia/Tbilisi wall time).
    starts_in: timedelta | None = None
    ends_in: timedelta | None = None
    deadline_in: timedelta | None = None
    cover: DemoImage | None = None
    attachments: list[DemoImage] = field(default_factory=list)
    report_pdf: bool = False


SITTING = DemoImage("sitting.jpg", ("კომისიის სხდომა", "A sitting of the Commission"), (31, 78, 121), "SCMI")
REPORT_COVER = DemoImage(
    "report-cover.png", ("ანგარიშის ყდა", "The report's cover"), (0, 94, 84), "Migration Strategy 2021-2030"
)
PHOTOS: Final = [
    DemoImage("photo-1.jpg", ("სხდომის დაწყება", "The sitting opens"), (120, 40, 60), "Sitting 1/3"),
    DemoImage("photo-2.jpg", ("დისკუსია", "Discussion"), (70, 90, 30), "Sitting 2/3"),
    DemoImage("photo-3.jpg", ("გადაწყვეტილების მიღება", "The decision"), (40, 40, 110), "Sitting 3/3"),
]

SECRETARIAT_KA = """მიგრაციის საკითხთა სამთავრობო კომისია 2010 წლის 13 ოქტომბერს შეიქმნა, რათა სხვადასხვა
უწყებაში გადანაწილებული მიგრაციის მართვის კომპეტენციები ერთ სივრცეში შეთანხმებულიყო. კომისიას
ანალიტიკურ და ადმინისტრაციულ დახმარებას უწევს სამდივნო, რომელიც ევროკავშირის მხარდაჭერით
იუსტიციის სამინისტროს სახელმწიფო სერვისების განვითარების სააგენტოში ფუნქციონირებს.

## ამოცანები

- კომისიის საქმიანობის ხელშეწყობა;
- ანალიტიკური, ორგანიზაციული და ტექნიკური მხარდაჭერა;
- მიგრაციის სტრატეგიით განსაზღვრული ამოცანების კოორდინაცია და მონიტორინგი.

## ფუნქციები

- კომისიის სხდომებისა და კონფერენციების მომზადება;
- თანამშრომლობა მიგრაციის მართვაში ჩართულ უწყებებთან და ორგანიზაციებთან;
- სტრატეგიის სამოქმედო გეგმის მონიტორინგი და ანგარიშგება კომისიის წინაშე;
- სტრატეგიაში ცვლილებების მომზადება და დასაბუთება;
- საპროექტო კონკურსების იდეების შემუშავება;
- საინფორმაციო მასალების მომზადება, მედიასთან ურთიერთობა და ვებგვერდის წარმოება.
"""

SECRETARIAT_EN = """The State Commission on Migration Issues was founded on 13 October 2010 to bring together
the migration responsibilities spread across many government agencies. A secretariat, set up with
the European Union's support inside the Public Service Development Agency of the Ministry of
Justice, gives the Commission analytical and administrative help.

## Tasks

- help the Commission do its work;
- give it analytical, organisational and technical support;
- coordinate and monitor what the Migration Strategy sets out.

## Functions

- prepare the Commission's sittings and conferences;
- work with the agencies and organisations that manage migration;
- monitor the Strategy's action plan and report on it to the Commission;
- draft and justify changes to the Strategy;
- develop ideas for calls for migration projects;
- write information material, answer the media and run the Commission's website.
"""

ENTRIES: Final[list[DemoEntry]] = [
    DemoEntry(
        kind="materials",
        ka={
            "title": "სამდივნოს ამოცანები და ფუნქციები",
            "summary": "რას აკეთებს მიგრაციის საკითხთა სამთავრობო კომისიის სამდივნო.",
            "body": SECRETARIAT_KA,
        },
        en={
            "title": "Tasks and functions of the Secretariat",
            "summary": "What the Secretariat of the State Commission on Migration Issues does.",
            "body": SECRETARIAT_EN,
        },
        topics=["georgia-eu"],
        fields={"material_type": "publication"},
    ),
    DemoEntry(
        kind="news",
        ka={
            "title": "კომისიის 32-ე სხდომაზე 2024 წლის სამოქმედო გეგმა დამტკიცდა",
            "summary": "სხდომამ მიგრაციის 2021-2030 წლების სტრატეგიის მორიგი სამოქმედო გეგმა მიიღო.",
            "body": "მიგრაციის საკითხთა სამთავრობო კომისიის **32-ე სხდომაზე** წევრმა უწყებებმა "
            "განიხილეს და დაამტკიცეს 2024 წლის სამოქმედო გეგმა. სხდომას იუსტიციის სამინისტრო "
            "თავმჯდომარეობდა.",
        },
        en={
            "title": "The Commission's 32nd sitting adopts the 2024 Action Plan",
            "summary": "The sitting adopted the next action plan of the 2021-2030 Migration Strategy.",
            "body": "At its **32nd sitting** the member agencies of the State Commission on Migration "
            "Issues discussed and adopted the 2024 Action Plan. The Ministry of Justice chaired.",
        },
        topics=["georgia-eu", "emigration"],
        cover=SITTING,
    ),
    DemoEntry(
        kind="news",
        ka={
            "title": "კომისიამ მიგრაციის ახალი პროფილი მიიღო",
            "summary": "ყოველწლიური დოკუმენტი მიგრაციის ტენდენციებს აჯამებს.",
            "body": "მიგრაციის პროფილი აერთიანებს ემიგრაციის, იმიგრაციისა და დაბრუნების მონაცემებს "
            "და პოლიტიკის დაგეგმვას ემსახურება.",
        },
        en={
            "title": "The Commission adopts the new Migration Profile",
            "summary": "The yearly document sums up migration trends.",
            "body": "The Migration Profile brings together data on emigration, immigration and return "
            "and informs policy planning.",
        },
        topics=["migration-data", "immigration"],
    ),
    DemoEntry(
        kind="news",
        ka={
            "title": "მიგრანტთა საერთაშორისო დღე — 18 დეკემბერი",
            "summary": "სამდივნო მიგრანტთა საერთაშორისო დღეს საინფორმაციო შეხვედრებით აღნიშნავს.",
            "body": "სტუდენტებთან და პარტნიორ ორგანიზაციებთან შეხვედრებზე ვისაუბრებთ ლეგალურ "
            "მიგრაციასა და ნებაყოფლობით დაბრუნებაზე.",
        },
        en={
            "title": "International Migrants Day, 18 December",
            "summary": "The Secretariat marks International Migrants Day with information meetings.",
            "body": "Meetings with students and partner organisations will cover legal migration and "
            "voluntary return.",
        },
        topics=["voluntary-return", "reintegration"],
    ),
    DemoEntry(
        kind="news",
        ka={
            "title": "საქართველო ევროპის მიგრაციის ქსელის დამკვირვებელია",
            "summary": "2021 წლის მარტიდან სამდივნო ქსელის ეროვნული საკონტაქტო პუნქტია.",
            "body": "ევროპის მიგრაციის ქსელში (EMN) მონაწილეობა ევროპულ პარტნიორებთან მონაცემებისა "
            "და გამოცდილების გაზიარების შესაძლებლობას იძლევა.",
        },
        en={
            "title": "Georgia observes the European Migration Network",
            "summary": "Since March 2021 the Secretariat has been the network's national contact point.",
            "body": "Taking part in the European Migration Network (EMN) lets Georgia share data and "
            "experience with its European partners.",
        },
        topics=["georgia-eu"],
    ),
    DemoEntry(
        kind="news",
        ka={
            "title": "მიგრაციის კვლევების კვირეული უნივერსიტეტებში",
            "summary": "ლექციები და დისკუსიები თავშესაფრისა და ინტეგრაციის საკითხებზე.",
            "body": "კვირეულის ფარგლებში სტუდენტები ლტოლვილთა და თავშესაფრის მაძიებელთა "
            "უფლებებს და უცხოელთა ინტეგრაციის პოლიტიკას გაეცნობიან.",
        },
        en={
            "title": "Migration Studies week at universities",
            "summary": "Lectures and discussions on asylum and integration.",
            "body": "During the week students learn about the rights of refugees and asylum seekers and "
            "about the policy on integrating foreigners.",
        },
        topics=["refugees-asylum", "integration"],
    ),
    DemoEntry(
        kind="events",
        ka={
            "title": "მიგრაციის საკითხთა სამთავრობო კომისიის მორიგი სხდომა",
            "summary": "სხდომა სტრატეგიის სამოქმედო გეგმის შესრულებას განიხილავს.",
            "body": "დღის წესრიგში: სამოქმედო გეგმის მონიტორინგის ანგარიში და ახალი პროექტები.",
            "location": "თბილისი, იუსტიციის სახლი",
        },
        en={
            "title": "Next sitting of the State Commission on Migration Issues",
            "summary": "The sitting reviews how the Strategy's action plan is being carried out.",
            "body": "On the agenda: the monitoring report on the action plan and new projects.",
            "location": "Public Service Hall, Tbilisi",
        },
        topics=["georgia-eu"],
        starts_in=timedelta(days=14, hours=11),
        ends_in=timedelta(days=14, hours=13),
        # Registration on the event's own page: 40 places, a waiting list, press accreditation.
        fields={"registration": RegistrationIn(open=True, capacity=40, waitlist=True, press=True)},
    ),
    DemoEntry(
        kind="events",
        ka={
            "title": "კონფერენცია: მიგრაციის მართვა და ევროკავშირი",
            "summary": "ევროკავშირთან და IOM-თან ერთად გამართული საერთაშორისო კონფერენცია.",
            "body": "კონფერენციაზე განიხილება ლეგალური მიგრაციის შესაძლებლობები და რეინტეგრაციის პროგრამები.",
            "location": "თბილისის სახელმწიფო უნივერსიტეტი",
        },
        en={
            "title": "Conference: migration management and the EU",
            "summary": "An international conference held with the EU and IOM.",
            "body": "The conference discusses legal migration pathways and reintegration programmes.",
            "location": "Tbilisi State University",
        },
        topics=["georgia-eu", "reintegration"],
        starts_in=timedelta(days=30, hours=10),
        ends_in=timedelta(days=30, hours=17),
        fields={"registration_url": "https://migration.commission.ge/en/conference"},
    ),
    DemoEntry(
        kind="announcements",
        ka={
            "title": "საპროექტო იდეების კონკურსი მიგრაციის თემებზე",
            "summary": "სამდივნო იწვევს ორგანიზაციებს, წარმოადგინონ საპროექტო იდეები.",
            "body": "იდეები უნდა ეხებოდეს დაბრუნებულ მიგრანტთა რეინტეგრაციას ან ლეგალური მიგრაციის "
            "შესახებ ინფორმირებას.",
        },
        en={
            "title": "Call for project ideas on migration",
            "summary": "The Secretariat invites organisations to submit project ideas.",
            "body": "Ideas should address the reintegration of returning migrants or information on "
            "legal migration.",
        },
        topics=["reintegration", "voluntary-return"],
        deadline_in=timedelta(days=45, hours=18),
        fields={"external_url": "https://migration.commission.ge/en/calls"},
    ),
    DemoEntry(
        kind="materials",
        ka={
            "title": "მიგრაციის სტრატეგიის შესრულების ანგარიში",
            "summary": "წლიური ანგარიში სამოქმედო გეგმის შესრულების შესახებ.",
            "body": "ანგარიში აჯამებს უწყებების მიერ სამოქმედო გეგმის ღონისძიებების შესრულებას.",
        },
        en={
            "title": "Report on the implementation of the Migration Strategy",
            "summary": "The yearly report on how the action plan was carried out.",
            "body": "The report sums up how the agencies carried out the measures of the action plan.",
        },
        topics=["migration-data"],
        fields={"material_type": "report"},
        cover=REPORT_COVER,
        report_pdf=True,
    ),
    DemoEntry(
        kind="materials",
        ka={
            "title": "ფოტოები: კომისიის 32-ე სხდომა",
            "summary": "ფოტოები კომისიის 32-ე სხდომიდან.",
            "body": "სხდომა თბილისში გაიმართა.",
        },
        en={
            "title": "Photos: the Commission's 32nd sitting",
            "summary": "Photos from the Commission's 32nd sitting.",
            "body": "The sitting was held in Tbilisi.",
        },
        topics=["georgia-eu"],
        fields={"material_type": "photo_set"},
        cover=PHOTOS[0],
        attachments=PHOTOS,
    ),
]

# A draft newsletter of the demo's news, to the press and partners lists (editors review and send it).
CAMPAIGN_SLUG: Final = "demo-newsletter"
CAMPAIGN: Final[dict[str, Any]] = {
    "template": "newsletter",
    "subject": {
        "ka": "მიგრაციის საკითხთა სამთავრობო კომისია: თვის სიახლეები",
        "en": "State Commission on Migration Issues: news of the month",
    },
    "intro": {
        "ka": "გიზიარებთ კომისიის **ბოლო სიახლეებს**: სხდომის გადაწყვეტილებებს, "
        "მიგრაციის ახალ პროფილს და მომავალ ღონისძიებებს.",
        "en": "Here is the Commission's **latest news**: the decisions of its sitting, "
        "the new Migration Profile and the events ahead.",
    },
    "lists": ["press", "partners"],
}
