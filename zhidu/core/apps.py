from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhidu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import changelog, signals  # noqa: F401  (connect change-log and cache signals)
        from .auth import ui as auth_ui

        auth_ui.register()
        from . import background

        background.define_params()
        from .approvals import ui as approvals_ui

        approvals_ui.register()
