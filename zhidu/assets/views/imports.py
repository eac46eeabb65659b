"""The asset import page (issue #3 "Across all three"): upload, map the columns, choose the
match key (asset number or serial number), dry run or import; large files run in the
background (zhidu.core.background) with progress and the row-level error report."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from zhidu.core.imports import ImportView

from ..imports import AssetImporter


class AssetImportView(ImportView):
    importer_class = AssetImporter
    title = _("Import assets")
    back_url = reverse_lazy("assets:asset_list")
    template_filename = "assets-template.xlsx"
    mapping_step = True
