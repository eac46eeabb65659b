from rest_framework.routers import DefaultRouter

from . import views

app_name = "org-api"

router = DefaultRouter()
router.register("units", views.OrgUnitViewSet, basename="unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("positions", views.PositionViewSet, basename="position")
router.register("roles", views.RoleViewSet, basename="role")
router.register("role-assignments", views.RoleAssignmentViewSet, basename="roleassignment")
router.register("aliases", views.RoleAliasViewSet, basename="rolealias")
urlpatterns = router.urls
