"""Every state-changing operation of consumables (DESIGN rule 2).

Stock moves only through `_post`, which writes the movement and updates the balance row in
the same transaction, the row locked with select_for_update; a movement that would make the
stock negative is refused (and the database CheckConstraint backs that up). Issue and ledger
actions are the consumables keeper's (CON-08, 篇14 第十九条 ¶2): permission
`consumables.issue_movement`, held only by the role consumables_keeper.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import TimelineEvent
from zhidu.core.numbering import next_number
from zhidu.core.scoping import has_perm_anywhere, user_person_id

from . import selectors
from .choices import MovementKind, MovementStatus, PeriodKind, PlanStatus, PlanVariant, RecycleCondition
from .models import ConsumableItem, Movement, Need, PlanLine, PurchasePlan, Quota, StockBalance
from .params import OVER_QUOTA_PROCESS, PLAN_PROCESS, value

ARTICLE = "篇14 第十九条"
K = MovementKind


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _person(actor):
    from zhidu.org.models import Person

    user = _user(actor)
    if user is None:
        return None
    person_id = user_person_id(user)
    return Person.objects.filter(pk=person_id).first() if person_id else None


def add_event(obj, *, verb: str, actor=None, message: str = "", data: dict | None = None, now=None):
    event = TimelineEvent.objects.create(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
                                         actor=_user(actor), verb=verb, message=message, data=data or {})
    if now is not None:
        TimelineEvent.objects.filter(pk=event.pk).update(time=now)
    return event


def _year(when) -> int:
    return timezone.localtime(when).year


def require_keeper(actor) -> None:
    """CON-08: only the designated consumables keeper issues and keeps the ledger."""
    if actor is None:
        return  # the system itself (procurement receipt, jobs)
    if not has_perm_anywhere(actor, Movement, "issue"):
        raise RuleViolation(
            _("Only the consumables keeper (耗材管理员) may issue consumables and keep the ledger "
              "(专人负责耗材管理, 篇14 第十九条)."),
            code="not_keeper", article=ARTICLE,
        )


def _require_add(actor) -> None:
    if actor is not None and not has_perm_anywhere(actor, Movement, "add"):
        raise RuleViolation(_("You may not record consumables receipts."), code="forbidden")


def _quantity(quantity, *, allow_negative: bool = False) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if quantity == 0 or (quantity < 0 and not allow_negative):
        raise RuleViolation(_("The quantity must be a whole number greater than zero."), code="invalid")
    return quantity


def _locked_balance(*, item, location) -> StockBalance:
    """The balance row of item × location, created at 0 if missing, locked until the transaction ends."""
    balance = StockBalance.objects.select_for_update().filter(item=item, location=location).first()
    if balance is None:
        try:
            with transaction.atomic():
                StockBalance.objects.create(item=item, location=location, quantity=0)
        except IntegrityError:
            pass  # created concurrently; lock theirs
        balance = StockBalance.objects.select_for_update().get(item=item, location=location)
    return balance


def _apply(*, item, location, delta: int) -> StockBalance:
    """Change the balance of item × location by `delta` under a row lock; refuse a negative result."""
    balance = _locked_balance(item=item, location=location)
    if balance.quantity + delta < 0:
        raise Conflict(
            _("Not enough %(item)s at %(location)s: %(have)d in stock, %(want)d needed.")
            % {"item": item, "location": location, "have": balance.quantity, "want": -delta},
            code="insufficient_stock",
        )
    StockBalance.objects.filter(pk=balance.pk).update(quantity=F("quantity") + delta, updated=timezone.now())
    balance.quantity += delta
    return balance


def _movement(*, kind, item, location, quantity, actor, now=None, status=MovementStatus.POSTED, **fields) -> Movement:
    when = fields.pop("occurred_at", None) or now or timezone.now()
    movement = Movement(kind=kind, item=item, location=location, quantity=quantity, status=status, occurred_at=when,
                        recorded_by=_user(actor), **fields)
    movement.number = next_number("HC", year=_year(when))
    if status == MovementStatus.POSTED and kind in (K.RECEIPT, K.ISSUE, K.RETURN, K.ADJUSTMENT, K.TRANSFER):
        _apply(item=item, location=location, delta=quantity)
    movement.save()
    return movement


# --- catalogue ------------------------------------------------------------------------------


ITEM_FIELDS = ("code", "name", "category", "unit", "specification", "reorder_level", "unit_price", "is_active")


def save_item(*, actor, item: ConsumableItem | None = None, fits=None, **fields) -> ConsumableItem:
    """Create or change a catalogue entry (CON-01); the keeper's job."""
    require_keeper(actor)
    with transaction.atomic():
        item = item or ConsumableItem()
        for name in ITEM_FIELDS:
            if name in fields:
                setattr(item, name, fields[name])
        if not (item.name or "").strip() or not (item.code or "").strip():
            raise RuleViolation(_("Code and name are required."), code="required")
        item.full_clean(exclude=["fits"])
        item.save()
        if fits is not None:
            item.fits.set(fits)
    return item


