"""Custody of equipment: issue with the responsibility letter, return, replacement, custodian
change, loans, reallocation, hire/leave, damage and loss (AST-03 … AST-19, VAR-12).

Every function is keyword-only, runs in `transaction.atomic`, checks the asset lifecycle
(`zhidu.assets.workflows.check`) and the regulation's guards, and writes a timeline event.
Refusals raise `RuleViolation` (API 400) or `Conflict` (API 409) citing the article.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import struct
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import TimelineEvent
from zhidu.core.numbering import next_number

from .. import workflows
from ..choices import AssetStatus
from ..models import (
    Asset,
    AssetIssue,
    AssetIssueLine,
    AssetLoan,
    AssetReturn,
    Clearance,
    CustodianChange,
    CustodyPeriod,
    DamageIncident,
    LetterTemplate,
    PreparationTask,
    Reallocation,
    ResponsibilityLetter,
)
from ..models.custody import DEFAULT_LETTER_BODY

__all__ = [
    "COMPENSATION_PARAM", "COMPENSATION_PROCESS", "LOAN_PROCESS", "CompensationRule", "active_template",
    "cancel_custodian_change", "cancel_issue", "check_return", "complete_preparation_task", "create_preparation_task", "compensation_for",
    "execute_custodian_change", "held_assets", "issue_assets", "letter_items", "open_clearance", "overdue_loans",
    "preview_template", "reallocate", "record_incident", "remind_overdue_loans", "render_letter",
    "request_custodian_change", "request_loan", "return_asset", "save_template", "sign_letter",
    "sign_off_clearance", "submit_incident", "upload_signed_scan", "validate_scan", "validate_signature",
]

S = AssetStatus
CENT = Decimal("0.01")

LOAN_PROCESS = "assets.loan"
COMPENSATION_PROCESS = "assets.compensation"
COMPENSATION_PARAM = "assets.compensation_rule"

#: Signature images: a PNG data URL of at most this many bytes once decoded.
SIGNATURE_MAX_BYTES = 300_000
SIGNATURE_MAX_SIDE = 4000
#: Signed scans: PDF/JPG/PNG up to 10 MB.
SCAN_MAX_BYTES = 10 * 1024 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class CompensationRule:
    """VAR-12: who pays for damage or loss, and how much (篇1 第十条(3), 第十二条; N07)."""

    USER_PAYS = "user_pays"
    DEPARTMENT_PAYS = "department_pays"
    FULL_PRICE = "full_price"
    DOUBLE = "double"

    CHOICES = [
        (USER_PAYS, gettext_lazy("The custodian pays the depreciated value")),
        (DEPARTMENT_PAYS, gettext_lazy("The department pays the depreciated value")),
        (FULL_PRICE, gettext_lazy("The custodian pays the full purchase price")),
        (DOUBLE, gettext_lazy("Double the depreciated value (illicit transfer or sale, 篇1 第十条(3))")),
    ]


# --- Helpers -------------------------------------------------------------------------------


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _person_of(actor):
    from zhidu.org.models import Person

    user = _user(actor)
    if user is None:
        return None
    return Person.objects.filter(user=user).first()


def add_event(obj, *, verb: str, actor=None, message: str = "", data: dict | None = None) -> TimelineEvent:
    """One timeline event on `obj`."""
    return TimelineEvent.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), actor=_user(actor),
        verb=verb, message=str(message), data=data or {},
    )


def _lock_asset(asset: Asset) -> Asset:
    return Asset.objects.select_for_update().get(pk=asset.pk)


def _check_person_current(person, *, what: str):
    from zhidu.org.choices import EmploymentStatus
    from zhidu.org.models import Person

    status = Person.objects.filter(pk=person.pk).values_list("status", flat=True).first()
    if status in (EmploymentStatus.LEAVING, EmploymentStatus.LEFT):
        raise RuleViolation(
            _("%(person)s is leaving or has left: %(what)s is not possible (篇1 第九条(5)).")
            % {"person": person, "what": what},
            code="person_leaving", article="篇1 第九条(5)",
        )


def _open_period(asset: Asset, *, custodian, department, reason: str, now, letter=None) -> CustodyPeriod:
    return CustodyPeriod.objects.create(asset=asset, custodian=custodian, department=department, started=now,
                                        reason=reason, letter=letter)


def _close_period(asset: Asset, *, now) -> None:
    for period in CustodyPeriod.objects.filter(asset=asset, ended__isnull=True):
        period.ended = now
        period.save(update_fields=["ended", "updated"])


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _depreciated_value(asset, on) -> Decimal:
    """The book value from the ledger's `depreciated_value` (A1); unknown price → 0.00."""
    from .ledger import depreciated_value

    value = depreciated_value(asset, on=on)
    return _money(value if value is not None else 0)


# --- Letter templates and letters ----------------------------------------------------------

_ENGINE = Engine(autoescape=False, libraries={}, builtins=["django.template.defaultfilters"])


def _compile(body: str):
    try:
        return _ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        raise RuleViolation(_("The template text has an error: %(error)s") % {"error": exc}, code="template_syntax",
                            ) from None


def active_template() -> LetterTemplate:
    """The template in use; the default Chinese text (篇1 第十条) is seeded when there is none."""
    template = LetterTemplate.objects.filter(is_active=True).order_by("-id").first()
    if template is None:
        template = LetterTemplate.objects.create(name="设备管理责任书（默认）", body=DEFAULT_LETTER_BODY, is_active=True)
    return template


