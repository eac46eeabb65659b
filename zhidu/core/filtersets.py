"""The base FilterSet shared by list pages and the API (DESIGN "Architecture": filtersets.py).

    class PurchaseRequestFilterSet(ZhiduFilterSet):
        search_fields = ("number", "title", "requester__name")
        department = django_filters.ModelChoiceFilter(queryset=scoped_choices("org.OrgUnit"))

        class Meta:
            model = PurchaseRequest
            fields = ("status", "department")

`q` is the free-text search: every whitespace-separated term must match one of
`search_fields` (case-insensitive `icontains`, or the lookup given after `__` when the field
ends with one, e.g. "number__iexact").
"""

from __future__ import annotations

from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

MAX_SEARCH_TERMS = 8
MAX_ID = 2**63 - 1  # the largest id a (big) integer primary key holds, on SQLite and PostgreSQL
LOOKUPS = {"exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith"}


def scoped_choices(model, action: str = "view"):
    """A `queryset=` callable for ModelChoiceFilter: the choices the requesting user may see.

    `model` is a model class or "app_label.ModelName" (resolved lazily, so apps can refer to
    each other without import cycles). Falls back to all objects when the model has no
    `restrict` (not a BaseModel).
    """

    def _queryset(request):
        m = apps.get_model(model) if isinstance(model, str) else model
        qs = m._default_manager.all()
        user = getattr(request, "user", None)
        if request is None or user is None:
            return qs
        if hasattr(qs, "restrict"):
            return qs.restrict(user, action)
        return qs

    return _queryset


_renderer = None


def _fast_renderer():
    global _renderer
    if _renderer is None:
        from zhidu.core.renderers import FastSelectRenderer

        _renderer = FastSelectRenderer()
    return _renderer


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object id as a plain number (e.g. a hidden `manager` filter of a list page): a whole
    number within the range of a database id, else 400. A NumberFilter took any decimal, and one
    beyond the database's integer range (`?manager=-4.5e66`) was a server error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ZhiduFilterSet(django_filters.FilterSet):
    """A FilterSet with the `q` search box first."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("Search"))

    def get_form_class(self):
        """The filter form writes its selects in Python (zhidu.core.renderers: the list pages'
        filter forms have hundreds of options; issue #3 "Performance")."""
        form_class = super().get_form_class()
        if form_class.default_renderer is None:
            form_class.default_renderer = _fast_renderer()
        return form_class

    def search(self, queryset, name, value):
        terms = [t for t in (value or "").split() if t][:MAX_SEARCH_TERMS]
        if not terms or not self.search_fields:
            return queryset
        for term in terms:
            conditions = [self._search_condition(field, term) for field in self.search_fields]
            queryset = queryset.filter(reduce(or_, conditions))
        # a search through to-many relations may repeat rows
        if any("__" in f and self._is_multi(f) for f in self.search_fields):
            queryset = queryset.distinct()
        return queryset

    def _search_condition(self, field: str, term: str) -> Q:
        """One search field's condition. Through a foreign key ("requester__name") it is
        `requester__in=<subquery on Person>` rather than a join: the database then scans the
        list's table once instead of joining every row (4× faster on SQLite, 1.5× on
        PostgreSQL for a search over 100,000 purchase requests, see bench/)."""
        parts = field.split("__")
        lookup = parts.pop() if len(parts) > 1 and parts[-1] in LOOKUPS else "icontains"
        if len(parts) > 1:
            try:
                first = self.queryset.model._meta.get_field(parts[0])
            except Exception:
                first = None
            if first is not None and first.concrete and (first.many_to_one or first.one_to_one):
                related = first.related_model._base_manager.filter(**{"__".join([*parts[1:], lookup]): term})
                return Q(**{f"{parts[0]}__in": related.values(first.target_field.attname)})
        return Q(**{"__".join([*parts, lookup]): term})

    def _is_multi(self, path: str) -> bool:
        model = self.queryset.model
        for part in path.split("__"):
            try:
                field = model._meta.get_field(part)
            except Exception:
                return False
            if field.many_to_many or field.one_to_many:
                return True
            if not field.is_relation:
                return False
            model = field.related_model
        return False

    @property
    def active_filters(self) -> int:
        """How many filters carry a value (shown as a badge on the filter card)."""
        if not self.is_bound:
            return 0
        count = 0
        for name in self.filters:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            if any(v not in (None, "") for v in values):
                count += 1
        return count
