from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisposalConfig(AppConfig):
    name = "zhidu.disposal"
    label = "disposal"
    verbose_name = _("Disposal")

    def ready(self):
        from . import approval, params, services, ui

        params.define_all()
        services.register_asset_transitions()
        approval.register()
        ui.register()