@transaction.atomic
def save_template(*, actor, body: str, name: str = "", template: LetterTemplate | None = None,
                  activate: bool = True) -> LetterTemplate:
    """Create or edit a letter template. Letters already signed keep their frozen text (AST-03)."""
    body = (body or "").strip()
    if not body:
        raise RuleViolation(_("The template text is required."), code="required")
    preview_template(body)  # refuses text that does not compile or render
    if template is None:
        template = LetterTemplate(name=(name or _("Responsibility letter")).strip()[:100])
    elif name:
        template.name = name.strip()[:100]
    template.body = body
    template.is_active = template.is_active or activate
    template.save()
    if activate:
        LetterTemplate.objects.filter(is_active=True).exclude(pk=template.pk).update(is_active=False)
    add_event(template, verb="custody_edited", actor=actor, message=_("Letter template saved."))
    return template


def letter_items(letter: ResponsibilityLetter) -> list[Asset]:
    """The devices a letter covers (of its issue, or of its custodian change)."""
    issue = AssetIssue.objects.filter(letter=letter).first()
    if issue is not None:
        return [line.asset for line in issue.lines.select_related("asset__model").order_by("id")]
    change = CustodianChange.objects.filter(letter=letter).select_related("asset__model").first()
    return [change.asset] if change is not None else []


def items_table(assets) -> str:
    """The {{ items }} placeholder: a plain-text table of the devices."""
    header = f"{_('Seq.')}  {_('Asset number')}  {_('Name')}  {_('Model')}  {_('Serial number')}"
    rows = [header]
    for index, asset in enumerate(assets, start=1):
        rows.append(f"{index}.  {asset.number}  {asset.name}  {asset.model or '—'}  {asset.serial_number or '—'}")
    return "\n".join(rows)


def render_body(body: str, *, person, department, assets, date: datetime.date, organisation: str = "") -> str:
    if not organisation:
        from zhidu.org.models import OrgUnit

        root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
        organisation = str(root) if root else ""
    context = Context({
        "person": person.name, "department": str(department), "items": items_table(assets),
        "date": date.isoformat(), "organisation": organisation,
    })
    template = _compile(body)
    try:
        return template.render(context).strip()
    except Exception as exc:  # noqa: BLE001 - e.g. {% include %} of a template that does not exist
        raise RuleViolation(_("The template text has an error: %(error)s") % {"error": exc},
                            code="template_render") from None


def render_letter(letter: ResponsibilityLetter, *, on: datetime.date | None = None) -> str:
    """The text of the letter: frozen once signed; rendered from its template until then."""
    if letter.status == ResponsibilityLetter.Status.SIGNED and letter.text:
        return letter.text
    body = LetterTemplate.objects.filter(pk=letter.template_id).values_list("body", flat=True).first() or ""
    return render_body(body, person=letter.person, department=letter.department,
                       assets=letter_items(letter), date=on or timezone.localdate())


def preview_template(body: str) -> str:
    """Sample rendering for the template editor's preview."""
    from types import SimpleNamespace

    sample_person = SimpleNamespace(name="张三")
    sample = [SimpleNamespace(number="ZC-2026-000001", name="笔记本电脑", model="联想 ThinkPad T14",
                              serial_number="PF3ABC12")]
    return render_body(body, person=sample_person, department="财务部", assets=sample, date=timezone.localdate())


def _new_letter(*, person, department, actor) -> ResponsibilityLetter:
    return ResponsibilityLetter.objects.create(
        number=next_number("ZRS"), person=person, department=department, template=active_template(),
        created_by=_user(actor),
    )


def validate_signature(data_url: str) -> bytes:
    """A drawn signature: `data:image/png;base64,…`, a real PNG within the size limits (AST-03)."""
    prefix = "data:image/png;base64,"
    if not isinstance(data_url, str) or not data_url.startswith(prefix):
        raise RuleViolation(_("The signature must be a PNG image drawn on the page."), code="signature_invalid")
    encoded = data_url[len(prefix):]
    if len(encoded) > SIGNATURE_MAX_BYTES * 4 // 3 + 8:
        raise RuleViolation(_("The signature image is too large."), code="signature_too_large")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolation(_("The signature must be a PNG image drawn on the page."),
                            code="signature_invalid") from None
    if len(raw) > SIGNATURE_MAX_BYTES:
        raise RuleViolation(_("The signature image is too large."), code="signature_too_large")
    if len(raw) < 33 or not raw.startswith(PNG_MAGIC) or raw[12:16] != b"IHDR":
        raise RuleViolation(_("The signature must be a PNG image drawn on the page."), code="signature_invalid")
    width, height = struct.unpack(">II", raw[16:24])
    if not (10 <= width <= SIGNATURE_MAX_SIDE and 10 <= height <= SIGNATURE_MAX_SIDE):
        raise RuleViolation(_("The signature image has an unusable size."), code="signature_invalid")
    if not raw.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
        raise RuleViolation(_("The signature image is incomplete."), code="signature_invalid")
    return raw


def _norm_name(name: str) -> str:
    return "".join((name or "").split()).casefold()


def _lock_letter(letter) -> ResponsibilityLetter:
    locked = ResponsibilityLetter.objects.select_for_update().get(pk=letter.pk)
    if locked.status != ResponsibilityLetter.Status.AWAITING:
        raise Conflict(_("Letter %(number)s is not awaiting a signature.") % {"number": locked.number},
                       code="letter_not_awaiting")
    return locked


