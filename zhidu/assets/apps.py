from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "zhidu.assets"
    label = "assets"
    verbose_name = _("Equipment ledger")

    def ready(self):
        from zhidu.procurement.signals import stock_in_created

        from . import ui
        from .services.ledger import on_stock_in_created

        # PRC-17: the asset cards are created inside the stock-in transaction.
        stock_in_created.connect(on_stock_in_created, dispatch_uid="assets.stock_in_created")
        ui.register()
        # Stock-takes and inspections (A3): params, approval process, menu, verbs, role permissions.
        from . import stocktake_setup

        stocktake_setup.register()
        # Custody (A2): issue/letters, returns, changes, loans, hire/leave, incidents (AST-03 … AST-19, VAR-12).
        from .services import custody as custody_services
        from .views import custody as custody_views

        custody_services.register()
        custody_views.register()