# --- movements ------------------------------------------------------------------------------


def receive(*, item, location, quantity, actor, unit_price=None, note: str = "", stock_in_line=None,
            now=None) -> Movement:
    """A receipt into stock (manual, or from a procurement stock-in when actor is None)."""
    _require_add(actor)
    quantity = _quantity(quantity)
    with transaction.atomic():
        movement = _movement(kind=K.RECEIPT, item=item, location=location, quantity=quantity, actor=actor, now=now,
                             unit_price=unit_price, note=(note or "")[:500], stock_in_line=stock_in_line)
        add_event(movement, verb="received", actor=actor, now=now,
                  message=_("%(qty)d %(unit)s received into %(location)s")
                  % {"qty": quantity, "unit": item.unit, "location": location})
    return movement


def issue(*, item, location, quantity, department, person, actor, note: str = "", now=None) -> Movement:
    """Issue to a department and a person (CON-04), checked against the quotas (CON-05).

    Beyond a quota the issue is flagged; when `consumables.over_quota_requires_approval` is on it
    waits for approval ("consumables.over_quota") and the stock moves only once approved.
    """
    require_keeper(actor)
    quantity = _quantity(quantity)
    if department is None:
        raise RuleViolation(_("The receiving department is required (CON-04)."), code="required")
    if person is None:
        raise RuleViolation(_("The receiving person is required (CON-04)."), code="required")
    when = now or timezone.now()
    with transaction.atomic():
        uses = selectors.quotas_for(department=department, item=item, day=selectors.local_today(when))
        exceeded = [u for u in uses if quantity > u.remaining]
        notes = [_("%(what)s: %(used)d of %(quota)d used, %(left)d left")
                 % {"what": u.label, "used": u.used, "quota": u.quota.quantity, "left": max(u.remaining, 0)}
                 for u in exceeded]
        needs_approval = bool(exceeded) and bool(value("consumables.over_quota_requires_approval"))
        movement = _movement(kind=K.ISSUE, item=item, location=location, quantity=-quantity, actor=actor, now=now,
                             department=department, person=person, note=(note or "")[:500],
                             over_quota=bool(exceeded), quota_note="; ".join(notes)[:255],
                             status=MovementStatus.PENDING if needs_approval else MovementStatus.POSTED)
        if needs_approval:
            # Stock must exist now too, so the approver decides on something that can be issued.
            balance = StockBalance.objects.filter(item=item, location=location).first()
            if balance is None or balance.quantity < quantity:
                raise Conflict(_("Not enough %(item)s at %(location)s.") % {"item": item, "location": location},
                               code="insufficient_stock")
        add_event(movement, verb="issued", actor=actor, now=now,
                  message=_("%(qty)d %(unit)s issued to %(person)s (%(dept)s)")
                  % {"qty": quantity, "unit": item.unit, "person": person, "dept": department}
                  + ("; " + _("over quota") + ": " + movement.quota_note if exceeded else ""))
        if needs_approval:
            from zhidu.core.approvals import services as approvals

            from .approval import ensure_policy

            ensure_policy(OVER_QUOTA_PROCESS, actor)
            approvals.submit(subject=movement, process_key=OVER_QUOTA_PROCESS,
                             requester=_person(actor) or person, actor=actor, now=now)
    return movement


def on_over_quota_approved(subject: Movement, approval) -> None:
    movement = Movement.objects.select_for_update().get(pk=subject.pk)
    if movement.status != MovementStatus.PENDING:
        return
    _apply(item=movement.item, location=movement.location, delta=movement.quantity)
    movement.status = MovementStatus.POSTED
    movement.save(update_fields=["status", "updated"])
    subject.status = movement.status


