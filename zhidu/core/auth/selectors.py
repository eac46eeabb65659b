"""Read queries for the account and lockout pages."""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


@dataclass(frozen=True)
class Lockout:
    username: str
    ip_address: str | None
    failures: int
    last_attempt: datetime.datetime
    unlocks_at: datetime.datetime | None


def failure_limit() -> int:
    limit = settings.AXES_FAILURE_LIMIT
    return limit if isinstance(limit, int) else 5


def locked_accounts(*, now: datetime.datetime | None = None) -> list[Lockout]:
    """Username/IP pairs locked out now (AXES_LOCKOUT_PARAMETERS: username with IP address).

    Attempts older than the cool-off time no longer count, as in axes itself.
    """
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    now = now or timezone.now()
    cool_off = get_cool_off()
    qs = AccessAttempt.objects.all()
    if cool_off is not None:
        qs = qs.filter(attempt_time__gte=now - cool_off)
    rows = (
        qs.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=failure_limit())
        .order_by("-last_attempt")
    )
    return [
        Lockout(
            username=row["username"] or "",
            ip_address=row["ip_address"],
            failures=row["failures"],
            last_attempt=row["last_attempt"],
            unlocks_at=row["last_attempt"] + cool_off if cool_off is not None else None,
        )
        for row in rows
    ]


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (allowed by the CSP's img-src), generated on the server."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
