"""Forms of equipment custody (AST-03 … AST-19). Choices are limited to the user's scope (people
through the person picker, zhidu.org.forms.PersonPickerField); the services check the rules
(their messages are shown on the form, in place)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import ZhiduForm
from zhidu.org.forms import PersonPickerField
from zhidu.org.models import OrgUnit

from .choices import AssetStatus
from .models import Asset, AssetReturn, DamageIncident
from .services.custody import SIGNATURE_MAX_BYTES


def _asset_label(asset) -> str:
    return f"{asset.number} {asset.name}" + (f"（{asset.custodian.name}）" if asset.custodian_id else "")


class _AssetChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _asset_label(obj)


class _AssetMultiChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _asset_label(obj)


def _assets(user, action="view", **filters):
    return (Asset.objects.restrict(user, action).filter(**filters).select_related("custodian")
            .order_by("number"))


class LetterTemplateForm(ZhiduForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 22, "class": "font-monospace"}),
                           help_text=_("Placeholders: {{ person }}, {{ department }}, {{ items }} (the table of "
                                       "devices), {{ date }}, {{ organisation }}."))


class IssueForm(ZhiduForm):
    """领用: devices in stock, the person who takes them, optionally the device replaced (AST-04)."""

    person = PersonPickerField(label=_("Custodian"))
    assets = _AssetMultiChoice(label=_("Devices"), queryset=Asset.objects.none(),
                               help_text=_("One letter and one outbound slip cover all the devices issued together."))
    replaces = _AssetChoice(label=_("Replaces the device"), queryset=Asset.objects.none(), required=False,
                            help_text=_("For a replacement (AST-04): the old device must have been returned and "
                                        "checked complete first (篇1 第九条(4)). Applies when one device is issued."))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assets"].queryset = _assets(self.user, "change", status=AssetStatus.IN_STOCK)
        self.fields["replaces"].queryset = _assets(self.user, "view")

    def clean(self):
        data = super().clean()
        if data.get("replaces") and len(data.get("assets") or []) != 1:
            self.add_error("replaces", _("A replacement is issued one device at a time."))
        return data


class SignForm(ZhiduForm):
    """The custodian's signature: typed full name and the drawn signature (PNG data URL)."""

    typed_name = forms.CharField(label=_("Your full name"), max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "name"}))
    signature = forms.CharField(widget=forms.HiddenInput, max_length=SIGNATURE_MAX_BYTES * 2,
                                error_messages={"required": _("Draw your signature in the box.")})


class ScanForm(ZhiduForm):
    scan = forms.FileField(label=_("Signed scan (PDF, JPG or PNG)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


class ReturnForm(ZhiduForm):
    """交回: the device and the accessories handed in with it (checked by IT afterwards)."""

    asset = _AssetChoice(label=_("Device"), queryset=Asset.objects.none(),
                         widget=forms.Select(attrs={"data-reload-param": "asset"}))
    accessories = forms.MultipleChoiceField(label=_("Accessories handed in"), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    condition = forms.ChoiceField(label=_("Condition"), choices=AssetReturn.Condition.choices)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args, asset=None, **kwargs):
        super().__init__(*args, **kwargs)
        held = _assets(self.user, "view", status__in=[AssetStatus.IN_USE, AssetStatus.ON_LOAN]).select_related("model")
        self.fields["asset"].queryset = held
        if asset is None and self.data.get("asset"):
            asset = held.filter(pk=self.data.get("asset")).first() if str(self.data.get("asset")).isdigit() else None
        accessories = list((asset.model.accessories if asset is not None and asset.model_id else []) or [])
        self.fields["accessories"].choices = [(a, a) for a in accessories]
        if asset is not None:
            self.fields["asset"].initial = asset.pk
        if not accessories:
            self.fields["accessories"].help_text = _("Choose the device to see its standard accessories.")


class ReturnCheckForm(ZhiduForm):
    accessories = forms.MultipleChoiceField(label=_("Accessories present"), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    condition = forms.ChoiceField(label=_("Condition"), choices=AssetReturn.Condition.choices)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args, ret=None, **kwargs):
        super().__init__(*args, **kwargs)
        if ret is not None:
            self.fields["accessories"].choices = [(a, a) for a in ret.expected_accessories]
            self.fields["accessories"].initial = ret.returned_accessories
            self.fields["condition"].initial = ret.condition


class ChangeRequestForm(ZhiduForm):
    """使用变更: hand a device from its custodian to another person (AST-09/10)."""

    asset = _AssetChoice(label=_("Device"), queryset=Asset.objects.none())
    to_person = PersonPickerField(label=_("New custodian"), pool="colleagues")
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        from zhidu.core.scoping import has_perm_anywhere, user_person_id

        from .models import CustodianChange

        person_id = user_person_id(self.user) if self.user else None
        # As the API: the custodian offers their own devices; only who may add changes (IT) offers
        # the devices in their scope. Seeing a device (a department head, an auditor) is not enough.
        offered = Q(custodian_id=person_id or 0)
        if has_perm_anywhere(self.user, CustodianChange, "add"):
            offered |= Q(pk__in=Asset.objects.restrict(self.user, "view").values("pk"))
        self.fields["asset"].queryset = (Asset.objects.filter(offered, status=AssetStatus.IN_USE)
                                         .select_related("custodian").order_by("number"))


class LoanForm(ZhiduForm):
    """借用: an in-stock device until a due date, approved by the department head and IT (AST-19)."""

    asset = _AssetChoice(label=_("Device"), queryset=Asset.objects.none())
    borrower = PersonPickerField(label=_("Borrower"), required=False, help_text=_("Empty: yourself."))
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea)
    due_date = forms.DateField(label=_("Due date"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = (Asset.objects.filter(status=AssetStatus.IN_STOCK, is_public=False)
                                         .select_related("custodian").order_by("number"))


class ReallocationForm(ZhiduForm):
    """调剂: an in-stock device moves to another department (AST-15)."""

    asset = _AssetChoice(label=_("Device"), queryset=Asset.objects.none())
    to_department = forms.ModelChoiceField(label=_("To department"), queryset=OrgUnit.objects.filter(is_active=True))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = _assets(self.user, "change", status=AssetStatus.IN_STOCK)


class IncidentForm(ZhiduForm):
    """Damage, loss or theft (AST-11/12); the compensation follows VAR-12 from the depreciated value."""

    asset = _AssetChoice(label=_("Device"), queryset=Asset.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=DamageIncident.Kind.choices)
    occurred_on = forms.DateField(label=_("Occurred on"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea)
    responsible_person = PersonPickerField(label=_("Responsible person"), required=False,
                                           help_text=_("Empty: the device's custodian."))
    responsibility = forms.ChoiceField(label=_("Responsibility"), choices=DamageIncident.Responsibility.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = _assets(self.user, "view").exclude(
            status__in=[AssetStatus.LOST, AssetStatus.DISPOSED])
