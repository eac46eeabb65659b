from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("log/", views.ChangeLogListView.as_view(), name="log"),
    path("log/<int:pk>/", views.ChangeLogEntryView.as_view(), name="entry"),
]
