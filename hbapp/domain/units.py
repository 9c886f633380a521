"""Units in which services are granted and recorded, and THE function that turns money into them.

The budget is money (the Kainuu balance voucher): a line's value is the cap, not its units. Units
shown to a person are always derived from money with `units_for_money`, at the price that will
actually be charged to the budget for one unit (the chosen provider's price for the band, as
`hbapp.domain.pricing.charge_for` charges it, else the line's unit value). Every page, the swap
preview, the swap history and the statements use it, so what one place says is left is what
another says, and what is said to be left can really be bought.
"""

from __future__ import annotations

import enum
from decimal import Decimal

__all__ = ["INDIVISIBLE", "SMALLEST_USEFUL", "Unit", "units_for_money"]


class Unit(str, enum.Enum):
    # str-valued so the value can be stored and sent as is.
    HOUR = "hour"
    DAY = "day"
    VISIT = "visit"
    KM = "km"
    EURO = "euro"


# A day of carer's leave or a trip cannot be bought in parts.
INDIVISIBLE = frozenset({Unit.DAY, Unit.VISIT})

# Below this much, what is left of a line cannot buy anything a provider delivers: a quarter of an
# hour is the shortest visit in the pilots' price lists. The money still counts in the month's
# total; the pages say so instead of promising "5 min".
SMALLEST_USEFUL = {
    Unit.HOUR: Decimal("0.25"),
    Unit.DAY: Decimal(1),
    Unit.VISIT: Decimal(1),
    Unit.KM: Decimal(1),
    Unit.EURO: Decimal("0.01"),
}


def units_for_money(cents: int, unit: Unit | str, unit_charge_cents: int) -> Decimal:
    """How much of a service `cents` buys when one unit takes `unit_charge_cents` from the budget.

    Rounded DOWN, never promising more than the money covers: hours to whole minutes, days and
    visits to whole units, kilometres and euros to two decimals. No money (or an overspent line)
    buys nothing: 0.
    """
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError("cents must be an int")
    if isinstance(unit_charge_cents, bool) or not isinstance(unit_charge_cents, int):
        raise TypeError("unit_charge_cents must be an int")
    if unit_charge_cents <= 0:
        raise ValueError("a unit must cost something")
    unit = Unit(unit)
    if cents <= 0:
        return Decimal(0)
    if unit is Unit.HOUR:
        minutes = cents * 60 // unit_charge_cents
        whole, rest = divmod(minutes, 60)
        # Exact when the minutes divide evenly; otherwise a decimal that rounds back to `rest`.
        return Decimal(whole) + (Decimal(rest) / Decimal(60) if rest else Decimal(0))
    if unit in INDIVISIBLE:
        return Decimal(cents // unit_charge_cents)
    return Decimal(cents * 100 // unit_charge_cents).scaleb(-2)
