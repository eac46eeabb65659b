from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("", views.ParameterViewSet, basename="parameter")
urlpatterns = router.urls
