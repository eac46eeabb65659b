from django.urls import path

from . import views

app_name = "params"

urlpatterns = [
    path("", views.parameter_list, name="list"),
    path("history/", views.parameter_history, name="all_history"),
    path("<str:key>/", views.parameter_edit, name="edit"),
    path("<str:key>/history/", views.parameter_history, name="history"),
]
