"""Signals other apps may listen to (DESIGN rule 5: infrastructure only).

`stock_in_created(sender=StockIn, stock_in=...)` is sent after the stock-in commits; the
assets app creates asset cards / consumable stock from its lines (issue #3).
"""

from django.dispatch import Signal

stock_in_created = Signal()
