from django.urls import path

from .views import imports, ledger

app_name = "assets"
urlpatterns = [
    path("", ledger.AssetListView.as_view(), name="asset_list"),
    path("new/", ledger.AssetFormView.as_view(), name="asset_create"),
    path("import/", imports.AssetImportView.as_view(), name="asset_import"),
    path("fields/", ledger.asset_fields, name="asset_fields"),
    path("mine/", ledger.MyAssetListView.as_view(), name="my_assets"),
    path("dashboard/", ledger.DashboardView.as_view(), name="dashboard"),
    path("labels/", ledger.LabelPrintView.as_view(), name="labels"),
    path("n/<path:number>/", ledger.asset_by_number, name="asset_by_number"),
    path("<int:pk>/", ledger.AssetDetailView.as_view(), name="asset_detail"),
    path("<int:pk>/edit/", ledger.AssetFormView.as_view(), name="asset_edit"),
    path("<int:pk>/delete/", ledger.AssetDeleteView.as_view(), name="asset_delete"),
    path("<int:pk>/capitalise/", ledger.AssetCapitaliseView.as_view(), name="asset_capitalise"),
    path("<int:pk>/label/", ledger.LabelPrintView.as_view(), name="asset_labels"),
    path("categories/", ledger.CategoryListView.as_view(), name="category_list"),
    path("categories/new/", ledger.CategoryFormView.as_view(), name="category_create"),
    path("categories/<int:pk>/edit/", ledger.CategoryFormView.as_view(), name="category_edit"),
    path("categories/<int:pk>/delete/",
         ledger.catalogue_delete_view(ledger.AssetCategory, "assets:category_list").as_view(), name="category_delete"),
    path("models/", ledger.ModelListView.as_view(), name="model_list"),
    path("models/new/", ledger.ModelFormView.as_view(), name="model_create"),
    path("models/<int:pk>/edit/", ledger.ModelFormView.as_view(), name="model_edit"),
    path("models/<int:pk>/delete/",
         ledger.catalogue_delete_view(ledger.AssetModel, "assets:model_list").as_view(), name="model_delete"),
    path("suppliers/", ledger.SupplierListView.as_view(), name="supplier_list"),
    path("suppliers/new/", ledger.SupplierFormView.as_view(), name="supplier_create"),
    path("suppliers/<int:pk>/edit/", ledger.SupplierFormView.as_view(), name="supplier_edit"),
    path("suppliers/<int:pk>/delete/",
         ledger.catalogue_delete_view(ledger.Supplier, "assets:supplier_list").as_view(), name="supplier_delete"),
    path("locations/", ledger.LocationListView.as_view(), name="location_list"),
    path("locations/new/", ledger.LocationFormView.as_view(), name="location_create"),
    path("locations/<int:pk>/edit/", ledger.LocationFormView.as_view(), name="location_edit"),
    path("locations/<int:pk>/delete/",
         ledger.catalogue_delete_view(ledger.Location, "assets:location_list").as_view(), name="location_delete"),
]

# Stock-takes and patrol inspections (AST-16, AST-17, SCH-06, AUD-01) — views/stocktake.py
from .views import stocktake as stocktake_views  # noqa: E402

urlpatterns += [
    path("stocktakes/", stocktake_views.StocktakeListView.as_view(), name="stocktake_list"),
    path("stocktakes/new/", stocktake_views.StocktakeFormView.as_view(), name="stocktake_create"),
    path("stocktakes/<int:pk>/", stocktake_views.StocktakeDetailView.as_view(), name="stocktake_detail"),
    path("stocktakes/<int:pk>/edit/", stocktake_views.StocktakeFormView.as_view(), name="stocktake_edit"),
    path("stocktakes/<int:pk>/count/", stocktake_views.StocktakeCountView.as_view(), name="stocktake_count"),
    path("stocktakes/<int:pk>/scan/", stocktake_views.StocktakeScanView.as_view(), name="stocktake_scan"),
    path("stocktakes/<int:pk>/report/", stocktake_views.StocktakeReportView.as_view(), name="stocktake_report"),
    path("stocktakes/<int:pk>/print/", stocktake_views.StocktakePrintView.as_view(), name="stocktake_print"),
    path("stocktakes/<int:pk>/adjustments/<int:adjustment_pk>/", stocktake_views.AdjustmentEditView.as_view(),
         name="stocktake_adjustment_edit"),
    path("stocktakes/<int:pk>/<slug:action>/", stocktake_views.StocktakeActionView.as_view(),
         name="stocktake_action"),
    path("inspections/", stocktake_views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/new/", stocktake_views.InspectionFormView.as_view(), name="inspection_create"),
    path("inspections/overdue/", stocktake_views.InspectionOverdueView.as_view(), name="inspection_overdue"),
    path("inspections/<int:pk>/", stocktake_views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("inspections/<int:pk>/<slug:step>/", stocktake_views.InspectionStepView.as_view(), name="inspection_step"),
]

# Custody (A2): issue/letters, returns, custodian changes, loans, reallocations, hire/leave, incidents.
from .views import custody as custody_views  # noqa: E402

urlpatterns += custody_views.urlpatterns()

# Sub-ledgers (分帐), 帐、物、签相符, handover lists (SCH-08, SCH-10, AST-24) — views/subledger.py
from .views import subledger as subledger_views  # noqa: E402

urlpatterns += subledger_views.urlpatterns()
from .views import usage as usage_views  # noqa: E402  (效益管理, SCH-03)

urlpatterns += usage_views.urlpatterns()
