"""The bounded answer memory: least recently used first out, within its byte budget."""

from service.answer_memory import ENTRY_OVERHEAD, AnswerMemory


def memory(budget: int) -> AnswerMemory[bytes]:
    return AnswerMemory(budget, len, lambda body: f'"{len(body)}-{body[:4].hex()}"')


def test_a_stream_of_distinct_keys_stays_within_the_budget_and_keeps_what_is_used() -> None:
    kept = memory(100 * (1000 + ENTRY_OVERHEAD))
    kept.put("hot", b"h" * 1000)
    for number in range(10_000):
        kept.put(("stream", number), b"s" * 1000)
        if number % 50 == 0:
            assert kept.get("hot") == b"h" * 1000  # a hot answer is used now and then: it stays
        assert kept.used <= kept.budget
    assert len(kept) == 100
    assert kept.get(("stream", 0)) is None  # the cold ones went
    assert kept.get(("stream", 9_999)) is not None


def test_an_evicted_answer_leaves_its_etag_behind() -> None:
    kept = memory(2 * (10_000 + ENTRY_OVERHEAD))
    for name in "abc":
        kept.put(name, name.encode() * 10_000)
    assert kept.get("a") is None
    assert kept.etag("a") == f'"10000-{(b"a" * 4).hex()}"'
    kept.clear()
    assert kept.etag("a") is None and len(kept) == 0


def test_an_answer_larger_than_the_budget_is_not_kept_and_evicts_nothing() -> None:
    kept = memory(1000 + ENTRY_OVERHEAD)
    kept.put("small", b"x" * 10)
    assert kept.put("huge", b"y" * 5000) is False
    assert kept.get("small") == b"x" * 10
    assert kept.etag("huge") is not None
