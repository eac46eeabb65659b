from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("tasks", views.TaskViewSet, basename="approval-task")
router.register("requests", views.RequestViewSet, basename="approval-request")
router.register("policies", views.PolicyViewSet, basename="approval-policy")
router.register("delegations", views.DelegationViewSet, basename="approval-delegation")
urlpatterns = router.urls
