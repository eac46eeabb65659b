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
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)  # Django 6.1 passes fetch_mode
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        """Reloaded values are what the database holds: the change log compares the next save
        against them, not against the values first loaded (else another writer's change
        would be attributed to this save)."""
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        loaded = dict(self.__dict__.get("_loaded_values") or {})
        names = None if fields is None else set(fields)
        deferred = self.get_deferred_fields()
        for field in self._meta.concrete_fields:
            if field.attname in deferred:
                continue
            if names is not None and field.attname not in names and field.name not in names:
                continue
            loaded[field.attname] = self.__dict__.get(field.attname)
        self._loaded_values = loaded
