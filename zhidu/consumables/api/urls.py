from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("items", views.ConsumableItemViewSet, basename="consumables-item")
router.register("stock", views.StockBalanceViewSet, basename="consumables-stock")
router.register("movements", views.MovementViewSet, basename="consumables-movement")
router.register("quotas", views.QuotaViewSet, basename="consumables-quota")
router.register("needs", views.NeedViewSet, basename="consumables-need")
router.register("plans", views.PurchasePlanViewSet, basename="consumables-plan")
urlpatterns = router.urls
