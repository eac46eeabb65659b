"""The base every Zhidu model inherits: timestamps, change-log snapshot, scoping."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhidu.core.scoping import ScopedModelMixin, ScopedQuerySet


class BaseModel(ScopedModelMixin, models.Model):
    """Timestamps, a snapshot of the loaded values (so the change log needs no extra query),
    and the one scoping rule `objects.restrict(user, action)`.

    Subclasses declare how they relate to the organisation (see `zhidu.core.scoping`):
    `scope_unit_field` (path to the owning OrgUnit) and `scope_owner_fields` (paths to the
    Person that owns the object, e.g. the requester).
    """

    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    changelog_exclude: tuple[str, ...] = ("created", "updated")

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance
