from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("requests", views.ScrapRequestViewSet, basename="disposal-request")
router.register("lines", views.ScrapLineViewSet, basename="disposal-line")
router.register("sanitisations", views.SanitisationRecordViewSet, basename="disposal-sanitisation")
router.register("records", views.DisposalRecordViewSet, basename="disposal-record")
urlpatterns = router.urls
