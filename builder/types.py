"""Type aliases shared across the package."""

from __future__ import annotations

from decimal import Decimal
from typing import Tuple, Union

#: A path to a value inside a document: `("progress", 3, "completed_ytd")`.
FieldPath = Tuple[Union[str, int], ...]

#: A number as the editor typed it: integers stay `int`, the rest `Decimal`.
Number = Union[int, Decimal]

#: (line, column), both 1-based.
Position = Tuple[int, int]

__all__ = ["FieldPath", "Number", "Position"]
