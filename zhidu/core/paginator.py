"""Page fetches that stay fast deep into a large list (issue #3 "Performance").

`LIMIT 25 OFFSET 90000` on the list's full query makes the database build (join, read) the
90,000 rows it then throws away: 0.6–1.1 s for the asset ledger's deep pages on PostgreSQL. A
deep page is therefore fetched "pk first": the page's primary keys by the same filter and
order on a narrow query (the database walks an index and reads no joined rows), then the
full rows of those keys (`select_related`/`prefetch_related` as the list declares), put back
in the keys' order. The first pages keep the single fetch (`min_offset`): there the offset
is cheap and one query fewer is better; query counts stay fixed per page either way (one
more on a deep page, never growing with the rows).

Used by ObjectListView (every list page, through django-tables2) and by the API pagination
(zhidu.core.api.pagination). Page numbers, counts and the order are those of the plain
Paginator.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models.query import ModelIterable, QuerySet

#: From this offset (rows before the page) on, a page is fetched pk first
#: (settings.ZHIDU_PK_FIRST_MIN_OFFSET overrides it).
PK_FIRST_MIN_OFFSET = 1000


def stable_order(queryset):
    """The queryset with the primary key as the last sort key, so that rows with equal sort values
    keep one order from query to query and a page never repeats or skips a row."""
    query = queryset.query
    if query.is_sliced or query.combinator:
        return queryset
    order = list(query.order_by) or (list(queryset.model._meta.ordering) if query.default_ordering else [])
    names = {str(o) for o in order}
    if {"pk", "-pk", "id", "-id", queryset.model._meta.pk.attname, f"-{queryset.model._meta.pk.attname}"} & names:
        return queryset
    if order and isinstance(order[0], str) and _unique_not_null(queryset.model, order[0].lstrip("-")):
        return queryset  # a unique column first (`-number`) is a total order; a tiebreak would only cost a sort
    return queryset.order_by(*order, "pk")


def _unique_not_null(model, name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except Exception:
        return False
    return bool(getattr(field, "unique", False)) and not getattr(field, "null", True)


def pk_first_possible(queryset) -> bool:
    """A plain model queryset (not values(), not a union, not DISTINCT ON, not already sliced)."""
    query = queryset.query
    return (queryset._iterable_class is ModelIterable and not query.combinator and not query.is_sliced
            and not queryset._fields and not query.distinct_fields)


def fetch_pk_first(queryset, bottom: int, top: int) -> list:
    """The objects of `queryset[bottom:top]`: their pks by a narrow query, then their rows."""
    pks = list(queryset.values_list("pk", flat=True)[bottom:top])
    if not pks:
        return []
    by_pk = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=pks)}
    return [by_pk[pk] for pk in pks if pk in by_pk]


class PkFirstPaginator(Paginator):
    """A Paginator whose deep pages are fetched pk first (for a QuerySet or django-tables2 rows)."""

    @property
    def min_offset(self) -> int:
        return getattr(settings, "ZHIDU_PK_FIRST_MIN_OFFSET", PK_FIRST_MIN_OFFSET)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.slice(bottom, top), number, self)

    def slice(self, bottom: int, top: int):
        objects = self.object_list
        if bottom < self.min_offset:
            return objects[bottom:top]
        if isinstance(objects, QuerySet):
            return fetch_pk_first(objects, bottom, top) if pk_first_possible(objects) else objects[bottom:top]
        from django_tables2.data import TableQuerysetData
        from django_tables2.rows import BoundRows

        if isinstance(objects, BoundRows) and isinstance(objects.data, TableQuerysetData):
            queryset = objects.data.data
            if pk_first_possible(queryset):
                return BoundRows(data=fetch_pk_first(queryset, bottom, top), table=objects.table,
                                 pinned_data=objects.pinned_data)
        return objects[bottom:top]
