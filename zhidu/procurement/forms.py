"""Forms of procurement. They only collect input; the services decide (DESIGN rule 1)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import ZhiduForm
from zhidu.org.models import Person

from . import services
from .choices import LineCategory, RejectedAction, RequestKind

MONEY_ATTRS = {"step": "0.01", "min": "0", "inputmode": "decimal"}


def money_field(label, *, required=True, min_value=Decimal("0.00"), help_text=""):
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, min_value=min_value, required=required,
                              help_text=help_text, widget=forms.NumberInput(attrs=MONEY_ATTRS))


class PurchaseRequestForm(ZhiduForm):
    """《信息化配置申请》 / 《信息化配置需求计划》: the header; lines come from `PurchaseLineFormSet`.

    The four contents of PRC-04 may be left empty in a draft; submission refuses without them.
    """

    kind = forms.ChoiceField(label=_("Form"), choices=RequestKind.choices, initial=RequestKind.APPLICATION)
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.CharField(label=_("Purpose of use"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              help_text=_("Required for submission (篇14/5 第九条)."))
    software_needs = forms.CharField(label=_("Software to be used"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                     help_text=_("Required for submission; write “无” if none."))
    configuration_standard = forms.CharField(
        label=_("Configuration standard"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=_("The IT authority's standard configuration the items follow (PRC-15)."))
    deviates_from_standard = forms.BooleanField(label=_("Deviates from the standard configuration"), required=False)
    deviation_justification = forms.CharField(label=_("Justification for the deviation"), widget=forms.Textarea(attrs={"rows": 3}),
                                              required=False)
    needed_by = forms.DateField(label=_("Needed by"), required=False)
    expected_contract_amount = money_field(
        _("Expected single-contract amount"), required=False,
        help_text=_("Leave empty when the contract will be the total of the lines; state a higher amount if the "
                    "contract includes installation, shipping or other costs."))

    @classmethod
    def initial_from(cls, request) -> dict:
        return {name: getattr(request, name) for name in cls.base_fields}


class PurchaseLineForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    item = forms.CharField(label=_("Item"), max_length=200,
                           widget=forms.TextInput(attrs={"style": "min-width: 12rem"}))
    category = forms.ChoiceField(label=_("Category"), choices=LineCategory.choices, initial=LineCategory.COMPUTER,
                                 widget=forms.Select(attrs={"style": "min-width: 9rem"}))
    specification = forms.CharField(label=_("Specification / configuration"), required=False,
                                    widget=forms.TextInput(attrs={"style": "min-width: 14rem"}))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, widget=forms.NumberInput(
        attrs={"min": "1", "data-line-quantity": "", "style": "width: 6rem"}))
    unit = forms.CharField(label=_("Unit"), max_length=10, required=False,
                           widget=forms.TextInput(attrs={"style": "width: 4rem"}))
    unit_price = forms.DecimalField(label=_("Unit price (CNY)"), max_digits=12, decimal_places=2, min_value=0,
                                    widget=forms.NumberInput(attrs={**MONEY_ATTRS, "data-line-price": "",
                                                                    "style": "width: 9rem"}))


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [f for f in self.forms if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")]
        if not rows:
            raise forms.ValidationError(_("Add at least one line."))


PurchaseLineFormSet = forms.formset_factory(PurchaseLineForm, formset=BaseLineFormSet, extra=0, can_delete=True,
                                            min_num=0)


def lines_from_rows(rows: list[dict]) -> list[services.LineInput]:
    return [
        services.LineInput(id=row.get("id"), item=row["item"], category=row["category"],
                           specification=row.get("specification", ""), quantity=row["quantity"],
                           unit=row.get("unit", ""), unit_price=row["unit_price"])
        for row in rows
    ]


def person_choices(user):
    qs = Person.objects.filter(status__in=["active", "onboarding", "leaving"]).select_related("department")
    return qs.restrict(user, "view") if user is not None else qs


class QuotationForm(ZhiduForm):
    supplier_name = forms.CharField(label=_("Supplier"), max_length=200)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    amount = money_field(_("Quoted amount (CNY)"))
    quoted_on = forms.DateField(label=_("Quotation date"), initial=timezone.localdate)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    file = forms.FileField(label=_("Quotation scan"), required=False)


class WaiverForm(ZhiduForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Why fewer suppliers than the minimum were compared (PRC-11): single "
                                         "source, framework agreement, emergency…"))


class OrderForm(ZhiduForm):
    quotation = forms.ModelChoiceField(label=_("Chosen quotation"), queryset=None, required=False)
    supplier_name = forms.CharField(label=_("Supplier"), max_length=200, required=False,
                                    help_text=_("Taken from the chosen quotation when left empty."))
    contract_no = forms.CharField(label=_("Contract number"), max_length=60)
    amount = money_field(_("Contract amount (CNY)"), min_value=Decimal("0.01"))
    signed_on = forms.DateField(label=_("Signed on"), initial=timezone.localdate)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, purchase_request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quotation"].queryset = purchase_request.quotations.all()
        self.fields["quotation"].label_from_instance = lambda q: f"{q.supplier_name} · ¥{q.amount:,.2f}"


class AcceptanceForm(ZhiduForm):
    """验收: who and when, then per line accepted / rejected quantities (fields added per line)."""

    accepted_by = forms.ModelChoiceField(label=_("Accepted by"), queryset=Person.objects.none())
    accepted_at = forms.DateTimeField(label=_("Accepted at"), initial=lambda: timezone.localtime().replace(
        second=0, microsecond=0))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, progress=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepted_by"].queryset = person_choices(self.user)
        self.line_rows = []
        for row in progress:
            line = row["line"]
            if row["outstanding"] <= 0:
                continue
            prefix = f"line_{line.pk}"
            self.fields[f"{prefix}_accepted"] = forms.IntegerField(
                label=_("Qty accepted"), min_value=0, max_value=row["outstanding"], initial=row["outstanding"],
                widget=forms.NumberInput(attrs={"min": "0", "max": str(row["outstanding"])}))
            self.fields[f"{prefix}_rejected"] = forms.IntegerField(
                label=_("Qty rejected"), min_value=0, max_value=row["outstanding"], initial=0,
                widget=forms.NumberInput(attrs={"min": "0", "max": str(row["outstanding"])}))
            self.fields[f"{prefix}_action"] = forms.ChoiceField(
                label=_("Rejected items"), choices=[("", "—"), *RejectedAction.choices], required=False)
            self.fields[f"{prefix}_notes"] = forms.CharField(label=_("Notes"), max_length=500, required=False)
            self.line_rows.append({**row, "prefix": prefix})

    def rows_with_fields(self):
        for row in self.line_rows:
            prefix = row["prefix"]
            yield {**row, "accepted_field": self[f"{prefix}_accepted"], "rejected_field": self[f"{prefix}_rejected"],
                   "action_field": self[f"{prefix}_action"], "notes_field": self[f"{prefix}_notes"]}

    def results(self) -> list[services.AcceptanceInput]:
        data = self.cleaned_data
        return [
            services.AcceptanceInput(
                line_id=row["line"].pk, accepted_quantity=data.get(f"{row['prefix']}_accepted") or 0,
                rejected_quantity=data.get(f"{row['prefix']}_rejected") or 0,
                rejected_action=data.get(f"{row['prefix']}_action") or "",
                notes=data.get(f"{row['prefix']}_notes") or "",
            )
            for row in self.line_rows
        ]


class StockInForm(ZhiduForm):
    location = forms.CharField(label=_("Warehouse / location"), max_length=200)
    received_by = forms.ModelChoiceField(label=_("Received by"), queryset=Person.objects.none())
    received_at = forms.DateTimeField(label=_("Received at"), initial=lambda: timezone.localtime().replace(
        second=0, microsecond=0))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_by"].queryset = person_choices(self.user)


class ReimbursementForm(ZhiduForm):
    amount = money_field(_("Amount (CNY)"), min_value=Decimal("0.01"))
    invoice_no = forms.CharField(label=_("VAT invoice number"), max_length=60)
    reimbursed_on = forms.DateField(label=_("Reimbursed on"), initial=timezone.localdate)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReasonForm(ZhiduForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SelfPurchaseFilingForm(ZhiduForm):
    """PRC-07 (篇14/5 第十条): model, performance data, manufacturer, supplier, purchase date and
    software information are mandatory."""

    item = forms.CharField(label=_("Item"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=LineCategory.choices, initial=LineCategory.COMPUTER)
    model_name = forms.CharField(label=_("Model"), max_length=200)
    performance = forms.CharField(label=_("Performance data"), widget=forms.Textarea(attrs={"rows": 3}))
    manufacturer = forms.CharField(label=_("Manufacturer"), max_length=200)
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    purchase_date = forms.DateField(label=_("Purchase date"))
    software_info = forms.CharField(label=_("Software information"), widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("Installed software and licences; write “无” if none."))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    amount = money_field(_("Amount (CNY)"), required=False)

    @classmethod
    def initial_from(cls, filing) -> dict:
        return {name: getattr(filing, name) for name in cls.base_fields}


class FileFilingForm(ZhiduForm):
    note = forms.CharField(label=_("Filing note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
