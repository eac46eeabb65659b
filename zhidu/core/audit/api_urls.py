from rest_framework.routers import DefaultRouter

from .api import ChangeLogViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("log", ChangeLogViewSet, basename="audit-log")
urlpatterns = router.urls
