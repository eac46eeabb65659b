"""Regulation parameters of disposal (catalogue §24 VAR-05).

Declared in `DisposalConfig.ready()` through `zhidu.core.params.define`; services read them
through `value(key)`, never as constants.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .choices import RoutingVariant

PROCESS_KEY = "disposal.scrap"
VARIANT_KEY = "disposal.routing_variant"

DEFAULTS = {VARIANT_KEY: RoutingVariant.A.value}


def value(key: str):
    from zhidu.core import params

    return params.get(key)


def apply_routing_variant(*, parameter=None, old=None, new=None, actor=None, **kwargs):
    """on_change of `disposal.routing_variant`: make the chosen VAR-05 preset the active policy."""
    from .approval import apply_preset

    apply_preset(str(new), actor=actor)


def define_all() -> None:
    from zhidu.core import params

    params.define(
        key=VARIANT_KEY,
        kind=params.Kind.CHOICE,
        default=DEFAULTS[VARIANT_KEY],
        label=_("Scrapping approval routing"),
        article="篇1 第二十九条–第三十二条; 篇14/5 第十八条; 篇12 信息技术专用室负责人(10)",
        requirement="VAR-05, DSP-02, DSP-03, DSP-04, DSP-06",
        help=_("(A) the IT authority appraises, then the company fixed-asset scrapping process (IT authority head, "
               "finance, general manager); (B) 办公室 review, then the company supervising leader (公司主管领导); "
               "(C) school: the IT head submits to the school leader. Choosing a variant makes its preset the "
               "active approval policy."),
        group=_("Disposal"),
        choices=list(RoutingVariant.choices),
        on_change=apply_routing_variant,
    )
