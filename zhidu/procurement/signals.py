"""Signals other apps may listen to (DESIGN rule 5: infrastructure only).

`stock_in_created(sender=StockIn, stock_in=...)` is sent inside the stock-in transaction, after
its lines are written; the assets app creates asset cards and the consumables app consumable
stock from its lines (issue #3). A receiver that raises rolls the whole stock-in back (PRC-17):
receivers must not swallow their errors, and defer side effects with `transaction.on_commit`.
"""

from django.dispatch import Signal

stock_in_created = Signal()
