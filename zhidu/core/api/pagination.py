from django.db.models.query import QuerySet
from rest_framework.pagination import PageNumberPagination

from zhidu.core.paginator import PkFirstPaginator, stable_order


class Pagination(PageNumberPagination):
    """`?page=N&page_size=M` (response: count, next, previous, results). Deep pages are fetched pk
    first (zhidu.core.paginator), so a page far into 100,000 rows costs about what the first does."""

    django_paginator_class = PkFirstPaginator
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        """With the pk as the last sort key (`?ordering=name` has ties), pages neither repeat nor skip rows."""
        if isinstance(queryset, QuerySet):
            queryset = stable_order(queryset)
        return super().paginate_queryset(queryset, request, view=view)
