"""Signals of the organisation's people lifecycle, sent inside the transaction that records them.

    person_hired(sender=Person, person=…, actor=…)    a hire or re-hire (AST-06)
    person_leaving(sender=Person, person=…, actor=…)  a departure is recorded: leaving or left (AST-07)

Receivers (e.g. the equipment ledger's preparation tasks and clearances) run in the same
transaction, so a failure rolls the org change back too.
"""

from django.dispatch import Signal

person_hired = Signal()
person_leaving = Signal()
