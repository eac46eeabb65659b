"""Equipment ledger models. Each concern lives in its own module, re-exported here."""

from .custody import (  # noqa: F401
    AssetIssue,
    AssetIssueLine,
    AssetLoan,
    AssetReturn,
    Clearance,
    CustodianChange,
    DamageIncident,
    LetterTemplate,
    PreparationTask,
    Reallocation,
    ResponsibilityLetter,
)
from .ledger import Asset, AssetCategory, AssetModel, CustodyPeriod, Location, Supplier  # noqa: F401
from .stocktake import (  # noqa: F401
    InspectionFinding,
    InspectionRound,
    StocktakeAdjustment,
    StocktakeExpected,
    StocktakeLine,
    StocktakePlan,
)
from .subledger import HandoverLine, SubLedger, SubLedgerHandover  # noqa: F401
from .usage import InstrumentUsage  # noqa: F401
