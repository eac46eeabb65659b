from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/decide/", views.decide, name="decide"),
    path("tasks/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", views.end_delegation, name="end_delegation"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/apply-preset/", views.apply_preset, name="apply_preset"),
    path("policies/new/<str:process_key>/", views.policy_create, name="policy_create"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/versions/<int:number>/", views.policy_version, name="policy_version"),
]
