"""Pages of the equipment ledger, one module per concern (ledger.py: cards, catalogue, labels,
dashboard, my equipment). urls.py imports the modules."""
