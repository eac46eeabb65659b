from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("requests", views.PurchaseRequestViewSet, basename="procurement-request")
router.register("stock-ins", views.StockInViewSet, basename="procurement-stockin")
router.register("self-purchases", views.SelfPurchaseFilingViewSet, basename="procurement-selfpurchase")
urlpatterns = router.urls
