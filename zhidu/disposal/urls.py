from django.urls import path

from . import views

app_name = "disposal"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("requests/", views.ScrapRequestListView.as_view(), name="request_list"),
    path("requests/new/", views.ScrapRequestFormView.as_view(), name="request_create"),
    path("requests/<int:pk>/", views.ScrapRequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/edit/", views.ScrapRequestFormView.as_view(), name="request_edit"),
    path("requests/<int:pk>/delete/", views.ScrapRequestDeleteView.as_view(), name="request_delete"),
    path("requests/<int:pk>/submit/", views.SubmitView.as_view(), name="request_submit"),
    path("requests/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="request_withdraw"),
    path("requests/<int:pk>/appraise/", views.AppraiseView.as_view(), name="request_appraise"),
    path("requests/<int:pk>/recover/", views.RecoverView.as_view(), name="request_recover"),
    path("requests/<int:pk>/sanitise/", views.SanitiseView.as_view(), name="request_sanitise"),
    path("requests/<int:pk>/dispose/", views.DisposeView.as_view(), name="request_dispose"),
    path("requests/<int:pk>/print/", views.ScrapRequestPrintView.as_view(), name="request_print"),
    path("assets/search/", views.AssetSearchView.as_view(), name="asset_search"),
    path("records/", views.DisposalRecordListView.as_view(), name="record_list"),
    path("report/", views.ReportView.as_view(), name="report"),
]