@transaction.atomic
def sign_letter(*, letter: ResponsibilityLetter, actor, typed_name: str, signature: str, ip: str | None = None,
                now=None) -> ResponsibilityLetter:
    """The custodian signs in the browser: typed full name + drawn signature; time and IP recorded.

    The text is frozen as rendered now (AST-03); the issue or custodian change then completes.
    """
    now = now or timezone.now()
    letter = _lock_letter(letter)
    person = _person_of(actor)
    if person is None or person.pk != letter.person_id:
        raise RuleViolation(_("Only %(person)s can sign this letter.") % {"person": letter.person},
                            code="not_custodian")
    if _norm_name(typed_name) != _norm_name(letter.person.name):
        raise RuleViolation(_("Type your full name exactly as “%(name)s”.") % {"name": letter.person.name},
                            code="name_mismatch")
    validate_signature(signature)
    letter.text = render_letter(letter, on=timezone.localtime(now).date())
    letter.signed_name = typed_name.strip()[:100]
    letter.signature = signature
    letter.signed_at = now
    letter.signed_ip = ip or None
    letter.status = ResponsibilityLetter.Status.SIGNED
    letter.save()
    add_event(letter, verb="custody_signed", actor=actor,
              message=_("Signed by %(name)s from %(ip)s.") % {"name": letter.signed_name, "ip": ip or "—"})
    _letter_signed(letter, actor=actor, now=now)
    return letter


