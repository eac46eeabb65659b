from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from zhidu.core.auth.views import admin_login

# The admin signs in through /accounts/login/: lockout and two-step verification apply there too.
admin.site.login = admin_login

urlpatterns = [
    path("", include("zhidu.core.urls")),
    path("accounts/", include("zhidu.core.auth.urls")),
    path("approvals/", include("zhidu.core.approvals.urls")),
    path("params/", include("zhidu.core.params.urls")),
    path("audit/", include("zhidu.core.audit.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("notifications/", include("zhidu.core.notifications.urls")),
    path("org/", include("zhidu.org.urls")),
    path("procurement/", include("zhidu.procurement.urls")),
    path("assets/", include("zhidu.assets.urls")),
    path("consumables/", include("zhidu.consumables.urls")),
    path("disposal/", include("zhidu.disposal.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),  # no inline script (CSP)
    path("api/", include("zhidu.core.api.urls")),
    path("admin/", admin.site.urls),
]

# Unknown URLs under /api/ answer JSON like the rest of the API.
handler404 = "zhidu.core.api.exceptions.page_not_found"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
