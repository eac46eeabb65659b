"""Human-readable document numbers without gaps or duplicates (DESIGN rule 8)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DocumentSequence


def next_number(key: str, *, prefix: str | None = None, width: int = 6, year: int | None = None) -> str:
    """Allocate the next number of a series, e.g. `next_number("CG")` → "CG-2026-000042".

    Must run inside the transaction that saves the document: the sequence row stays locked
    until it commits, and a rollback returns the number.
    """
    return next_numbers(key, 1, prefix=prefix, width=width, year=year)[0]


def next_numbers(key: str, count: int, *, prefix: str | None = None, width: int = 6,
                 year: int | None = None) -> list[str]:
    """Allocate `count` consecutive numbers of a series with one locked update (bulk imports)."""
    year = year or timezone.localdate().year
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that saves the document")
    if count <= 0:
        return []
    for _attempt in range(3):
        seq = DocumentSequence.objects.select_for_update().filter(key=key, year=year).first()
        if seq is None:
            try:
                with transaction.atomic():
                    seq = DocumentSequence.objects.create(key=key, year=year, last=0)
            except IntegrityError:
                continue  # another transaction created it first; lock theirs
            seq = DocumentSequence.objects.select_for_update().get(pk=seq.pk)
        first = seq.last + 1
        seq.last += count
        seq.save(update_fields=["last"])
        return [f"{prefix or key}-{year}-{n:0{width}d}" for n in range(first, seq.last + 1)]
    raise RuntimeError(f"could not allocate a number for series {key}")