def validate_scan(upload) -> None:
    name = (getattr(upload, "name", "") or "").lower()
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise RuleViolation(_("The scan is empty."), code="scan_invalid")
    if size > SCAN_MAX_BYTES:
        raise RuleViolation(_("The scan is larger than 10 MB."), code="scan_too_large")
    head = upload.read(8)
    upload.seek(0)
    kinds = {".pdf": (b"%PDF",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".png": (PNG_MAGIC,)}
    ext = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if ext not in kinds or not any(head.startswith(m) for m in kinds[ext]):
        raise RuleViolation(_("Upload the signed letter as PDF, JPG or PNG."), code="scan_invalid")


@transaction.atomic
def upload_signed_scan(*, letter: ResponsibilityLetter, actor, scan, now=None) -> ResponsibilityLetter:
    """IT uploads a scan of the letter signed on paper; the text is frozen as printed (AST-03)."""
    now = now or timezone.now()
    letter = _lock_letter(letter)
    validate_scan(scan)
    letter.text = render_letter(letter, on=timezone.localtime(now).date())
    letter.scan = scan
    letter.signed_name = letter.person.name
    letter.signed_at = now
    letter.status = ResponsibilityLetter.Status.SIGNED
    letter.save()
    add_event(letter, verb="custody_signed", actor=actor, message=_("Signed scan uploaded."))
    _letter_signed(letter, actor=actor, now=now)
    return letter


def _letter_signed(letter, *, actor, now) -> None:
    issue = AssetIssue.objects.select_for_update().filter(letter=letter).first()
    if issue is not None:
        _complete_issue(issue, actor=actor, now=now)
    change = CustodianChange.objects.select_for_update().filter(letter=letter).first()
    if change is not None:
        _complete_change(change, actor=actor, now=now)


# --- Issue (领用, AST-03) and replacement (AST-04) -----------------------------------------


@transaction.atomic
def issue_assets(*, person, assets, actor, replaces: dict | None = None, notes: str = "", now=None) -> AssetIssue:
    """Issue in-stock devices to `person`: one letter and one 设备出库单 for all of them (AST-03).

    `replaces` maps the new asset's pk to the old device it replaces; the old device must have
    been returned and checked complete first (AST-04, 篇1 第九条(4)). The assets stay in stock,
    reserved, until the letter is signed.
    """
    replaces = replaces or {}
    assets = list(assets)
    if not assets:
        raise RuleViolation(_("Choose at least one device to issue."), code="no_items")
    if len({a.pk for a in assets}) != len(assets):
        raise RuleViolation(_("A device is listed twice."), code="duplicate")
    _check_person_current(person, what=_("issuing equipment"))
    locked = []
    for asset in assets:
        asset = _lock_asset(asset)
        workflows.check(asset, "issue")
        old = replaces.get(asset.pk)
        if old is not None:
            if old.pk == asset.pk:
                raise RuleViolation(_("A device cannot replace itself."), code="invalid")
            workflows.guard_replacement_returned(Asset.objects.get(pk=old.pk), person=person)
        locked.append(asset)
    letter = _new_letter(person=person, department=person.department, actor=actor)
    issue = AssetIssue.objects.create(number=next_number("CK"), person=person, department=person.department,
                                      letter=letter, issued_by=_user(actor), notes=notes or "")
    for asset in locked:
        old = replaces.get(asset.pk)
        AssetIssueLine.objects.create(issue=issue, asset=asset, replaces=old)
    add_event(issue, verb="custody_created", actor=actor,
              message=_("%(count)d device(s) to issue to %(person)s; waiting for the signed letter %(letter)s.")
              % {"count": len(locked), "person": person, "letter": letter.number})
    if person.user_id:
        from zhidu.core.notifications import notify

        transaction.on_commit(lambda: notify(
            users=[person.user], verb="assets.letter",
            message=_("Please sign the responsibility letter %(number)s.") % {"number": letter.number},
            link=f"/assets/custody/letters/{letter.pk}/sign/",
        ))
    return issue


def _complete_issue(issue: AssetIssue, *, actor, now) -> None:
    if issue.status != AssetIssue.Status.AWAITING:
        raise Conflict(_("Issue %(number)s is not waiting for a signature.") % {"number": issue.number},
                       code="issue_not_awaiting")
    for line in issue.lines.order_by("id"):
        asset = _lock_asset(line.asset)
        workflows.check(asset, "issue", exclude_issue=issue)
        asset.status = S.IN_USE
        asset.custodian = issue.person
        asset.department = issue.department
        asset.save()
        _close_period(asset, now=now)
        _open_period(asset, custodian=issue.person, department=issue.department, reason="issue", now=now,
                     letter=issue.letter)
        add_event(asset, verb="custody_issued", actor=actor,
                  message=_("Issued to %(person)s (%(number)s).") % {"person": issue.person, "number": issue.number})
    issue.status = AssetIssue.Status.COMPLETED
    issue.completed_at = now
    issue.save()
    add_event(issue, verb="custody_completed", actor=actor, message=_("Letter signed; devices handed over."))


@transaction.atomic
def cancel_issue(*, issue: AssetIssue, actor, reason: str = "") -> AssetIssue:
    issue = AssetIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != AssetIssue.Status.AWAITING:
        raise Conflict(_("Only an issue waiting for its signature can be cancelled."), code="issue_not_awaiting")
    issue.status = AssetIssue.Status.CANCELLED
    issue.save()
    letter = issue.letter
    letter.status = ResponsibilityLetter.Status.VOID
    letter.save()
    add_event(issue, verb="custody_cancelled", actor=actor, message=reason)
    return issue


# --- Return (交回) --------------------------------------------------------------------------


def _clean_accessories(values, expected: list[str]) -> list[str]:
    values = [str(v).strip() for v in (values or []) if str(v).strip()]
    unknown = [v for v in values if v not in expected]
    if unknown:
        raise RuleViolation(_("Unknown accessory: %(names)s.") % {"names": "、".join(unknown)}, code="invalid")
    return [v for v in expected if v in values]


@transaction.atomic
def return_asset(*, asset: Asset, actor, returned_accessories=None, condition: str = AssetReturn.Condition.GOOD,
                 notes: str = "", now=None) -> AssetReturn:
    """The custodian hands a device back (交回); IT then checks it (`check_return`)."""
    asset = _lock_asset(asset)
    workflows.check(asset, "return")
    if condition not in AssetReturn.Condition.values:
        raise RuleViolation(_("Choose the condition of the device."), code="invalid")
    expected = list((asset.model.accessories if asset.model_id else []) or [])
    returned = _clean_accessories(returned_accessories, expected)
    loan = None
    if asset.status == S.ON_LOAN:
        loan = AssetLoan.objects.filter(asset=asset, status=AssetLoan.Status.ON_LOAN).order_by("-id").first()
    ret = AssetReturn.objects.create(
        number=next_number("JH"), asset=asset, person=asset.custodian, department=asset.department, loan=loan,
        expected_accessories=expected, returned_accessories=returned,
        missing_accessories=[a for a in expected if a not in returned], condition=condition, notes=notes or "",
        received_by=_user(actor),
    )
    asset.status = S.RETURN_PENDING
    asset.save()
    add_event(asset, verb="custody_returned", actor=actor,
              message=_("Returned by %(person)s (%(number)s), awaiting check.") % {"person": ret.person,
                                                                                   "number": ret.number})
    return ret


@transaction.atomic
def check_return(*, ret: AssetReturn, actor, returned_accessories=None, condition: str | None = None,
                 notes: str = "", now=None) -> AssetReturn:
    """IT checks a return: all standard accessories there → complete; otherwise incomplete with
    the missing ones recorded. The device goes back in stock and the custody closes either way;
    only a complete check allows a replacement (AST-04, 篇1 第九条(4)). An incomplete return may
    be checked again when the missing accessories come in."""
    now = now or timezone.now()
    ret = AssetReturn.objects.select_for_update().get(pk=ret.pk)
    if ret.status == AssetReturn.Status.COMPLETE:
        raise Conflict(_("Return %(number)s is already checked complete.") % {"number": ret.number},
                       code="already_checked")
    asset = _lock_asset(ret.asset)
    if ret.status == AssetReturn.Status.PENDING:
        workflows.check(asset, "check_return")
    if returned_accessories is not None:
        ret.returned_accessories = _clean_accessories(returned_accessories, ret.expected_accessories)
    if condition:
        if condition not in AssetReturn.Condition.values:
            raise RuleViolation(_("Choose the condition of the device."), code="invalid")
        ret.condition = condition
    ret.missing_accessories = [a for a in ret.expected_accessories if a not in ret.returned_accessories]
    ret.status = AssetReturn.Status.INCOMPLETE if ret.missing_accessories else AssetReturn.Status.COMPLETE
    if notes:
        ret.notes = f"{ret.notes}\n{notes}".strip()
    ret.checked_by = _user(actor)
    ret.checked_at = now
    ret.save()
    if asset.status == S.RETURN_PENDING:
        asset.status = S.IN_STOCK
        asset.custodian = None
        asset.save()
        _close_period(asset, now=now)
        if ret.loan_id:
            loan = AssetLoan.objects.select_for_update().get(pk=ret.loan_id)
            loan.status = AssetLoan.Status.RETURNED
            loan.returned_at = now
            loan.save()
            add_event(loan, verb="custody_returned", actor=actor, message=ret.number)
    if ret.status == AssetReturn.Status.COMPLETE:
        message = _("Return checked complete; back in stock.")
    else:
        message = _("Return checked incomplete; missing: %(missing)s.") % {
            "missing": "、".join(ret.missing_accessories)}
    add_event(asset, verb="custody_return_checked", actor=actor, message=message, data={"return": ret.pk})
    add_event(ret, verb="custody_checked", actor=actor, message=message)
    return ret


# --- Custodian change (使用变更, AST-09/10) -------------------------------------------------


@transaction.atomic
def request_custodian_change(*, asset: Asset, to_person, reason: str, actor) -> CustodianChange:
    """Ask to hand a device from its custodian to another person; IT executes it (AST-10)."""
    asset = _lock_asset(asset)
    workflows.check(asset, "change_custodian")
    workflows.guard_no_open_change(asset)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give the reason for the change."), code="required")
    if to_person.pk == asset.custodian_id:
        raise RuleViolation(_("%(person)s already holds this device.") % {"person": to_person}, code="same_person")
    _check_person_current(to_person, what=_("taking over equipment"))
    change = CustodianChange.objects.create(
        asset=asset, from_person=asset.custodian, to_person=to_person, from_department=asset.department,
        to_department=to_person.department, reason=reason, requested_by=_user(actor),
    )
    add_event(asset, verb="custody_change_requested", actor=actor,
              message=_("Custodian change requested: %(a)s → %(b)s.") % {"a": change.from_person, "b": to_person})
    return change


@transaction.atomic
def execute_custodian_change(*, change: CustodianChange, actor, now=None) -> CustodianChange:
    """IT executes the change: a new letter for B; the custody passes to B when B signs (AST-09)."""
    now = now or timezone.now()
    change = CustodianChange.objects.select_for_update().get(pk=change.pk)
    if change.status != CustodianChange.Status.REQUESTED:
        raise Conflict(_("This change is not waiting to be executed."), code="change_not_requested")
    asset = _lock_asset(change.asset)
    workflows.check(asset, "change_custodian")
    if asset.custodian_id != change.from_person_id:
        raise Conflict(_("The device's custodian changed since the request."), code="stale")
    _check_person_current(change.to_person, what=_("taking over equipment"))
    change.letter = _new_letter(person=change.to_person, department=change.to_department, actor=actor)
    change.status = CustodianChange.Status.AWAITING
    change.executed_by = _user(actor)
    change.executed_at = now
    change.save()
    add_event(change, verb="custody_executed", actor=actor,
              message=_("Executed; waiting for %(person)s to sign %(letter)s.") % {
                  "person": change.to_person, "letter": change.letter.number})
    return change


def _complete_change(change: CustodianChange, *, actor, now) -> None:
    asset = _lock_asset(change.asset)
    workflows.check(asset, "change_custodian")
    asset.custodian = change.to_person
    asset.department = change.to_department
    asset.save()
    _close_period(asset, now=now)
    _open_period(asset, custodian=change.to_person, department=change.to_department, reason="change", now=now,
                 letter=change.letter)
    change.status = CustodianChange.Status.COMPLETED
    change.save()
    add_event(asset, verb="custody_custodian_changed", actor=actor,
              message=_("Custodian %(a)s → %(b)s.") % {"a": change.from_person, "b": change.to_person})


@transaction.atomic
def cancel_custodian_change(*, change: CustodianChange, actor) -> CustodianChange:
    change = CustodianChange.objects.select_for_update().get(pk=change.pk)
    if change.status not in (CustodianChange.Status.REQUESTED, CustodianChange.Status.AWAITING):
        raise Conflict(_("This change is already finished."), code="change_finished")
    if change.letter_id:
        ResponsibilityLetter.objects.filter(pk=change.letter_id).update(status=ResponsibilityLetter.Status.VOID)
    change.status = CustodianChange.Status.CANCELLED
    change.save()
    add_event(change, verb="custody_cancelled", actor=actor)
    return change


# --- Reallocation (调剂, AST-15) -------------------------------------------------------------


@transaction.atomic
def reallocate(*, asset: Asset, to_department, reason: str, actor) -> Reallocation:
    """Move an in-stock device to another department, with its transfer record (AST-15)."""
    asset = _lock_asset(asset)
    workflows.check(asset, "reallocate")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give the reason for the reallocation."), code="required")
    if to_department.pk == asset.department_id:
        raise RuleViolation(_("The device already belongs to %(unit)s.") % {"unit": to_department},
                            code="same_department")
    record = Reallocation.objects.create(number=next_number("TJ"), asset=asset, from_department=asset.department,
                                         to_department=to_department, reason=reason, executed_by=_user(actor))
    asset.department = to_department
    asset.save()
    add_event(asset, verb="custody_reallocated", actor=actor,
              message=_("Reallocated %(a)s → %(b)s (%(number)s).") % {
                  "a": record.from_department, "b": to_department, "number": record.number})
    return record


# --- Loans (借用, AST-19) --------------------------------------------------------------------


@transaction.atomic
def request_loan(*, asset: Asset, borrower, purpose: str, due_date: datetime.date, actor,
                 today: datetime.date | None = None) -> AssetLoan:
    """Ask to borrow an in-stock device until `due_date`; approval "assets.loan" (dept head, IT)."""
    from zhidu.core.approvals import services as approvals

    today = today or timezone.localdate()
    asset = _lock_asset(asset)
    workflows.check(asset, "loan")
    workflows.guard_no_pending_loan(asset)
    purpose = (purpose or "").strip()
    if not purpose:
        raise RuleViolation(_("Give the purpose of the loan."), code="required")
    if due_date is None or due_date <= today:
        raise RuleViolation(_("The due date must be after today."), code="due_date")
    _check_person_current(borrower, what=_("borrowing equipment"))
    loan = AssetLoan.objects.create(number=next_number("JY"), asset=asset, borrower=borrower,
                                    department=borrower.department, purpose=purpose, due_date=due_date,
                                    requested_by=_user(actor))
    ensure_policy(LOAN_PROCESS, actor=actor)
    approvals.submit(subject=loan, process_key=LOAN_PROCESS, requester=borrower, actor=actor)
    return loan


def on_loan_approved(loan: AssetLoan, approval) -> None:
    now = timezone.now()
    loan = AssetLoan.objects.select_for_update().get(pk=loan.pk)
    asset = _lock_asset(loan.asset)
    workflows.check(asset, "loan")
    asset.status = S.ON_LOAN
    asset.custodian = loan.borrower
    asset.save()
    _close_period(asset, now=now)
    _open_period(asset, custodian=loan.borrower, department=loan.department, reason="loan", now=now)
    loan.status = AssetLoan.Status.ON_LOAN
    loan.lent_at = now
    loan.save()
    add_event(asset, verb="custody_lent", message=_("Lent to %(person)s until %(due)s (%(number)s).") % {
        "person": loan.borrower, "due": loan.due_date.isoformat(), "number": loan.number})


def on_loan_rejected(loan: AssetLoan, approval) -> None:
    AssetLoan.objects.filter(pk=loan.pk, status=AssetLoan.Status.PENDING).update(status=AssetLoan.Status.REJECTED)


def on_loan_withdrawn(loan: AssetLoan, approval) -> None:
    AssetLoan.objects.filter(pk=loan.pk, status=AssetLoan.Status.PENDING).update(status=AssetLoan.Status.WITHDRAWN)


def overdue_loans(today: datetime.date | None = None):
    today = today or timezone.localdate()
    return AssetLoan.objects.filter(status=AssetLoan.Status.ON_LOAN, due_date__lt=today)


def remind_overdue_loans(*, today: datetime.date | None = None) -> int:
    """Remind borrowers of overdue loans, once a day each (AST-19). Returns the number reminded."""
    from zhidu.core.notifications import notify

    today = today or timezone.localdate()
    count = 0
    for loan in overdue_loans(today).exclude(last_reminded=today).select_related("borrower__user", "asset"):
        with transaction.atomic():
            updated = AssetLoan.objects.filter(pk=loan.pk).exclude(last_reminded=today).update(last_reminded=today)
            if not updated:
                continue
            if loan.borrower.user_id:
                notify(users=[loan.borrower.user], verb="assets.loan_overdue",
                       message=_("The loan %(number)s of %(asset)s was due on %(due)s: please return it.") % {
                           "number": loan.number, "asset": loan.asset, "due": loan.due_date.isoformat()})
            add_event(loan, verb="custody_reminded", message=_("Overdue since %(due)s.") % {"due": loan.due_date.isoformat()})
            count += 1
    return count


# --- Hire and leave (AST-06/07) ------------------------------------------------------------


def create_preparation_task(*, person, actor=None) -> PreparationTask:
    """AST-06: a new hire gets an equipment-preparation task for the IT authority."""
    existing = PreparationTask.objects.filter(person=person, status=PreparationTask.Status.OPEN).first()
    if existing is not None:
        return existing
    # Created inside the hire's transaction; the change log records it (no timeline event, so
    # the person's timeline stays the org's own).
    return PreparationTask.objects.create(person=person, department=person.department, due_date=person.hire_date)


@transaction.atomic
def complete_preparation_task(*, task: PreparationTask, actor, notes: str = "", now=None) -> PreparationTask:
    task = PreparationTask.objects.select_for_update().get(pk=task.pk)
    if task.status != PreparationTask.Status.OPEN:
        raise Conflict(_("This task is already closed."), code="task_closed")
    task.status = PreparationTask.Status.DONE
    task.done_by = _user(actor)
    task.done_at = now or timezone.now()
    if notes:
        task.notes = notes
    task.save()
    add_event(task, verb="custody_done", actor=actor, message=notes)
    return task


def held_assets(person):
    """Every device a person still holds (in use, on loan, returned but not yet checked)."""
    return (Asset.objects.filter(custodian=person, status__in=workflows.HELD_STATUSES)
            .select_related("model", "category").order_by("number"))


def open_clearance(*, person, actor=None) -> Clearance:
    """AST-07: a departure opens the asset part of the clearance, listing what the person holds."""
    existing = Clearance.objects.filter(person=person, status=Clearance.Status.OPEN).first()
    if existing is not None:
        return existing
    held = [{"id": a.pk, "number": a.number, "name": a.name, "status": a.status} for a in held_assets(person)]
    return Clearance.objects.create(person=person, department=person.department, held_at_start=held)


@transaction.atomic
def sign_off_clearance(*, clearance: Clearance, actor, now=None) -> Clearance:
    """Sign off the asset part of a clearance: refused while anything is still held (篇1 第九条(5))."""
    clearance = Clearance.objects.select_for_update().get(pk=clearance.pk)
    if clearance.status != Clearance.Status.OPEN:
        raise Conflict(_("This clearance is already signed off."), code="clearance_closed")
    held = list(held_assets(clearance.person))
    if held:
        raise RuleViolation(
            _("%(person)s still holds %(count)d device(s) (%(numbers)s): the clearance can be signed off only "
              "after all equipment is returned and checked (篇1 第九条(5)).")
            % {"person": clearance.person, "count": len(held), "numbers": "、".join(a.number for a in held)},
            code="items_held", article="篇1 第九条(5)",
        )
    if AssetIssue.objects.filter(person=clearance.person, status=AssetIssue.Status.AWAITING).exists() or \
            AssetLoan.objects.filter(borrower=clearance.person, status=AssetLoan.Status.PENDING).exists():
        raise RuleViolation(
            _("Cancel the pending issues and loan requests of %(person)s first (篇1 第九条(5)).")
            % {"person": clearance.person},
            code="items_pending", article="篇1 第九条(5)",
        )
    clearance.status = Clearance.Status.SIGNED_OFF
    clearance.signed_off_by = _user(actor)
    clearance.signed_off_at = now or timezone.now()
    clearance.save()
    add_event(clearance, verb="custody_signed_off", actor=actor)
    return clearance


def on_person_hired(sender, person, actor=None, **kwargs):
    create_preparation_task(person=person, actor=actor)


def on_person_leaving(sender, person, actor=None, **kwargs):
    open_clearance(person=person, actor=actor)


# --- Damage and loss (AST-11/12, VAR-12) ----------------------------------------------------


def compensation_for(*, rule: str, responsibility: str, depreciated: Decimal,
                     purchase_price: Decimal | None) -> tuple[Decimal, str, str]:
    """(amount, payer, rule applied) per VAR-12 (篇1 第十条(3), 第十二条).

    No fault → nothing. Illicit transfer or sale → double the depreciated value, whatever the
    organisation's rule (篇1 第十条(3), N07). Otherwise the rule: the custodian or the department
    pays the depreciated value, the custodian pays the full purchase price, or double.
    """
    R = DamageIncident.Responsibility
    depreciated = _money(depreciated)
    if responsibility == R.NONE:
        return Decimal("0.00"), DamageIncident.Payer.NONE, rule
    if responsibility == R.ILLICIT:
        rule = CompensationRule.DOUBLE
    if rule == CompensationRule.DEPARTMENT_PAYS:
        return depreciated, DamageIncident.Payer.DEPARTMENT, rule
    if rule == CompensationRule.FULL_PRICE:
        return _money(purchase_price or 0), DamageIncident.Payer.PERSON, rule
    if rule == CompensationRule.DOUBLE:
        return _money(depreciated * 2), DamageIncident.Payer.PERSON, rule
    return depreciated, DamageIncident.Payer.PERSON, CompensationRule.USER_PAYS


@transaction.atomic
def record_incident(*, asset: Asset, kind: str, description: str, actor, occurred_on: datetime.date | None = None,
                    responsible_person=None, responsibility: str = DamageIncident.Responsibility.PERSONAL,
                    now=None) -> DamageIncident:
    """Record damage, loss or theft; compute the compensation from the depreciated value (VAR-12).

    Loss and theft put the device in status "lost" and close its custody.
    """
    from zhidu.core import params

    now = now or timezone.now()
    occurred_on = occurred_on or timezone.localtime(now).date()
    asset = _lock_asset(asset)
    if kind not in DamageIncident.Kind.values:
        raise RuleViolation(_("Choose damage, loss or theft."), code="invalid")
    if responsibility not in DamageIncident.Responsibility.values:
        raise RuleViolation(_("Choose the responsibility."), code="invalid")
    description = (description or "").strip()
    if not description:
        raise RuleViolation(_("Describe what happened."), code="required")
    if responsible_person is None:
        responsible_person = asset.custodian
    if responsibility != DamageIncident.Responsibility.NONE and responsible_person is None:
        raise RuleViolation(_("Name the responsible person."), code="required")
    if kind in (DamageIncident.Kind.LOSS, DamageIncident.Kind.THEFT):
        workflows.check(asset, "lose")
    elif asset.status in (S.LOST, S.DISPOSED):
        raise Conflict(_("%(asset)s is no longer in the ledger's care.") % {"asset": asset}, code="invalid_status")
    value = _depreciated_value(asset, occurred_on)
    amount, payer, rule = compensation_for(rule=str(params.get(COMPENSATION_PARAM)), responsibility=responsibility,
                                           depreciated=value, purchase_price=asset.purchase_price)
    department = responsible_person.department if responsible_person is not None else asset.department
    incident = DamageIncident.objects.create(
        number=next_number("SH"), asset=asset, kind=kind, occurred_on=occurred_on, description=description,
        responsible_person=responsible_person, department=department, responsibility=responsibility, rule=rule,
        depreciated_value=value, compensation=amount, payer=payer, reported_by=_user(actor),
    )
    if kind in (DamageIncident.Kind.LOSS, DamageIncident.Kind.THEFT):
        asset.status = S.LOST
        asset.save()
        _close_period(asset, now=now)
        ongoing = AssetLoan.objects.filter(asset=asset, status=AssetLoan.Status.ON_LOAN)
        ongoing.update(status=AssetLoan.Status.RETURNED, returned_at=now)
    add_event(asset, verb="custody_incident", actor=actor, message=_("%(kind)s recorded (%(number)s).") % {
        "kind": incident.get_kind_display(), "number": incident.number})
    return incident


@transaction.atomic
def submit_incident(*, incident: DamageIncident, actor) -> DamageIncident:
    """Send the compensation for approval (process "assets.compensation")."""
    from zhidu.core.approvals import services as approvals

    incident = DamageIncident.objects.select_for_update().get(pk=incident.pk)
    if incident.status not in (DamageIncident.Status.DRAFT, DamageIncident.Status.RETURNED):
        raise Conflict(_("This incident is already in approval or decided."), code="invalid_status")
    requester = _person_of(actor) or incident.responsible_person
    if requester is None:
        raise RuleViolation(_("Your login is not linked to a person."), code="no_person")
    incident.status = DamageIncident.Status.PENDING
    incident.save()
    ensure_policy(COMPENSATION_PROCESS, actor=actor)
    approvals.submit(subject=incident, process_key=COMPENSATION_PROCESS, requester=requester, actor=actor)
    return incident


def _set_incident_status(status):
    def callback(incident, approval):
        DamageIncident.objects.filter(pk=incident.pk).update(status=status)
    return callback


# --- Approval processes, presets, parameters ------------------------------------------------


def _step(key, name, *, resolver, role="", context_key=""):
    return {"key": key, "name": name, "resolver": resolver, "role": role, "context_key": context_key,
            "person": None, "mode": "any", "deadline_hours": None, "opinion_required": False, "choices": []}


def ensure_policy(process_key: str, *, actor=None) -> None:
    """Apply the default preset when the organisation has not set up a policy for the process."""
    from zhidu.core.approvals import services as approvals
    from zhidu.core.models import ApprovalPolicy

    if not ApprovalPolicy.objects.filter(process_key=process_key, is_active=True).exists():
        approvals.apply_preset(process_key, "default", actor)


def register() -> None:
    """Approval processes, presets and the VAR-12 parameter (called from AssetsConfig.ready())."""
    from django.utils.translation import gettext_noop as N_

    from zhidu.core import params
    from zhidu.core.approvals.presets import Preset, register_preset
    from zhidu.core.approvals.registry import ProcessType, register_process

    register_process(ProcessType(
        key=LOAN_PROCESS, label=gettext_lazy("Equipment loan (借用)"), model="assets.AssetLoan",
        context=lambda loan: {"department": loan.department, "requester": loan.borrower},
        on_approved=on_loan_approved, on_rejected=on_loan_rejected, on_returned=on_loan_rejected,
        on_withdrawn=on_loan_withdrawn,
        fields=[("department", gettext_lazy("Borrower's department"))],
        description=gettext_lazy("Loan of a device with a due date (AST-19)"),
    ), replace=True)
    register_process(ProcessType(
        key=COMPENSATION_PROCESS, label=gettext_lazy("Damage or loss compensation"), model="assets.DamageIncident",
        context=lambda i: {"department": i.department, "amount": i.compensation, "kind": i.kind},
        on_approved=_set_incident_status(DamageIncident.Status.APPROVED),
        on_rejected=_set_incident_status(DamageIncident.Status.REJECTED),
        on_returned=_set_incident_status(DamageIncident.Status.RETURNED),
        on_withdrawn=_set_incident_status(DamageIncident.Status.DRAFT),
        fields=[("department", gettext_lazy("Department")), ("amount", gettext_lazy("Compensation (CNY)"))],
        description=gettext_lazy("Compensation for damaged or lost equipment (AST-12, VAR-12)"),
    ), replace=True)
    chain = [_step("dept_head", N_("Department head approval"), resolver="owner_department", role="dept_head",
                   context_key="department"),
             _step("it_staff", N_("IT staff confirmation"), resolver="role_org", role="it_staff")]
    register_preset(Preset(
        process_key=LOAN_PROCESS, variant="default", label=gettext_lazy("Department head, then IT staff"),
        article="AST-19", requirement="AST-19", policy_name=gettext_lazy("Equipment loan approval"),
        definition={"rules": [{"name": N_("Every loan"), "condition": {"all": []}, "steps": chain}]},
    ))
    register_preset(Preset(
        process_key=COMPENSATION_PROCESS, variant="default",
        label=gettext_lazy("Department head, then the IT authority head"),
        article="篇1 第十二条", requirement="AST-12, VAR-12", policy_name=gettext_lazy("Compensation approval"),
        definition={"rules": [{"name": N_("Every compensation"), "condition": {"all": []}, "steps": [
            chain[0], _step("it_authority", N_("IT authority approval"), resolver="role_org",
                            role="it_authority_head")]}]},
    ))
    params.define(
        key=COMPENSATION_PARAM, kind=params.Kind.CHOICE, default=CompensationRule.USER_PAYS,
        label=gettext_lazy("Compensation for damaged or lost equipment"),
        article="篇1 第十条(3), 第十二条", requirement="VAR-12, AST-12, N07",
        help=gettext_lazy("Computed from the depreciated value. Illicit transfer or sale is always compensated "
                          "double (篇1 第十条(3))."),
        group=gettext_lazy("Equipment ledger"), choices=CompensationRule.CHOICES, replace=True,
    )
    connect_signals()


def connect_signals() -> None:
    from zhidu.org import signals

    signals.person_hired.connect(on_person_hired, dispatch_uid="assets.custody.person_hired")
    signals.person_leaving.connect(on_person_leaving, dispatch_uid="assets.custody.person_leaving")
