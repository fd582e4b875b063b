"""The fast paths for plain addresses give exactly what the general validators give, on a wide corpus."""

import random
from collections.abc import Callable

from core.errors import Invalid
from newsletters.addresses import normalise_address, validated_address
from newsletters.mime import PLAIN_ADDRESS, checked_address, parsed_address

LOCALS = [
    "person", "Person.Name", "a", "first.last+tag", "x_y-z", "o'brien", "under_score", "100%", "a..b",
    ".lead", "trail.", "with space", '"quoted"', "ნინო", "Ünïcode", "semi;colon", "comma,", "tab\t",
    "x" * 64, "x" * 65, "a{b}", "a/b=c", "#hash", "UPPER", "dot.dot.dot", "-", "+", "mixed.Case-9",
]  # fmt: skip
DOMAINS = [
    "example.ge", "Example.GE", "mail.example.org", "gmail.com", "test", "localhost", "a.123", "-a.ge",
    "a-.ge", "xn--80ak6aa92e.com", "ნიმუში.გე", "bücher.de", "sub_domain.org", "example.test", "example.invalid",
    "x.onion", "1.2.3.4", "[127.0.0.1]", "a" * 63 + ".com", "a" * 64 + ".com", "example..com", ".example.com",
    "example.com.", "ex ample.com", "EXAMPLE.COM", "co.uk", "a.b.c.d.e.f.ge", ("b" * 60 + ".") * 4 + "ge",
]  # fmt: skip


def corpus() -> list[str]:
    """Every pairing of the parts above, with spaces, doubled @ and a seeded random sample of noise."""
    pairs = [f"{local}@{domain}" for local in LOCALS for domain in DOMAINS]
    generator = random.Random(9)  # seeded: the same corpus every run
    alphabet = "abcXYZ019.-_+@'\" ;,<>ნü\r\n"
    noise = ["".join(generator.choices(alphabet, k=generator.randint(1, 30))) for _ in range(2000)]
    return [
        *pairs,
        *(f"  {pair} " for pair in pairs[:50]),
        "a@b@example.ge",
        "",
        "@",
        "x@",
        "@example.ge",
        *noise,
    ]


def outcome(check: Callable[[str], str], address: str) -> tuple[str, str]:
    try:
        return ("ok", check(address))
    except Invalid as error:
        return ("refused", error.detail)


def test_import_normal_form_is_email_validators() -> None:
    differ = [a for a in corpus() if outcome(normalise_address, a) != outcome(validated_address, a)]
    assert differ == []


def test_the_import_fast_path_covers_the_common_addresses() -> None:
    # Not a timing: the corpus above would pass trivially if nothing took the fast path.
    assert normalise_address("Person.Name@Example.GE") == "person.name@example.ge"


def test_header_check_is_the_header_parsers() -> None:
    differ = [a for a in corpus() if outcome(checked_address, a) != outcome(parsed_address, a)]
    assert differ == []


def test_plain_addresses_take_the_header_fast_path() -> None:
    plain = [address for address in corpus() if PLAIN_ADDRESS.fullmatch(address.strip())]
    assert len(plain) > 100
    assert all(parsed_address(address.strip()) == address.strip() for address in plain)
