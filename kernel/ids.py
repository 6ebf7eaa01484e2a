"""Ids in URLs: a number no id column can hold is an unknown id (404), never a database error."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

#: The largest id any table can have: ids are `Integer` columns, which PostgreSQL stores in
#: 32 bits (SQLite's hold 64, but one schema serves both). A larger number reaching a query
#: is a DataError on PostgreSQL, and past 64 bits an OverflowError on SQLite: a 500 either way.
MAX_ID = 2**31 - 1


def digits_up_to(limit: int) -> str:
    """Return a regex matching the decimal numbers 0..limit (shorter ones may have leading zeros)."""
    top = str(limit)
    choices = [rf"\d{{1,{len(top) - 1}}}"] if len(top) > 1 else []
    for i, digit in enumerate(top):
        if digit != "0":
            rest = len(top) - i - 1
            choices.append(f"{top[:i]}[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    choices.append(top)
    return "(?:" + "|".join(choices) + ")"


class IdConverter(IntegerConverter):
    """`<int:...>` for ids: 0 to MAX_ID. A larger number does not match the URL at all, so routing
    answers 404 (refusing it after the match would say 405 where a path has a GET and a POST rule)."""

    regex = digits_up_to(MAX_ID)

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=0, max=MAX_ID)
