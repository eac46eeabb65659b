"""Pages of the hardware ledger (AST-01, AST-02, AST-05, AST-08, AST-14): the asset list and
card, create/edit with the category's fields, the catalogue (categories, models, suppliers,
locations), labels, the dashboard and "my equipment". Declarative; behaviour in services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from zhidu.core.errors import RuleViolation
from zhidu.core.scoping import has_perm_anywhere, user_person_id
from zhidu.core.views import ObjectDeleteView, ObjectDetailView, ObjectFormView, ObjectListView
from zhidu.org.models import OrgUnit

from .. import forms, labels, selectors, services
from ..choices import STATUS_COLORS, FieldType
from ..filtersets import (
    AssetCategoryFilterSet,
    AssetFilterSet,
    AssetModelFilterSet,
    LocationFilterSet,
    SupplierFilterSet,
)
from ..models import Asset, AssetCategory, AssetModel, Location, Supplier
from ..selectors import units_for
from ..tables import (
    LABEL_FORM_ID,
    AssetCategoryTable,
    AssetModelTable,
    AssetTable,
    LocationTable,
    MyAssetTable,
    SupplierTable,
)

MAX_LABELS = 500


# --------------------------------------------------------------------------- assets


class AssetListView(ObjectListView):
    model = Asset
    table_class = AssetTable
    filterset_class = AssetFilterSet
    select_related = ("category", "model", "department", "custodian", "location", "supplier")
    create_url_name = "assets:asset_create"
    template_name = "assets/asset_list.html"
    title = gettext_lazy("Asset ledger")

    def get_extra_context(self):
        from ..imports import AssetImporter

        # The importer's permission rule without building an importer (that loads the attribute
        # columns: a query the list does not need).
        can_import = all(has_perm_anywhere(self.request.user, Asset, a) for a in AssetImporter.permission_actions)
        return {"label_form_id": LABEL_FORM_ID, "label_url": reverse("assets:labels"),
                "sheets": labels.SHEETS.values(),
                "dashboard_url": reverse("assets:dashboard"),
                "can_import": can_import}


class MyAssetListView(ObjectListView):
    """"My equipment" (我的设备): every employee sees what is assigned to them (AST-08)."""

    model = Asset
    table_class = MyAssetTable
    select_related = ("category", "location")
    title = gettext_lazy("My equipment")

    def get_queryset(self):
        return selectors.my_assets(user_person_id(self.request.user))


class AssetDetailView(ObjectDetailView):
    model = Asset
    template_name = "assets/asset_detail.html"
    select_related = ("category", "model", "department", "custodian", "location", "supplier",
                      "stock_in_line__stock_in__request")
    edit_url_name = "assets:asset_edit"
    delete_url_name = "assets:asset_delete"
    list_url_name = "assets:asset_list"

    def get_actions(self):
        actions = super().get_actions()
        actions.insert(0, {"url": reverse("assets:asset_labels", args=[self.object.pk]), "label": _("Print label"),
                           "icon": "qrcode", "style": "btn-outline-secondary"})
        return actions

    def get_extra_context(self):
        asset = self.object
        schema = asset.category.field_schema or []
        attributes = []
        for spec in schema:
            value = (asset.attributes or {}).get(spec["key"])
            if spec.get("type") == FieldType.BOOL:
                value = _("Yes") if value else _("No")
            attributes.append({"key": spec["key"], "label": spec.get("label") or spec["key"],
                               "value": "—" if value in (None, "") else value})
        stock_in = asset.stock_in_line.stock_in if asset.stock_in_line_id else None
        return {
            "status_color": STATUS_COLORS.get(asset.status, "secondary"),
            "attributes": attributes,
            "custody": list(selectors.custody_history(asset)[:50]),
            "stock_in": stock_in,
            "purchase_request": stock_in.request if stock_in else None,
            "book_value": services.depreciated_value(asset),
            "can_capitalise": not asset.capitalised_on and self.can(asset, "change"),
        }


class AssetFormView(ObjectFormView):
    """Create or edit a card; the category's fields are extra form fields (`attr_<key>`),
    reloaded by htmx when the category changes (assets:asset_fields)."""

    model = Asset
    form_class = forms.AssetForm
    template_name = "assets/asset_form.html"
    success_url_name = "assets:asset_list"

    def get_initial(self):
        initial = {}
        category = self.request.GET.get("category")
        if category and category.isdigit():
            initial["category"] = category
        return initial

    def get_form(self):
        form = super().get_form()
        units = units_for(self.request.user, "add" if self.is_create else "change")
        if self.object is not None:
            units = OrgUnit.objects.filter(pk__in=units.values("pk")) | OrgUnit.objects.filter(
                pk=self.object.department_id)
        form.fields["department"].queryset = units.distinct()
        return form

    def get_extra_context(self):
        return {"fields_url": reverse("assets:asset_fields")}

    def perform_save(self, form):
        values = form.card_values()
        actor = self.request.user
        if self.is_create:
            return services.create_asset(actor=actor, **values)
        number = values.pop("number") or self.object.number
        return services.update_asset(asset=self.object, actor=actor, number=number, **values)


@login_required
def asset_fields(request):
    """htmx: the category's card fields for the asset form (the category select changed)."""
    form = forms.AssetForm(initial={"category": request.GET.get("category")}, user=request.user)
    return TemplateResponse(request, "assets/_attribute_fields.html", {"form": form})