def on_over_quota_rejected(subject: Movement, approval) -> None:
    movement = Movement.objects.select_for_update().get(pk=subject.pk)
    if movement.status == MovementStatus.PENDING:
        movement.status = MovementStatus.REJECTED
        movement.save(update_fields=["status", "updated"])
        subject.status = movement.status


def return_to_stock(*, item, location, quantity, department, person=None, actor, note: str = "",
                    now=None) -> Movement:
    """Unused items given back by a department (counts against its use)."""
    require_keeper(actor)
    quantity = _quantity(quantity)
    if department is None:
        raise RuleViolation(_("The returning department is required."), code="required")
    with transaction.atomic():
        movement = _movement(kind=K.RETURN, item=item, location=location, quantity=quantity, actor=actor, now=now,
                             department=department, person=person, note=(note or "")[:500])
        add_event(movement, verb="returned", actor=actor, now=now)
    return movement


def recycle(*, item, location, quantity, department, person=None, condition=RecycleCondition.EMPTY, actor,
            note: str = "", now=None) -> Movement:
    """Empties and broken items returned for recycling (CON-09, 篇1 第九条(6), 第三十一条: 废旧耗材统一收回,
    no private disposal). Does not change the usable stock."""
    require_keeper(actor)
    quantity = _quantity(quantity)
    if condition not in RecycleCondition.values:
        raise RuleViolation(_("Unknown condition."), code="invalid")
    with transaction.atomic():
        movement = _movement(kind=K.RECYCLE, item=item, location=location, quantity=quantity, actor=actor, now=now,
                             department=department, person=person, condition=condition, note=(note or "")[:500])
        add_event(movement, verb="recycled", actor=actor, now=now)
    return movement


def adjust(*, item, location, quantity, reason: str, actor, now=None) -> Movement:
    """A stock-take correction (±), with its reason."""
    require_keeper(actor)
    quantity = _quantity(quantity, allow_negative=True)
    if not (reason or "").strip():
        raise RuleViolation(_("An adjustment needs its reason."), code="required")
    with transaction.atomic():
        movement = _movement(kind=K.ADJUSTMENT, item=item, location=location, quantity=quantity, actor=actor,
                             now=now, note=reason.strip()[:500])
        add_event(movement, verb="adjusted", actor=actor, now=now, message=reason.strip())
    return movement


def count_stock(*, item, location, quantity, reason: str, actor, unit_price=None, now=None) -> Movement | None:
    """Bring the balance of item × location to a counted quantity (opening balance or stock count,
    CON-06; the stock import, issue #3): posts the one adjustment (±) that makes the difference,
    computed under the balance's row lock, or nothing when the balance is already right. The
    quantity is a stock level, so it is never negative and neither is the resulting balance."""
    require_keeper(actor)
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = -1
    if quantity < 0:
        raise RuleViolation(_("The counted quantity must be a whole number, zero or more."), code="invalid")
    if not (reason or "").strip():
        raise RuleViolation(_("An adjustment needs its reason."), code="required")
    with transaction.atomic():
        delta = quantity - _locked_balance(item=item, location=location).quantity
        if delta == 0:
            return None
        movement = _movement(kind=K.ADJUSTMENT, item=item, location=location, quantity=delta, actor=actor, now=now,
                             unit_price=unit_price, note=reason.strip()[:500])
        add_event(movement, verb="adjusted", actor=actor, now=now, message=reason.strip())
    return movement


def transfer(*, item, source, target, quantity, actor, note: str = "", now=None) -> tuple[Movement, Movement]:
    """Move stock between locations: two rows (− at the source, + at the target) sharing a key."""
    require_keeper(actor)
    quantity = _quantity(quantity)
    if source == target:
        raise RuleViolation(_("Source and target location must differ."), code="invalid")
    key = uuid.uuid4().hex
    with transaction.atomic():
        out = _movement(kind=K.TRANSFER, item=item, location=source, quantity=-quantity, actor=actor, now=now,
                        transfer_key=key, note=(note or "")[:500])
        into = _movement(kind=K.TRANSFER, item=item, location=target, quantity=quantity, actor=actor, now=now,
                         transfer_key=key, note=(note or "")[:500])
    return out, into


