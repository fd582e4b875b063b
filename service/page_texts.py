"""Texts of the sign-up, confirmation and leaving pages, in Georgian and English (with the error messages)."""

from typing import Final

from content.institution import secretariat

SIGN_UP_TEXTS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "signup_title": "საინფორმაციო ბიულეტენების გამოწერა",
        "signup_list_title": "გამოწერა: {list}",
        "signup_intro": "აირჩიეთ სიები და შეიყვანეთ ელფოსტის მისამართი. "
        "დასადასტურებელ ბმულს წერილით გამოგიგზავნით.",
        "signup_one_intro": "შეიყვანეთ ელფოსტის მისამართი. დასადასტურებელ ბმულს წერილით გამოგიგზავნით.",
        "no_lists": "ამჟამად გამოსაწერი სია არ არის.",
        "email_label": "ელფოსტის მისამართი",
        "email_hint": "ამ მისამართზე გამოგიგზავნით დასადასტურებელ ბმულს.",
        "name_label": "სახელი (არასავალდებულო)",
        "organisation_label": "ორგანიზაცია (არასავალდებულო)",
        "lists_question": "რომელი სიების მიღება გსურთ?",
        "consent_legend": "თანხმობა",
        "subscribe_button": "გამოწერა",
        "honeypot_label": "ეს ველი დატოვეთ ცარიელი",
        "all_lists_link": "ყველა სია",
        "other_language": "English",
        "error_prefix": "შეცდომა:",
        "error_summary_title": "წარმოიშვა პრობლემა",
        "err_email_missing": "შეიყვანეთ ელფოსტის მისამართი",
        "err_email_invalid": "შეიყვანეთ ელფოსტის მისამართი სწორი ფორმატით, მაგალითად name@example.org",
        "err_lists": "აირჩიეთ ერთი სია მაინც",
        "err_consent": "მონიშნეთ თანხმობის ველი, რომ მიიღოთ საინფორმაციო ბიულეტენები",
        "err_name_long": "სახელი უნდა შედგებოდეს არაუმეტეს 200 სიმბოლოსგან",
        "err_organisation_long": "ორგანიზაციის სახელი უნდა შედგებოდეს არაუმეტეს 300 სიმბოლოსგან",
        "err_resend": "გადაამოწმეთ მონაცემები და ფორმა ხელახლა გაგზავნეთ",
        "err_rate_title": "ძალიან ბევრი მოთხოვნა",
        "err_rate": "ამ მისამართიდან ძალიან ბევრი გამოწერა გაიგზავნა. სცადეთ {minutes} წუთში.",
        "not_found_title": "გვერდი ვერ მოიძებნა",
        "not_found_list": "ასეთი სია არ არსებობს.",
        "check_mail_title": "შეამოწმეთ ელფოსტა",
        "check_mail_body": "თუ ეს მისამართი წერილებს იღებს, "
        "მასზე უკვე იგზავნება წერილი დასადასტურებელი ბმულით. "
        "გახსენით ბმული და გამოწერა დაადასტურეთ გვერდზე არსებული ღილაკით. ბმული 7 დღე მოქმედებს.",
        "check_mail_ignore": "თუ წერილი არ მოვიდა, შეამოწმეთ სპამის საქაღალდე.",
        "confirm_title": "დაადასტურეთ გამოწერა",
        "confirm_body": "დააჭირეთ ღილაკს და დაადასტურეთ, "
        "რომ მისამართზე {address} გსურთ შემდეგი სიების მიღება:",
        "confirm_button": "გამოწერის დადასტურება",
        "already_confirmed": "ეს გამოწერა უკვე დადასტურებულია.",
        "withdrawn": "ეს გამოწერა გაუქმებულია: სიებში დასაბრუნებლად ხელახლა გამოიწერეთ.",
        "whose": "გამოწერის მისამართი: {address}",
        "campaign_lists": "ეს საინფორმაციო ბიულეტენი გამოიგზავნა შემდეგი სიებით:",
        "leave_campaign_button": "ამ სიებიდან გასვლა",
        "leave_all_body": "ან დატოვეთ ყველა სია და აღარ მიიღებთ ჩვენს საინფორმაციო ბიულეტენებს.",
        "leave_all_button": "ყველა სიიდან გასვლა",
        "left_title": "სიები დატოვეთ",
        "left_body": "აღარ მიიღებთ ამ სიების საინფორმაციო ბიულეტენებს: {lists}.",
        "left_none": "ამ სიებში უკვე აღარ ხართ.",
        "still_on": "კვლავ მიიღებთ: {lists}.",
        "signup_again": "გადაიფიქრეთ? გამოიწერეთ ხელახლა",
        "unsubscribe_link": "გამოწერის გაუქმება",
    },
    "en": {
        "signup_title": "Subscribe to our newsletters",
        "signup_list_title": "Subscribe: {list}",
        "signup_intro": "Choose the lists you want and enter your email address. "
        "We will mail you a link to confirm.",
        "signup_one_intro": "Enter your email address. We will mail you a link to confirm.",
        "no_lists": "There are no lists to subscribe to at the moment.",
        "email_label": "Email address",
        "email_hint": "We will send a confirmation link to this address.",
        "name_label": "Name (optional)",
        "organisation_label": "Organisation (optional)",
        "lists_question": "Which lists do you want to receive?",
        "consent_legend": "Consent",
        "subscribe_button": "Subscribe",
        "honeypot_label": "Leave this field empty",
        "all_lists_link": "All lists",
        "other_language": "ქართული",
        "error_prefix": "Error:",
        "error_summary_title": "There is a problem",
        "err_email_missing": "Enter your email address",
        "err_email_invalid": "Enter an email address in the correct format, like name@example.org",
        "err_lists": "Choose at least one list",
        "err_consent": "Tick the consent box to receive the newsletters",
        "err_name_long": "Name must be 200 characters or fewer",
        "err_organisation_long": "Organisation must be 300 characters or fewer",
        "err_resend": "Check your details and send the form again",
        "err_rate_title": "Too many requests",
        "err_rate": "Too many sign-ups came from this address. Try again in {minutes} minutes.",
        "not_found_title": "Page not found",
        "not_found_list": "There is no such list.",
        "check_mail_title": "Check your email",
        "check_mail_body": "If this address can receive mail, "
        "a message with a confirmation link is on its way. "
        "Open the link and confirm with the button on that page. The link works for 7 days.",
        "check_mail_ignore": "If no message arrives, look in your spam folder.",
        "confirm_title": "Confirm your subscription",
        "confirm_body": "Press the button to confirm that {address} should receive these lists:",
        "confirm_button": "Confirm subscription",
        "already_confirmed": "This subscription is already confirmed.",
        "withdrawn": "This subscription was cancelled: to join lists again, subscribe again.",
        "whose": "Subscription of {address}",
        "campaign_lists": "This newsletter was sent to these lists:",
        "leave_campaign_button": "Leave these lists",
        "leave_all_body": "Or leave every list and receive no more of our newsletters.",
        "leave_all_button": "Leave every list",
        "left_title": "You left these lists",
        "left_body": "You will no longer receive the newsletters of: {lists}.",
        "left_none": "You are no longer on these lists.",
        "still_on": "You still receive: {lists}.",
        "signup_again": "Changed your mind? Subscribe again",
        "unsubscribe_link": "Unsubscribe",
    },
}
for _lang, _texts in SIGN_UP_TEXTS.items():
    _texts["site"] = secretariat(_lang)


def sign_up_text(lang: str, key: str, **values: str) -> str:
    """One text of these pages in `lang` (Georgian for a language we do not speak), filled in."""
    text = SIGN_UP_TEXTS.get(lang, SIGN_UP_TEXTS["ka"])[key]
    return text.format(**values) if values else text
