"""The balance never goes negative, even under concurrent issues (PostgreSQL row locks).

Run on PostgreSQL: DATABASE_URL=postgresql://… ZHIDU_TEST_DB_NAME=test_zhidu_consumables.
"""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from zhidu.consumables import selectors, services
from zhidu.consumables.models import Movement, StockBalance
from zhidu.core.errors import Conflict


@pytest.mark.django_db
def test_database_constraint_refuses_negative_balance(world):
    services.receive(item=world["item"], location=world["warehouse"], quantity=1, actor=world["keeper"])
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(item=world["item"]).update(quantity=F("quantity") - 2)


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_overdraw(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under concurrency are tested on PostgreSQL (set DATABASE_URL)")
    services.receive(item=world["item"], location=world["warehouse"], quantity=10, actor=world["keeper"])
    barrier = threading.Barrier(3)
    results = []

    def worker():
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            services.issue(item=world["item"], location=world["warehouse"], quantity=4, department=world["sales"],
                           person=world["employee"].person, actor=world["keeper"])
            results.append("ok")
        except Conflict:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["ok", "ok", "refused"]
    assert selectors.stock_of(world["item"]) == 2
    assert Movement.objects.filter(kind="issue").count() == 2
    assert selectors.verify_balances() == []