# --- procurement receipts ---------------------------------------------------------------------


def warehouse_for(name: str):
    """The Location a stock-in names (by code or name), else the first warehouse, else a new one."""
    from zhidu.assets.models import Location

    name = (name or "").strip()
    if name:
        found = Location.objects.filter(code=name).first() or Location.objects.filter(name=name).first()
        if found is not None:
            return found
    found = Location.objects.filter(is_warehouse=True, is_active=True).order_by("code").first()
    if found is not None:
        return found
    code = f"WH-{uuid.uuid4().hex[:8].upper()}"
    return Location.objects.create(code=code, name=name[:100] or _("Consumables warehouse"), is_warehouse=True)


def receive_stock_in(stock_in) -> list[Movement]:
    """Book a receipt for each consumable line of a procurement stock-in (idempotent per line)."""
    from zhidu.procurement.choices import LineCategory

    created = []
    with transaction.atomic():
        lines = stock_in.lines.select_related("line").filter(line__category=LineCategory.CONSUMABLE)
        location = None
        for stock_line in lines:
            if Movement.objects.filter(stock_in_line=stock_line).exists():
                continue
            line = stock_line.line
            item = ConsumableItem.objects.filter(name=line.item.strip()).first()
            if item is None:
                item = ConsumableItem.objects.create(
                    code=f"C-{stock_line.pk:06d}", name=line.item.strip()[:200], category=guess_category(line.item),
                    unit=(line.unit or "个")[:10], specification=(line.specification or "")[:255],
                    unit_price=line.unit_price or Decimal("0.00"))
            location = location or warehouse_for(stock_in.location)
            movement = receive(item=item, location=location, quantity=stock_line.quantity, actor=None,
                               unit_price=line.unit_price, stock_in_line=stock_line,
                               note=_("Stock-in %(no)s") % {"no": stock_in.number}, now=stock_in.received_at)
            created.append(movement)
    return created


def guess_category(name: str) -> str:
    from .choices import ConsumableCategory as C

    text = name or ""
    for words, category in ((("硒鼓", "drum"), C.DRUM), (("墨盒", "ink"), C.INK), (("色带", "ribbon"), C.RIBBON),
                            (("光盘", "disc", "dvd", "cd"), C.DISC), (("墨粉", "toner"), C.TONER)):
        if any(w in text.lower() for w in words):
            return category
    return C.PART


# --- quotas and needs ---------------------------------------------------------------------------


def set_quota(*, department, period_kind: str, period_start: datetime.date, quantity, actor, item=None,
              category: str = "", note: str = "") -> Quota:
    """Set (create or change) a department quota (CON-05, 篇14 第十九条 ¶2)."""
    require_keeper(actor)
    if (item is None) == (not category):
        raise RuleViolation(_("A quota is for one consumable or for one category, not both."), code="invalid")
    if period_kind not in PeriodKind.values:
        raise RuleViolation(_("Unknown period."), code="invalid")
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = -1
    if quantity < 0:
        raise RuleViolation(_("The quota must be zero or more."), code="invalid")
    start = selectors.period_start(period_kind, period_start)
    with transaction.atomic():
        quota = Quota.objects.select_for_update().filter(
            department=department, item=item, category="" if item else category, period_kind=period_kind,
            period_start=start).first()
        if quota is None:
            quota = Quota(department=department, item=item, category="" if item else category,
                          period_kind=period_kind, period_start=start)
        quota.quantity = quantity
        quota.note = (note or "")[:255]
        quota.save()
    return quota


def delete_quota(*, quota: Quota, actor) -> None:
    require_keeper(actor)
    quota.delete()


def add_need(*, department, item, period_kind: str, period_start: datetime.date, quantity, actor,
             note: str = "") -> Need:
    """A department's request for a coming period (an input of the purchase plans)."""
    from zhidu.org.selectors import can_act_in_unit

    quantity = _quantity(quantity)
    if actor is not None and not can_act_in_unit(actor, "consumables.add_need", department):
        raise RuleViolation(_("You may not record requests for %(unit)s.") % {"unit": department}, code="forbidden")
    with transaction.atomic():
        return Need.objects.create(department=department, item=item, period_kind=period_kind,
                                   period_start=selectors.period_start(period_kind, period_start), quantity=quantity,
                                   requested_by=_person(actor), note=(note or "")[:255])


