from django.urls import path

from . import views

app_name = "procurement"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("requests/", views.PurchaseRequestListView.as_view(), name="request_list"),
    path("requests/new/", views.PurchaseRequestFormView.as_view(), name="request_create"),
    path("requests/<int:pk>/", views.PurchaseRequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/edit/", views.PurchaseRequestFormView.as_view(), name="request_edit"),
    path("requests/<int:pk>/delete/", views.PurchaseRequestDeleteView.as_view(), name="request_delete"),
    path("requests/<int:pk>/submit/", views.SubmitView.as_view(), name="request_submit"),
    path("requests/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="request_withdraw"),
    path("requests/<int:pk>/quotations/new/", views.QuotationView.as_view(), name="request_quotation"),
    path("requests/<int:pk>/waiver/", views.WaiverView.as_view(), name="request_waiver"),
    path("requests/<int:pk>/order/", views.OrderView.as_view(), name="request_order"),
    path("requests/<int:pk>/acceptance/", views.AcceptanceView.as_view(), name="request_acceptance"),
    path("requests/<int:pk>/stock-in/", views.StockInView.as_view(), name="request_stock_in"),
    path("requests/<int:pk>/reimburse/", views.ReimburseView.as_view(), name="request_reimburse"),
    path("requests/<int:pk>/close/", views.CloseView.as_view(), name="request_close"),
    path("requests/<int:pk>/print/", views.PurchaseRequestPrintView.as_view(), name="request_print"),
    path("requests/<int:request_pk>/acceptances/<int:pk>/print/", views.AcceptancePrintView.as_view(),
         name="acceptance_print"),
    path("requests/<int:request_pk>/stock-ins/<int:pk>/print/", views.StockInPrintView.as_view(),
         name="stock_in_print"),
    path("filings/", views.FilingListView.as_view(), name="filing_list"),
    path("filings/awaiting/", views.AwaitingFilingListView.as_view(), name="filing_awaiting"),
    path("filings/new/", views.FilingFormView.as_view(), name="filing_create"),
    path("filings/<int:pk>/", views.FilingDetailView.as_view(), name="filing_detail"),
    path("filings/<int:pk>/edit/", views.FilingFormView.as_view(), name="filing_edit"),
    path("filings/<int:pk>/file/", views.FileFilingView.as_view(), name="filing_file"),
]
