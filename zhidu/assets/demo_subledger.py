"""Demo data of sub-ledgers (分帐, SCH-08, AST-24): the server room kept by an IT-centre person and
the meeting rooms' multimedia equipment kept by another, with the server room's labels printed, so
the "general ledger vs sub-ledgers" page, the 帐、物、签 check and a handover have something to
show. Called by the ledger's demo hook after the demo ledger exists. Idempotent; through the
services."""

from __future__ import annotations

SUBLEDGERS = [
    # code, name, location codes, keeper index among the IT centre's people
    ("xxzx-jf", "信息中心机房", ["HQ-B1-DC"], 0),
    ("dmt-hys", "多媒体会议室", ["HQ-1F-M101", "HQ-2F-M201", "HQ-3F-M301", "HQ-5F-M501"], 1),
]


def load(org=None) -> dict:
    from zhidu.org.models import Person

    from .models import Location, SubLedger
    from .services import subledger as services

    if org is None or not getattr(org, "units", None) or SubLedger.objects.filter(code=SUBLEDGERS[0][0]).exists():
        return {"subledgers": 0}
    unit = org.units.get("XXZX") or getattr(org, "it_authority", None)
    if unit is None:
        return {"subledgers": 0}
    people = list(Person.objects.filter(department=unit).order_by("employee_no")[:2])
    made = 0
    for code, name, location_codes, keeper_index in SUBLEDGERS:
        locations = list(Location.objects.filter(code__in=location_codes))
        if not locations:
            continue
        keeper = people[keeper_index] if len(people) > keeper_index else None
        subledger = services.save_subledger(actor=None, code=code, name=name, department=unit, keeper=keeper,
                                            locations=locations)
        made += 1
        if code == "xxzx-jf":  # the server room's labels are on the devices (签)
            services.record_label_print(assets=list(services.subledger_assets(subledger)), actor=None,
                                        sheet="demo")
    return {"subledgers": made}
