"""The API base: every viewset filters through `restrict(user, action)`.

Reads use "view"; writes use the matching action ("add", "change", "delete"), so an object
the user may see but not change answers 403, and one out of scope answers 404.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions, viewsets

from zhidu.core.scoping import has_perm_anywhere

ACTION_FOR_METHOD = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add",
                     "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class ScopedViewSetMixin:
    """Queryset restricted to the user's scope; object permission by the same rule."""

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        return self.base_queryset().restrict(self.request.user, "view")

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        action = getattr(self, "object_action", None) or ACTION_FOR_METHOD.get(request.method, "view")
        if action != "view" and not self.base_queryset().restrict(request.user, action).filter(pk=obj.pk).exists():
            raise exceptions.PermissionDenied(
                detail=_("You do not have permission to %(action)s this object.") % {"action": action}
            )

    def check_create_permission(self):
        if not has_perm_anywhere(self.request.user, self.queryset.model, "add"):
            raise exceptions.PermissionDenied()


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """CRUD through services: override perform_create/perform_update to call the service."""

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        with transaction.atomic():
            return super().create(request, *args, **kwargs)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
