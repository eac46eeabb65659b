from django.urls import path

from . import background, views

urlpatterns = [
    path("", views.home, name="home"),
    path("attachments/<int:content_type_id>/<str:object_id>/upload/", views.attachment_upload,
         name="attachment_upload"),
    path("attachments/<int:pk>/download/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("jobs/", background.job_list, name="background_jobs"),
    path("jobs/<int:pk>/", background.job_detail, name="background_job"),
    path("jobs/<int:pk>/progress/", background.job_progress, name="background_job_progress"),
    path("jobs/<int:pk>/download/", background.job_download, name="background_job_download"),
    path("jobs/<int:pk>/import-now/", background.job_import_now, name="background_job_import_now"),
]