class AssetDeleteView(ObjectDeleteView):
    model = Asset
    success_url_name = "assets:asset_list"

    def perform_delete(self, obj):
        services.delete_asset(asset=obj, actor=self.request.user)


class AssetCapitaliseView(LoginRequiredMixin, View):
    """POST: 转固 — the fixed-asset card number and date (PRC-17)."""

    def post(self, request, pk):
        from zhidu.core.views.mixins import ScopedObjectMixin

        helper = ScopedObjectMixin()
        helper.model, helper.request, helper.kwargs = Asset, request, {"pk": pk}
        asset = helper.get_scoped_object("change")
        try:
            with transaction.atomic():
                asset = services.capitalise(asset=asset, actor=request.user)
        except RuleViolation as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Capitalised as fixed asset %(no)s.") % {"no": asset.fixed_asset_number})
        return HttpResponseRedirect(asset.get_absolute_url())


@login_required
def asset_by_number(request, number):
    """The short link of a label's QR code (labels.label_payload): opens the asset page."""
    asset = selectors.asset_by_number(request.user, number)
    if asset is None:
        raise Http404(_("No asset %(number)s, or you may not see it.") % {"number": number})
    return redirect(asset.get_absolute_url())


# --------------------------------------------------------------------------- labels


class LabelPrintView(LoginRequiredMixin, View):
    """Label sheets (A4 3×8 / 2×7, label printers 40×30, 50×30, 60×40 mm) with QR codes.

    GET ?asset=<id>&asset=<id>…&sheet=<key> (the list's bulk action, or one from the card).
    Only visible assets are printed; each printing is recorded in the asset's change log.
    """

    template_name = "assets/labels_print.html"

    def get(self, request, pk=None):
        ids = [pk] if pk else [v for v in request.GET.getlist("asset") if v.isdigit()][:MAX_LABELS]
        assets = list(Asset.objects.restrict(request.user, "view").filter(pk__in=ids)
                      .select_related("department").order_by("number"))
        if pk and not assets:
            raise Http404(_("No asset found, or you may not see it."))
        sheet = request.GET.get("sheet") or labels.DEFAULT_SHEET
        context = labels.label_context(assets, sheet_key=sheet, request=request)
        # 签 of 帐、物、签相符 (SCH-08): the printed number and time go on the card, plus a print event
        services.record_label_print(assets=assets, actor=request.user, sheet=context["sheet"].key)
        context.update({"asset_ids": [a.pk for a in assets], "back_url": request.GET.get("next") or (
            assets[0].get_absolute_url() if pk and assets else reverse("assets:asset_list"))})
        return TemplateResponse(request, self.template_name, context)


# --------------------------------------------------------------------------- dashboard


