"""The API root: every app's router is mounted here under /api/<app>/."""

from django.urls import include, path

urlpatterns = [
    path("org/", include("zhidu.org.api.urls")),
    path("procurement/", include("zhidu.procurement.api.urls")),
]
