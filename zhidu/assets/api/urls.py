from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("assets", views.AssetViewSet, basename="assets-asset")
router.register("categories", views.AssetCategoryViewSet, basename="assets-category")
router.register("models", views.AssetModelViewSet, basename="assets-model")
router.register("suppliers", views.SupplierViewSet, basename="assets-supplier")
router.register("locations", views.LocationViewSet, basename="assets-location")
from . import stocktake as stocktake_api  # noqa: E402

router.register("stocktakes", stocktake_api.StocktakePlanViewSet, basename="assets-stocktake")
router.register("stocktake-adjustments", stocktake_api.StocktakeAdjustmentViewSet, basename="assets-stocktake-adjustment")
router.register("inspections", stocktake_api.InspectionViewSet, basename="assets-inspection")
from . import custody as custody_api  # noqa: E402  (A2: issue, letters, returns, loans … AST-03 … AST-19)

for _prefix, _viewset, _basename in custody_api.ROUTES:
    router.register(_prefix, _viewset, basename=_basename)
from . import subledger as subledger_api  # noqa: E402  (sub-ledgers, handover lists: SCH-08, SCH-10, AST-24)

for _prefix, _viewset, _basename in subledger_api.ROUTES:
    router.register(_prefix, _viewset, basename=_basename)
# Other engineers register their viewsets above this line (custody, stock-take, …).
urlpatterns = router.urls
