"""The API root: every app's router is mounted here under /api/<app>/."""

from django.urls import include, path

from .imports import ImporterListView, ImportRunView, ImportTemplateView, JobDetailView

urlpatterns = [
    path("imports/", ImporterListView.as_view(), name="api_imports"),
    path("imports/<str:key>/", ImportRunView.as_view(), name="api_import_run"),
    path("imports/<str:key>/template/", ImportTemplateView.as_view(), name="api_import_template"),
    path("jobs/<int:pk>/", JobDetailView.as_view(), name="api_job"),
    path("approvals/", include("zhidu.core.approvals.api.urls")),
    path("params/", include("zhidu.core.params.api.urls")),
    path("audit/", include("zhidu.core.audit.api_urls")),
    path("notifications/", include("zhidu.core.notifications.api_urls")),
    path("org/", include("zhidu.org.api.urls")),
    path("procurement/", include("zhidu.procurement.api.urls")),
    path("assets/", include("zhidu.assets.api.urls")),
    path("consumables/", include("zhidu.consumables.api.urls")),
    path("disposal/", include("zhidu.disposal.api.urls")),
]
