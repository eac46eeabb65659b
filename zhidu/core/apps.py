from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhidu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import changelog, signals  # noqa: F401  (connect change-log and cache signals)