class DashboardView(LoginRequiredMixin, View):
    """The ledger dashboard (ECharts): by category, department, status; value; warranty expiring."""

    def get(self, request):
        if not has_perm_anywhere(request.user, Asset, "view"):
            raise PermissionDenied(_("You do not have permission to view assets."))
        data = selectors.dashboard_data(request.user)
        chart = {
            "by_category": data["by_category"], "by_department": data["by_department"],
            "by_status": data["by_status"],
            "value_by_category": [{"name": r["name"], "price": float(r["price"]), "value": float(r["value"])}
                                  for r in data["value_by_category"]],
            "labels": {"count": _("Devices"), "price": _("Purchase price"), "value": _("Depreciated value")},
        }
        return TemplateResponse(request, "assets/dashboard.html", {"data": data, "chart": chart,
                                                                   "title": _("Equipment dashboard")})


# --------------------------------------------------------------------------- catalogue


class CatalogueFormView(ObjectFormView):
    """Create/edit a catalogue entry through its service (`save_fn(actor=…, <kwarg>=obj, **fields)`)."""

    save_fn = None
    instance_kwarg = ""

    def form_fields(self, form) -> dict:
        return {name: form.cleaned_data.get(name) for name in form.Meta.fields}

    def perform_save(self, form):
        fields = self.form_fields(form)
        kwargs = {self.instance_kwarg: self.object} if self.object is not None else {}
        return type(self).save_fn(actor=self.request.user, **kwargs, **fields)

    def get_success_url(self, obj):
        return reverse(self.success_url_name)  # back to the catalogue list, not the entry


class CategoryListView(ObjectListView):
    model = AssetCategory
    table_class = AssetCategoryTable
    filterset_class = AssetCategoryFilterSet
    create_url_name = "assets:category_create"
    title = gettext_lazy("Asset categories")


class CategoryFormView(CatalogueFormView):
    model = AssetCategory
    form_class = forms.AssetCategoryForm
    success_url_name = "assets:category_list"
    save_fn = staticmethod(services.save_category)
    instance_kwarg = "category"

    def form_fields(self, form):
        fields = super().form_fields(form)
        fields["field_schema"] = form.cleaned_data.get("field_schema_text") or []
        return fields


class ModelListView(ObjectListView):
    model = AssetModel
    table_class = AssetModelTable
    filterset_class = AssetModelFilterSet
    select_related = ("category",)
    create_url_name = "assets:model_create"
    title = gettext_lazy("Asset models")


class ModelFormView(CatalogueFormView):
    model = AssetModel
    form_class = forms.AssetModelForm
    success_url_name = "assets:model_list"
    save_fn = staticmethod(services.save_model)
    instance_kwarg = "asset_model"

    def form_fields(self, form):
        fields = super().form_fields(form)
        fields["accessories"] = form.cleaned_data.get("accessories_text") or []
        return fields


class SupplierListView(ObjectListView):
    model = Supplier
    table_class = SupplierTable
    filterset_class = SupplierFilterSet
    create_url_name = "assets:supplier_create"
    title = gettext_lazy("Suppliers")


class SupplierFormView(CatalogueFormView):
    model = Supplier
    form_class = forms.SupplierForm
    success_url_name = "assets:supplier_list"
    save_fn = staticmethod(services.save_supplier)
    instance_kwarg = "supplier"


class LocationListView(ObjectListView):
    model = Location
    table_class = LocationTable
    filterset_class = LocationFilterSet
    select_related = ("parent", "unit")
    create_url_name = "assets:location_create"
    title = gettext_lazy("Locations")


class LocationFormView(CatalogueFormView):
    model = Location
    form_class = forms.LocationForm
    success_url_name = "assets:location_list"
    save_fn = staticmethod(services.save_location)
    instance_kwarg = "location"


class CatalogueDeleteView(ObjectDeleteView):
    def perform_delete(self, obj):
        services.delete_catalogue_entry(obj=obj, actor=self.request.user)


def catalogue_delete_view(model, success):
    return type(f"{model.__name__}DeleteView", (CatalogueDeleteView,), {"model": model, "success_url_name": success})