# --- purchase plans (VAR-02) -------------------------------------------------------------------


def _plan_period(variant: str) -> str:
    return PeriodKind.MONTH if variant == PlanVariant.A else PeriodKind.QUARTER


def draft_plan(*, actor, variant: str | None = None, period_start: datetime.date | None = None, now=None,
               auto: bool = False) -> PurchasePlan:
    """Draft a plan sized from the historical monthly average (N05/N06), department requests and
    stock: (A) for a month, (B) the 《耗材采购季度计划》 for a quarter (N33)."""
    variant = variant or value("consumables.plan_variant")
    if variant not in PlanVariant.values:
        raise RuleViolation(_("Unknown plan variant."), code="invalid")
    kind = _plan_period(variant)
    start = selectors.period_start(kind, period_start or selectors.local_today(now))
    months = int(value("consumables.average_months") or 3)
    label = selectors.period_label(kind, start)
    title = (_("Consumables purchase quarterly plan %(period)s") if variant == PlanVariant.B
             else _("Monthly consumables purchase %(period)s")) % {"period": label}
    when = now or timezone.now()
    with transaction.atomic():
        if auto and PurchasePlan.objects.filter(variant=variant, period_kind=kind, period_start=start,
                                                auto_generated=True).exists():
            raise Conflict(_("A plan was already drafted for this period."), code="exists")
        plan = PurchasePlan(variant=variant, period_kind=kind, period_start=start, title=title, average_months=months,
                            prepared_by=_person(actor), auto_generated=auto)
        plan.number = next_number("HCJH", year=start.year)
        plan.save()
        for row in selectors.plan_sizing(period_kind=kind, start=start, months=months):
            if not (row.proposed or row.requested):
                continue
            PlanLine.objects.create(plan=plan, item=row.item, monthly_average=row.monthly_average,
                                    expected_use=row.expected_use, requested=row.requested, stock=row.stock,
                                    proposed=row.proposed, quantity=row.proposed, unit_price=row.item.unit_price)
        add_event(plan, verb="created", actor=actor, now=when,
                  message=_("Drafted by the periodic job") if auto else _("Drafted"))
    return plan


def update_plan(*, plan: PurchasePlan, actor, quantities: dict[int, int], notes: str | None = None) -> PurchasePlan:
    """Change the quantities to buy (line id → quantity) of a draft or returned plan."""
    require_keeper(actor)
    with transaction.atomic():
        plan = PurchasePlan.objects.select_for_update().get(pk=plan.pk)
        if not plan.is_editable:
            raise Conflict(_("Only a draft or returned plan can be changed."), code="not_editable")
        lines = {line.pk: line for line in plan.lines.all()}
        for line_id, quantity in quantities.items():
            line = lines.get(int(line_id))
            if line is None:
                raise RuleViolation(_("Unknown plan line %(id)s.") % {"id": line_id}, code="invalid")
            try:
                quantity = int(quantity)
            except (TypeError, ValueError):
                quantity = -1
            if quantity < 0:
                raise RuleViolation(_("Quantities must be zero or more."), code="invalid")
            if line.quantity != quantity:
                line.quantity = quantity
                line.save(update_fields=["quantity", "updated"])
        if notes is not None:
            plan.notes = notes
            plan.save(update_fields=["notes", "updated"])
    return plan


def submit_plan(*, plan: PurchasePlan, actor, now=None) -> PurchasePlan:
    from zhidu.core.approvals import services as approvals

    from .approval import ensure_policy

    require_keeper(actor)
    with transaction.atomic():
        plan = PurchasePlan.objects.select_for_update().get(pk=plan.pk)
        if not plan.is_editable:
            raise Conflict(_("This plan is not a draft."), code="not_editable")
        if not plan.lines.filter(quantity__gt=0).exists():
            raise RuleViolation(_("The plan has nothing to buy."), code="empty")
        requester = _person(actor) or plan.prepared_by
        if requester is None:
            raise RuleViolation(_("Your account is not linked to a person, so it cannot submit."), code="no_person")
        if plan.prepared_by is None:
            plan.prepared_by = requester
        plan.status = PlanStatus.SUBMITTED
        plan.save(update_fields=["status", "prepared_by", "updated"])
        ensure_policy(PLAN_PROCESS, actor)
        approvals.submit(subject=plan, process_key=PLAN_PROCESS, requester=requester, actor=actor, now=now)
    return plan


