from django.urls import path

from . import views

app_name = "consumables"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("items/", views.ItemListView.as_view(), name="item_list"),
    path("items/import/", views.ItemImportView.as_view(), name="item_import"),
    path("items/new/", views.ItemFormView.as_view(), name="item_create"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item_detail"),
    path("items/<int:pk>/edit/", views.ItemFormView.as_view(), name="item_edit"),
    path("stock/", views.StockListView.as_view(), name="stock_list"),
    path("stock/import/", views.StockImportView.as_view(), name="stock_import"),
    path("stock/low/", views.LowStockView.as_view(), name="low_stock"),
    path("ledger/", views.MovementListView.as_view(), name="movement_list"),
    path("ledger/<int:pk>/", views.MovementDetailView.as_view(), name="movement_detail"),
    path("recycling/", views.RecycleListView.as_view(), name="recycle_list"),
    path("issue/", views.IssueView.as_view(), name="issue"),
    path("issue/quota-hint/", views.QuotaHintView.as_view(), name="quota_hint"),
    path("receipt/", views.ReceiptView.as_view(), name="receipt"),
    path("return/", views.ReturnView.as_view(), name="return"),
    path("adjust/", views.AdjustView.as_view(), name="adjust"),
    path("transfer/", views.TransferView.as_view(), name="transfer"),
    path("quotas/", views.QuotaListView.as_view(), name="quota_list"),
    path("quotas/new/", views.QuotaFormView.as_view(), name="quota_create"),
    path("quotas/<int:pk>/edit/", views.QuotaFormView.as_view(), name="quota_edit"),
    path("needs/new/", views.NeedFormView.as_view(), name="need_create"),
    path("reports/usage/", views.UsageView.as_view(), name="usage"),
    path("reports/review/", views.ReviewView.as_view(), name="review"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.PlanDraftView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/update/", views.PlanUpdateView.as_view(), name="plan_update"),
    path("plans/<int:pk>/print/", views.PlanPrintView.as_view(), name="plan_print"),
]
