"""Attachments of any object: upload, download, delete, checked against the parent's scope.

Upload and delete need "change" on the parent object, download needs "view" (out of scope:
404; visible but not changeable: 403). Files larger than settings.ZHIDU_MAX_ATTACHMENT_MB are
refused; the SHA-256 of every file is stored, and each upload/removal is an event in the
parent's change log.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhidu.core.changelog import record_event
from zhidu.core.forms import AttachmentForm
from zhidu.core.models import Attachment

from .edit import safe_next


def _parent_model(content_type: ContentType):
    model = content_type.model_class()
    if model is None or not hasattr(model._default_manager.all(), "restrict"):
        raise Http404(_("Attachments are not available for this kind of record."))
    return model


def scoped_parent(user, content_type: ContentType, object_id, action: str):
    """The parent object if the user may `action` it: 404 when not visible, 403 when not allowed."""
    model = _parent_model(content_type)
    base = model._default_manager.all()
    try:
        obj = base.restrict(user, "view").filter(pk=object_id).first()
    except (ValueError, TypeError, ValidationError):
        obj = None
    if obj is None:
        raise Http404(_("No such record, or you may not see it."))
    if action != "view" and not user.is_superuser and not base.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may see this record but not change its attachments."))
    return obj


def _back(request, obj) -> str:
    default = None
    if hasattr(obj, "get_absolute_url"):
        try:
            default = obj.get_absolute_url() + "?tab=attachments"
        except Exception:  # noqa: BLE001
            default = None
    return safe_next(request, default or "/")


def max_bytes() -> int:
    return int(settings.ZHIDU_MAX_ATTACHMENT_MB) * 1024 * 1024


@login_required
@require_POST
def attachment_upload(request, content_type_id: int, object_id: str):
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    obj = scoped_parent(request.user, content_type, object_id, "change")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_bytes():
            form.add_error("file", _("The file is larger than %(mb)d MB.") % {"mb": settings.ZHIDU_MAX_ATTACHMENT_MB})
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(_back(request, obj))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        attachment = Attachment(
            content_type=content_type,
            object_id=str(obj.pk),
            name=upload.name[:255],
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=request.user,
            description=form.cleaned_data.get("description", ""),
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        record_event(obj, data={"event": "attachment_added", "attachment": attachment.pk,
                                "name": attachment.name, "size": attachment.size, "sha256": attachment.sha256})
    messages.success(request, _("Attached %(name)s.") % {"name": attachment.name})
    return HttpResponseRedirect(_back(request, obj))


@login_required
@require_GET
def attachment_download(request, pk: int):
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    scoped_parent(request.user, attachment.content_type, attachment.object_id, "view")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request, pk: int):
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    obj = scoped_parent(request.user, attachment.content_type, attachment.object_id, "change")
    name = attachment.name
    with transaction.atomic():
        record_event(obj, data={"event": "attachment_removed", "attachment": attachment.pk,
                                "name": name, "sha256": attachment.sha256})
        stored = attachment.file.name
        attachment.delete()
        if stored:
            transaction.on_commit(lambda: attachment.file.storage.delete(stored))
    messages.success(request, _("Removed %(name)s.") % {"name": name})
    return HttpResponseRedirect(_back(request, obj))
