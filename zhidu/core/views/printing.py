"""ObjectPrintView: the A4 paper form of an object (DESIGN "User interface": print view).

    class PurchaseRequestPrintView(ObjectPrintView):
        model = PurchaseRequest
        template_name = "procurement/purchaserequest_print.html"   # {% extends "core/print_base.html" %}
        document_title = _("IT configuration request")            # printed as 《…》
        select_related = ("department", "requester")

Scope as on the object page (404 out of scope). Each print is an event in the object's
change log (who printed which document, when).
"""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.generic import View

from zhidu.core.changelog import record_event

from .mixins import ScopedObjectMixin


def organisation_name() -> str:
    """The name of the root org unit (the organisation), or "" before one exists."""
    try:
        from zhidu.org.models import OrgUnit
    except ImportError:  # pragma: no cover - org is always installed
        return ""
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("sort_order", "pk").values_list("name", flat=True).first()
    return root or ""


class ObjectPrintView(ScopedObjectMixin, View):
    template_name = "core/print_base.html"
    document_title = ""
    number_field = "number"
    record_print = True

    def get_document_title(self, obj) -> str:
        return str(self.document_title or obj._meta.verbose_name).strip().strip("《》")

    def get_document_number(self, obj) -> str:
        return str(getattr(obj, self.number_field, "") or "")

    def get_extra_context(self) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        self.object = obj = self.get_scoped_object("view")
        title = self.get_document_title(obj)
        number = self.get_document_number(obj)
        if self.record_print:
            record_event(obj, data={"event": "print", "document": title, "number": number})
        person = getattr(request.user, "person", None)
        back = None
        if hasattr(obj, "get_absolute_url"):
            try:
                back = obj.get_absolute_url()
            except Exception:  # noqa: BLE001
                back = None
        context = {
            "view": self,
            "object": obj,
            "opts": obj._meta,
            "document_title": title,
            "document_number": number,
            "organisation_name": organisation_name(),
            "printed_at": timezone.now(),
            "printed_by": person.name if person else request.user.get_username(),
            "back_url": back,
        }
        context.update(self.get_extra_context())
        return TemplateResponse(request, self.template_name, context)
