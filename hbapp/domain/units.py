"""Units in which services are granted and recorded."""

from __future__ import annotations

import enum

__all__ = ["Unit"]


class Unit(str, enum.Enum):
    # str-valued so the value can be stored and sent as is.
    HOUR = "hour"
    DAY = "day"
    VISIT = "visit"
    KM = "km"
    EURO = "euro"
