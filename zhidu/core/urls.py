from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("attachments/<int:content_type_id>/<str:object_id>/upload/", views.attachment_upload,
         name="attachment_upload"),
    path("attachments/<int:pk>/download/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
