"""Demo data of equipment custody (AST-03 … AST-19, VAR-12), through the services.

Called by the ledger's demo hook after the demo ledger exists:
`from . import demo_custody; demo_custody.load(org)`. Idempotent (nothing happens once an issue
exists) and deterministic. What it shows:

* 秦月 (joining, 生产部) has an equipment-preparation task and a letter waiting for her
  signature (home panel 待我签署) — log in as qinyue;
* 罗婷 signed her letter in the browser (drawn signature, frozen text, outbound slip);
* 高敏 handed back a device without one accessory: the return is checked incomplete;
* 马超 asked to hand a device to 梁燕 (custodian change, waiting for IT);
* 陆平 is leaving: the clearance lists what he still holds and cannot be signed off yet;
* 钱莉 damaged a device: the incident with its VAR-12 compensation is in approval.
"""

from __future__ import annotations

import base64
import struct
import zlib


def _signature_png(width: int = 240, height: int = 80) -> str:
    """A plausible drawn signature: a white PNG with a dark wave (deterministic)."""
    rows = []
    for y in range(height):
        row = bytearray(b"\xff" * width)
        for x in range(20, width - 20):
            wave = int(height / 2 + (height / 4) * ((x % 40) - 20) / 20 * (1 if (x // 40) % 2 else -1))
            if abs(y - wave) <= 1:
                row[x] = 0x20
        rows.append(b"\x00" + bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def load(org=None, *, stdout=None) -> dict:
    from zhidu.core.errors import RuleViolation

    from .choices import AssetStatus
    from .models import Asset, AssetIssue, DamageIncident
    from .services import custody as services

    counts = {"issues": 0, "returns": 0, "changes": 0, "clearances": 0, "incidents": 0}
    if AssetIssue.objects.exists():
        return counts
    people = getattr(org, "people", None) or {}
    it_person = people.get("zhangwei")
    if it_person is None or it_person.user is None:
        return counts
    it = it_person.user
    services.active_template()
    stock = list(Asset.objects.filter(status=AssetStatus.IN_STOCK, is_public=False, model__isnull=False)
                 .order_by("number")[:4])

    def held(username):
        person = people.get(username)
        if person is None:
            return None, None
        asset = (Asset.objects.filter(custodian=person, status=AssetStatus.IN_USE).select_related("model")
                 .order_by("number").first())
        return person, asset

    def attempt(label, func):
        try:
            func()
            counts[label] += 1
        except RuleViolation as error:  # a demo variant without the needed people or devices
            if stdout is not None:
                stdout.write(f"demo custody: {label} skipped: {error}\n")

    newcomer = people.get("qinyue")
    if newcomer is not None and stock:
        services.create_preparation_task(person=newcomer, actor=it)
        attempt("issues", lambda: services.issue_assets(person=newcomer, assets=[stock[0]], actor=it,
                                                        notes="入职配发"))
    signer = people.get("luoting")
    if signer is not None and signer.user is not None and len(stock) > 1:
        def signed_issue():
            issue = services.issue_assets(person=signer, assets=[stock[1]], actor=it)
            services.sign_letter(letter=issue.letter, actor=signer.user, typed_name=signer.name,
                                 signature=_signature_png(), ip="10.10.2.31")
        attempt("issues", signed_issue)

    person, asset = held("gaomin")
    if asset is not None and asset.model.accessories:
        def incomplete_return():
            ret = services.return_asset(asset=asset, actor=it, returned_accessories=asset.model.accessories[1:],
                                        condition="worn", notes="电源适配器遗失")
            services.check_return(ret=ret, actor=it)
        attempt("returns", incomplete_return)

    person, asset = held("machao")
    colleague = people.get("liangyan")
    if asset is not None and colleague is not None:
        attempt("changes", lambda: services.request_custodian_change(
            asset=asset, to_person=colleague, reason="岗位调整，设备移交", actor=person.user or it))

    leaver = people.get("luping")
    if leaver is not None:
        attempt("clearances", lambda: services.open_clearance(person=leaver, actor=it))

    person, asset = held("qianli")
    if asset is not None:
        def incident():
            record = services.record_incident(asset=asset, kind=DamageIncident.Kind.DAMAGE, actor=it,
                                              description="现场巡检时跌落，屏幕碎裂。",
                                              responsibility=DamageIncident.Responsibility.PERSONAL)
            services.submit_incident(incident=record, actor=it)
        attempt("incidents", incident)
    return counts