def _set_plan_status(subject, status) -> None:
    PurchasePlan.objects.filter(pk=subject.pk).update(status=status, updated=timezone.now())
    subject.status = status


def on_plan_approved(subject: PurchasePlan, approval) -> None:
    """The approved plan becomes a procurement 《信息化配置需求计划》 with one consumable line per item."""
    from zhidu.procurement import services as procurement
    from zhidu.procurement.choices import LineCategory, RequestKind

    plan = PurchasePlan.objects.select_for_update().get(pk=subject.pk)
    lines = [procurement.LineInput(item=line.item.name, quantity=line.quantity, unit_price=line.unit_price,
                                   category=LineCategory.CONSUMABLE, specification=line.item.specification,
                                   unit=line.item.unit)
             for line in plan.lines.select_related("item").filter(quantity__gt=0)]
    requester = plan.prepared_by or approval.requester
    request = procurement.create_request(
        requester=requester, actor=approval.submitted_by, title=plan.title[:200], lines=lines,
        kind=RequestKind.PLAN, purpose=_("Consumables purchase plan %(no)s (VAR-02)") % {"no": plan.number},
    )
    PurchasePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED, purchase_request=request,
                                                   updated=timezone.now())
    subject.status, subject.purchase_request = PlanStatus.APPROVED, request
    add_event(plan, verb="purchase_requested", message=_("Purchase request %(no)s created") % {"no": request.number},
              data={"purchase_request": request.pk})


def on_plan_rejected(subject, approval) -> None:
    _set_plan_status(subject, PlanStatus.REJECTED)


def on_plan_returned(subject, approval) -> None:
    _set_plan_status(subject, PlanStatus.RETURNED)


def on_plan_withdrawn(subject, approval) -> None:
    _set_plan_status(subject, PlanStatus.WITHDRAWN)


def first_working_day(start: datetime.date) -> datetime.date:
    from zhidu.core.calendar import is_working_day

    day = start
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def draft_periodic_plan(*, now=None) -> PurchasePlan | None:
    """The periodic job (N05/N33): on the first working day of the month (A) or quarter (B) and
    any later day of the period while none exists, draft the plan of the configured variant —
    once per period (idempotent)."""
    variant = value("consumables.plan_variant")
    kind = _plan_period(variant)
    today = selectors.local_today(now)
    start = selectors.period_start(kind, today)
    if today < first_working_day(start):
        return None
    if PurchasePlan.objects.filter(variant=variant, period_kind=kind, period_start=start, auto_generated=True).exists():
        return None
    try:
        with transaction.atomic():
            return draft_plan(actor=None, variant=variant, period_start=start, now=now, auto=True)
    except (Conflict, IntegrityError):
        return None


# --- low-stock alerts ------------------------------------------------------------------------


def low_stock_alerts(*, now=None) -> int:
    """Notify the consumables keepers of each item that fell to its reorder level, once per
    crossing: the flag is cleared when the stock rises above the level again."""
    from zhidu.core.notifications import notify
    from zhidu.org.selectors import holders_of_role

    totals = selectors.stock_totals()
    sent = 0
    keepers = None
    for item in ConsumableItem.objects.filter(is_active=True):
        total = totals.get(item.pk, 0)
        low = total <= item.reorder_level
        if low and not item.low_stock_alerted:
            if keepers is None:
                keepers = holders_of_role("consumables_keeper")
            notify(users=keepers, verb="consumables.low_stock", link=str(item.get_absolute_url()),
                   message=_("Low stock: %(item)s has %(qty)d %(unit)s left (reorder level %(level)d).")
                   % {"item": item.name, "qty": total, "unit": item.unit, "level": item.reorder_level})
            ConsumableItem.objects.filter(pk=item.pk).update(low_stock_alerted=True)
            sent += 1
        elif not low and item.low_stock_alerted:
            ConsumableItem.objects.filter(pk=item.pk).update(low_stock_alerted=False)
    return sent
