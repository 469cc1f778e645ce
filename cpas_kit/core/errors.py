"""The small exception hierarchy of cpas_kit.

Every message is written for the person who has to fix the problem (a planning officer, a
facilitator), not for a programmer: it says what is wrong and what to do.
"""

from __future__ import annotations


class CpasError(Exception):
    """Base class: an error whose message a non-programmer can act on."""


class PeriodError(CpasError, ValueError):
    """A reporting period string is not valid."""


class FrameworkError(CpasError):
    """A results framework file is not valid; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        n = len(self.problems)
        super().__init__(f"{source}: {n} problem{'s' if n != 1 else ''} in the results framework:\n{lines}")


class ParametersError(CpasError):
    """Pack or app parameters are not valid."""


class StoreError(CpasError):
    """The store cannot be opened, upgraded or written."""


class NotFoundError(CpasError, LookupError):
    """A mission, framework or record that was asked for does not exist in the store."""


class PackError(CpasError):
    """A pack could not be built."""


def pydantic_problems(exc) -> list[str]:
    """``key: message`` for every error of a pydantic ``ValidationError`` (unknown keys called out as misspelt)."""
    out = []
    for e in exc.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = ("unknown key (is it misspelt?)" if e["type"] == "extra_forbidden"
               else e["msg"].removeprefix("Value error, "))
        out.append(f"{key}: {msg}")
    return out
