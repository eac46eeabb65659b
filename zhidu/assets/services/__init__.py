"""Services of the equipment ledger, one module per concern, re-exported here:

    from zhidu.assets import services
    services.create_asset(...), services.depreciated_value(asset, on=...)

ledger.py: cards, catalogue, 转固, depreciation, stock-in (A1). Other modules (custody,
stock-take, …) add their own `from .<module> import *` line below.
"""

from .custody import *  # noqa: F403
from .ledger import *  # noqa: F403
from .stocktake import *  # noqa: F403
from .subledger import *  # noqa: F403
from .usage import *  # noqa: F403
