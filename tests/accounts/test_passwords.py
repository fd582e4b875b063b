"""Password rules and Argon2id hashing."""

import pytest

from accounts.passwords import (
    DUMMY_HASH,
    PasswordRefused,
    check_new_password,
    hash_password,
    needs_rehash,
    password_matches,
)

GOOD = "ნისლიანი-მთა-და-მდინარე-2026"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pass1", "short"),
        ("x" * 257, "long"),
        ("password1234", "common"),
        ("qwertyuiop123", "common"),
        ("aaaaaaaaaaaa", "guessable"),
        ("nino.beridze2026", "guessable"),  # the person's own address
    ],
)
def test_weak_passwords_are_refused_with_their_reason(password: str, reason: str) -> None:
    with pytest.raises(PasswordRefused) as refused:
        check_new_password(password, email="nino.beridze@migration.commission.ge", name="Nino Beridze")
    assert refused.value.reason == reason
    assert refused.value.field == "password"


def test_a_long_phrase_is_accepted() -> None:
    check_new_password(GOOD, email="nino@example.org")
    check_new_password("correct horse battery staple", email="nino@example.org")


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first, second = hash_password(GOOD), hash_password(GOOD)
    assert first.startswith("$argon2id$")
    assert first != second  # salted
    assert password_matches(first, GOOD)
    assert not password_matches(first, GOOD + "x")
    assert not password_matches("", GOOD)
    assert not password_matches("not a hash", GOOD)


def test_the_stand_in_for_a_missing_account_costs_what_a_real_hash_costs() -> None:
    # Sign-in verifies against DUMMY_HASH when no account matches; with weaker parameters than a real
    # hash, the answer's speed would tell an attacker which addresses have accounts.
    assert not needs_rehash(DUMMY_HASH)
    assert DUMMY_HASH.split("$")[3] == hash_password(GOOD).split("$")[3]
    assert not password_matches(DUMMY_HASH, GOOD)
