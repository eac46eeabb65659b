"""Document numbers without gaps or duplicates (DESIGN rule 8), e.g. CG-2026-000042."""

import threading

import pytest
from django.db import connection, transaction

from zhidu.core.models import DocumentSequence
from zhidu.core.numbering import next_number


class Rollback(Exception):
    pass


@pytest.mark.django_db
def test_numbers_follow_each_other_and_format():
    with transaction.atomic():
        assert next_number("CG", year=2026) == "CG-2026-000001"
        assert next_number("CG", year=2026) == "CG-2026-000002"
        assert next_number("BF", prefix="BF", width=4, year=2026) == "BF-2026-0001"


@pytest.mark.django_db
def test_year_rollover_restarts_the_series():
    with transaction.atomic():
        assert next_number("CG", year=2025) == "CG-2025-000001"
        assert next_number("CG", year=2025) == "CG-2025-000002"
        assert next_number("CG", year=2026) == "CG-2026-000001"
        assert next_number("CG", year=2025) == "CG-2025-000003"
    assert set(DocumentSequence.objects.values_list("key", "year", "last")) == {("CG", 2025, 3), ("CG", 2026, 1)}


@pytest.mark.django_db
def test_default_year_is_the_local_year():
    from django.utils import timezone

    with transaction.atomic():
        number = next_number("YR")
    assert number.startswith(f"YR-{timezone.localdate().year}-")


@pytest.mark.django_db
def test_rolled_back_document_gives_its_number_back():
    issued = []
    for attempt in range(6):
        try:
            with transaction.atomic():
                number = next_number("RB", year=2026)
                if attempt % 2 == 0:
                    raise Rollback
                issued.append(number)
        except Rollback:
            pass
    assert issued == ["RB-2026-000001", "RB-2026-000002", "RB-2026-000003"]


@pytest.mark.django_db(transaction=True)
def test_refused_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        next_number("CG", year=2026)


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocation_has_no_gaps_or_duplicates():
    """Threads (one connection each) allocate inside their own transactions at the same time;
    every third one rolls back. The committed numbers are exactly 1..n. PostgreSQL only: SQLite
    serialises writers with IMMEDIATE transactions (tested sequentially above)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency test runs on PostgreSQL (DATABASE_URL=postgresql://...)")
    threads_count, rounds = 6, 4
    barrier = threading.Barrier(threads_count)
    committed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            for round_no in range(rounds):
                try:
                    with transaction.atomic():
                        number = next_number("PAR", year=2026)
                        DocumentSequence.objects.filter(key="PAR").exists()  # some work while locked
                        if (index + round_no) % 3 == 0:
                            raise Rollback
                    with lock:
                        committed.append(int(number.rsplit("-", 1)[1]))
                except Rollback:
                    pass
        except BaseException as e:  # surfaced below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    expected_commits = sum(1 for i in range(threads_count) for r in range(rounds) if (i + r) % 3 != 0)
    assert len(committed) == expected_commits
    assert sorted(committed) == list(range(1, expected_commits + 1))
    assert DocumentSequence.objects.get(key="PAR", year=2026).last == expected_commits


@pytest.mark.django_db
def test_a_block_of_numbers_is_consecutive_and_the_series_continues_after_it():
    """Bulk imports take numbers in blocks (next_numbers): no gap, no overlap with next_number."""
    from zhidu.core.numbering import next_numbers

    with transaction.atomic():
        assert next_number("ZC", year=2026) == "ZC-2026-000001"
        assert next_numbers("ZC", 3, year=2026) == ["ZC-2026-000002", "ZC-2026-000003", "ZC-2026-000004"]
        assert next_numbers("ZC", 0, year=2026) == []
        assert next_number("ZC", year=2026) == "ZC-2026-000005"


@pytest.mark.django_db
def test_a_rolled_back_block_returns_its_numbers():
    from zhidu.core.numbering import next_numbers

    with pytest.raises(Rollback), transaction.atomic():
        next_numbers("ZC", 500, year=2026)
        raise Rollback
    with transaction.atomic():
        assert next_number("ZC", year=2026) == "ZC-2026-000001"
