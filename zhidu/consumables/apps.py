from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsumablesConfig(AppConfig):
    name = "zhidu.consumables"
    label = "consumables"
    verbose_name = _("Consumables")

    def ready(self):
        from . import approval, params, receivers, ui

        params.define_all()
        approval.register()
        receivers.connect()
        ui.register()
