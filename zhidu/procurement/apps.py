from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "zhidu.procurement"
    label = "procurement"
    verbose_name = _("Procurement")

    def ready(self):
        from . import approval, params, ui

        params.define_all()
        approval.register()
        ui.register()
