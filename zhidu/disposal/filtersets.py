"""FilterSets shared by the list pages and the API (DESIGN "Architecture")."""

import django_filters
from django.utils.translation import gettext_lazy as _

from zhidu.core.filtersets import ZhiduFilterSet, scoped_choices

from .choices import DisposalMethod, ScrapStatus
from .models import DisposalRecord, ScrapRequest


class ScrapRequestFilterSet(ZhiduFilterSet):
    """Search by number, title, requester or an asset number on the request."""

    search_fields = ("number", "title", "requester__name")

    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ScrapStatus.choices, distinct=False)
    department = django_filters.ModelChoiceFilter(label=_("Using department"), queryset=scoped_choices("org.OrgUnit"))
    asset = django_filters.CharFilter(label=_("Asset number"), field_name="lines__asset__number",
                                      lookup_expr="iexact", distinct=True)
    created_after = django_filters.DateFilter(label=_("Created from"), field_name="created", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(label=_("Created until"), field_name="created", lookup_expr="date__lte")

    class Meta:
        model = ScrapRequest
        fields = ("q", "status", "department", "asset", "created_after", "created_before")


class DisposalRecordFilterSet(ZhiduFilterSet):
    search_fields = ("request__number", "recipient")

    method = django_filters.ChoiceFilter(label=_("Disposal method"), choices=DisposalMethod.choices)
    disposed_after = django_filters.DateFilter(label=_("Disposed from"), field_name="disposed_on", lookup_expr="gte")
    disposed_before = django_filters.DateFilter(label=_("Disposed until"), field_name="disposed_on", lookup_expr="lte")

    class Meta:
        model = DisposalRecord
        fields = ("q", "method", "disposed_after", "disposed_before")
