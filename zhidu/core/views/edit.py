"""ObjectFormView (create / edit) and ObjectDeleteView (DESIGN rules 1 and 6).

    class PurchaseRequestCreateView(ObjectFormView):
        model = PurchaseRequest
        form_class = PurchaseRequestForm
        formset_classes = {"lines": PurchaseLineFormSet}      # optional line items

        def perform_save(self, form):
            return services.create_request(
                **form.cleaned_data, lines=self.formset_rows("lines"), actor=self.request.user)

    class PurchaseRequestEditView(PurchaseRequestCreateView):    # URL with <int:pk>: edit mode
        def perform_save(self, form):
            return services.update_request(request=self.object, ..., actor=self.request.user)

Create requires the "add" permission somewhere (else 403); edit requires the object to be
visible (else 404) and changeable (else 403). `perform_save` runs inside a transaction; a
`RuleViolation` or `ValidationError` it raises is shown on the form, in place, with the input
kept (nothing is half-saved).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import View

from zhidu.core.errors import RuleViolation
from zhidu.core.forms import ConfirmForm

from .mixins import ScopedObjectMixin, reverse_or_none


def safe_next(request, default: str | None) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def add_errors(form, error) -> None:
    """Put a RuleViolation / ValidationError from a service on the form, in place."""
    if isinstance(error, RuleViolation):
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, error.message)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            if field == NON_FIELD_ERRORS:
                target = None
            for e in errors:
                form.add_error(target, e)
        return
    form.add_error(None, error)


class ObjectFormView(ScopedObjectMixin, View):
    """Create (no pk in the URL) or edit (pk in the URL) through `perform_save`."""

    form_class = None
    formset_classes: dict = {}
    template_name = "core/object_form.html"
    success_url_name: str | None = None  # default: object.get_absolute_url(), then this
    success_message: str | None = None
    title: str | None = None
    cancel_url_name: str | None = None
    invalid_status = 200  # a re-rendered form (htmx swaps only 2xx answers)

    object = None

    # -- hooks -----------------------------------------------------------------------------
    @property
    def is_create(self) -> bool:
        return self.pk_url_kwarg not in self.kwargs

    def check_permissions(self):
        """Create: "add" somewhere. Edit: visible (404) and changeable (403)."""
        if self.is_create:
            self.check_model_action("add")
        else:
            self.object = self.get_scoped_object("change")

    def get_form_class(self):
        if self.form_class is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs `form_class`.")
        return self.form_class

    def get_initial(self) -> dict:
        return {}

    def get_form_kwargs(self) -> dict:
        kwargs = {"initial": self.get_initial(), "prefix": None}
        if self.request.method in ("POST", "PUT"):
            kwargs["data"] = self.request.POST
            kwargs["files"] = self.request.FILES
        form_class = self.get_form_class()
        if hasattr(form_class, "_meta") and getattr(form_class._meta, "model", None) is not None:
            kwargs["instance"] = self.object
        if getattr(form_class, "accepts_user", False):
            kwargs["user"] = self.request.user
        return kwargs

    def get_form(self):
        return self.get_form_class()(**self.get_form_kwargs())

    def get_formsets(self) -> dict:
        """Inline formsets by name (`formset_classes`), bound on POST, prefixed by their name."""
        result = {}
        for name, formset_class in self.formset_classes.items():
            kwargs = {"prefix": name}
            if self.request.method == "POST":
                kwargs["data"] = self.request.POST
                kwargs["files"] = self.request.FILES
            if hasattr(formset_class, "fk"):  # inline formset
                kwargs["instance"] = self.object if self.object is not None else self.get_model()()
            result[name] = formset_class(**kwargs)
        return result

    def formset_rows(self, name: str) -> list[dict]:
        """The cleaned rows of a formset, without deleted and empty extra rows (for services)."""
        formset = self.formsets[name]
        rows = []
        for form in formset.forms:
            if not getattr(form, "cleaned_data", None):
                continue
            if formset.can_delete and form.cleaned_data.get("DELETE"):
                continue
            rows.append({k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
        return rows

    def perform_save(self, form):
        """Save through a service and return the object. Default: ModelForm.save() + formsets.

        Subclasses of domain apps call their service here (DESIGN rule 1).
        """
        if not hasattr(form, "save"):
            raise ImproperlyConfigured(f"{type(self).__name__} must implement perform_save().")
        obj = form.save()
        for formset in self.formsets.values():
            if hasattr(formset, "fk"):
                formset.instance = obj
            formset.save()
        return obj

    def get_success_url(self, obj) -> str:
        if obj is not None and hasattr(obj, "get_absolute_url"):
            try:
                return obj.get_absolute_url()
            except Exception:  # noqa: BLE001, S110 - fall back to the list
                pass
        url = reverse_or_none(self.success_url_name)
        return safe_next(self.request, url or "/")

    def get_title(self) -> str:
        if self.title:
            return self.title
        opts = self.get_model()._meta
        if self.is_create:
            return _("New %(name)s") % {"name": opts.verbose_name}
        return _("Edit %(name)s") % {"name": opts.verbose_name}

    def get_cancel_url(self) -> str | None:
        if self.object is not None and hasattr(self.object, "get_absolute_url"):
            try:
                return self.object.get_absolute_url()
            except Exception:  # noqa: BLE001, S110
                pass
        return safe_next(self.request, reverse_or_none(self.cancel_url_name or self.success_url_name))

    def get_extra_context(self) -> dict:
        return {}

    # -- request ---------------------------------------------------------------------------
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.check_permissions()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        self.formsets = self.get_formsets()
        return self.render(form)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        self.formsets = self.get_formsets()
        valid = form.is_valid()
        for formset in self.formsets.values():  # validate every formset: all errors shown at once
            valid = formset.is_valid() and valid
        if not valid:
            return self.render(form, status=self.invalid_status)
        try:
            with transaction.atomic():
                obj = self.perform_save(form)
        except (RuleViolation, ValidationError) as error:
            add_errors(form, error)
            return self.render(form, status=self.invalid_status)
        messages.success(request, self.success_message or _("Saved."))
        return HttpResponseRedirect(self.get_success_url(obj if obj is not None else self.object))

    def render(self, form, status: int = 200):
        model = self.get_model()
        context = {
            "view": self,
            "form": form,
            "formsets": self.formsets,
            "object": self.object,
            "opts": model._meta,
            "title": self.get_title(),
            "is_create": self.is_create,
            "cancel_url": self.get_cancel_url(),
            "multipart": form.is_multipart() or any(fs.is_multipart() for fs in self.formsets.values()),
        }
        context.update(self.get_extra_context())
        return TemplateResponse(self.request, self.template_name, context, status=status)


class ObjectDeleteView(ScopedObjectMixin, View):
    """GET: a confirmation page; POST: `perform_delete` (default obj.delete()). 404 / 403 as above."""

    template_name = "core/object_confirm_delete.html"
    success_url_name: str | None = None
    success_message: str | None = None
    invalid_status = 200

    def perform_delete(self, obj):
        obj.delete()

    def get_success_url(self) -> str:
        return safe_next(self.request, reverse_or_none(self.success_url_name) or "/")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_scoped_object("delete")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render()

    def post(self, request, *args, **kwargs):
        form = ConfirmForm(request.POST)
        form.is_valid()
        label = str(self.object)
        try:
            with transaction.atomic():
                self.perform_delete(self.object)
        except (RuleViolation, ValidationError) as error:
            add_errors(form, error)
            return self.render(form=form, status=self.invalid_status)
        except (ProtectedError, RestrictedError):
            form.add_error(None, _("This record is still referenced by other records and cannot be deleted."))
            return self.render(form=form, status=self.invalid_status)
        messages.success(request, self.success_message or _("Deleted %(name)s.") % {"name": label})
        return HttpResponseRedirect(self.get_success_url())

    def render(self, form=None, status: int = 200):
        model = self.get_model()
        cancel = None
        if hasattr(self.object, "get_absolute_url"):
            try:
                cancel = self.object.get_absolute_url()
            except Exception:  # noqa: BLE001, S110
                cancel = None
        context = {"view": self, "object": self.object, "opts": model._meta, "form": form or ConfirmForm(),
                   "cancel_url": cancel or reverse_or_none(self.success_url_name)}
        return TemplateResponse(self.request, self.template_name, context, status=status)
