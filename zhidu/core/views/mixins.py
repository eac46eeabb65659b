"""Scope checks shared by the generic views (DESIGN rule 6).

An object the user may not see is 404 (its existence is not revealed); one the user sees but
may not act on is 403.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from zhidu.core.scoping import has_perm_anywhere


def reverse_or_none(url_name: str | None, *args, **kwargs) -> str | None:
    if not url_name:
        return None
    try:
        return reverse(url_name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


class ScopedObjectMixin(LoginRequiredMixin):
    """Model, base queryset and the view/action checks.

    Attributes a subclass may set:
        model                 the model (a BaseModel: it has `objects.restrict`)
        queryset              optional base queryset (default: model._default_manager.all())
        select_related        tuple of relations joined for the page (no N+1)
        prefetch_related      tuple of relations prefetched
        pk_url_kwarg          URL kwarg holding the pk ("pk")
    """

    model = None
    queryset = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple = ()
    pk_url_kwarg = "pk"

    def get_model(self):
        if self.model is not None:
            return self.model
        if self.queryset is not None:
            return self.queryset.model
        form_class = getattr(self, "form_class", None)
        model = getattr(getattr(form_class, "_meta", None), "model", None)
        if model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs `model`.")
        return model

    def get_base_queryset(self):
        """Hook: the unrestricted queryset (add annotations here)."""
        if self.queryset is not None:
            return self.queryset.all()
        return self.get_model()._default_manager.all()

    def optimise(self, queryset):
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def restricted(self, action: str = "view"):
        """The base queryset restricted to what the user may `action`."""
        return self.get_base_queryset().restrict(self.request.user, action)

    def get_scoped_object(self, action: str = "view"):
        """The object of the URL: 404 when the user may not see it, 403 when not `action` it."""
        pk = self.kwargs.get(self.pk_url_kwarg)
        try:
            obj = self.optimise(self.restricted("view")).filter(pk=pk).first()
        except (ValueError, TypeError, ValidationError):
            obj = None
        if obj is None:
            raise Http404(_("No %(name)s found, or you may not see it.")
                          % {"name": self.get_model()._meta.verbose_name})
        if action != "view":
            self.check_object_action(obj, action)
        return obj

    def can(self, obj, action: str) -> bool:
        """Whether the user may `action` this object (one query; superusers: none)."""
        user = self.request.user
        if user.is_superuser:
            return True
        return self.get_base_queryset().restrict(user, action).filter(pk=obj.pk).exists()

    def check_object_action(self, obj, action: str):
        if not self.can(obj, action):
            raise PermissionDenied(_("You may see this %(name)s but not %(action)s it.")
                                   % {"name": self.get_model()._meta.verbose_name, "action": action_label(action)})

    def check_model_action(self, action: str):
        if not has_perm_anywhere(self.request.user, self.get_model(), action):
            raise PermissionDenied(_("You do not have permission to %(action)s %(name)s.")
                                   % {"name": self.get_model()._meta.verbose_name_plural, "action": action_label(action)})


def action_label(action: str) -> str:
    labels = {"view": _("view"), "add": _("create"), "change": _("change"), "delete": _("delete")}
    return labels.get(action, action)
