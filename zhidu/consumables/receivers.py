"""Receivers of other apps' signals (DESIGN rule 5)."""

from __future__ import annotations


def on_stock_in_created(sender, stock_in, **kwargs):
    """Procurement stock-in (PRC-13) → a consumables receipt per consumable line (CON-04)."""
    from . import services

    services.receive_stock_in(stock_in)


def connect() -> None:
    from zhidu.procurement.signals import stock_in_created

    stock_in_created.connect(on_stock_in_created, dispatch_uid="consumables.receive_stock_in")
