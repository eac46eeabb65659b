from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    path("units/add/", views.UnitFormView.as_view(), name="unit_create"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitFormView.as_view(), name="unit_edit"),
    path("units/<int:pk>/delete/", views.UnitDeleteView.as_view(), name="unit_delete"),
    path("units/<int:pk>/deactivate/", views.UnitDeactivateView.as_view(), name="unit_deactivate"),
    path("units/<int:pk>/reactivate/", views.UnitReactivateView.as_view(), name="unit_reactivate"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/pick/", views.PersonPickView.as_view(), name="person_pick"),
    path("people/add/", views.PersonCreateView.as_view(), name="person_create"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
    path("people/<int:pk>/status/", views.PersonStatusView.as_view(), name="person_status"),
    path("people/<int:pk>/login/", views.PersonLoginView.as_view(), name="person_login"),
    path("positions/", views.PositionListView.as_view(), name="position_list"),
    path("positions/add/", views.PositionFormView.as_view(), name="position_create"),
    path("positions/<int:pk>/edit/", views.PositionFormView.as_view(), name="position_edit"),
    path("positions/<int:pk>/delete/", views.PositionDeleteView.as_view(), name="position_delete"),
    path("roles/", views.RoleListView.as_view(), name="role_list"),
    path("roles/add/", views.RoleFormView.as_view(), name="role_create"),
    path("roles/<int:pk>/", views.RoleDetailView.as_view(), name="role_detail"),
    path("roles/<int:pk>/edit/", views.RoleFormView.as_view(), name="role_edit"),
    path("roles/<int:pk>/delete/", views.RoleDeleteView.as_view(), name="role_delete"),
    path("assignments/", views.AssignmentListView.as_view(), name="assignment_list"),
    path("assignments/add/", views.AssignmentCreateView.as_view(), name="assignment_create"),
    path("assignments/<int:pk>/revoke/", views.AssignmentRevokeView.as_view(), name="assignment_revoke"),
    path("aliases/", views.AliasListView.as_view(), name="alias_list"),
    path("aliases/add/", views.AliasFormView.as_view(), name="alias_create"),
    path("aliases/<int:pk>/edit/", views.AliasFormView.as_view(), name="alias_edit"),
    path("aliases/<int:pk>/delete/", views.AliasDeleteView.as_view(), name="alias_delete"),
    path("import/units/", views.UnitImportView.as_view(), name="unit_import"),
    path("import/people/", views.PersonImportView.as_view(), name="person_import"),
]
