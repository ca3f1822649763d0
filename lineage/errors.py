"""The one exception hierarchy of lineage.

Every error the library raises on purpose is a :class:`LineageError`; the CLI
turns it into a one-line message and exit status 1 in a single place.

>>> issubclass(InputError, LineageError)
True
>>> str(InputError("no such path: x", fix="check the spelling"))
'no such path: x (check the spelling)'
"""

from __future__ import annotations


class LineageError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message} ({fix})" if fix else message)

    def __reduce__(self):  # pickled whole (message and fix) when a worker process raises it
        return (_rebuild, (type(self), self.message, self.fix))


def _rebuild(cls: type[LineageError], message: str, fix: str | None) -> LineageError:
    return cls(message, fix=fix)


class InputError(LineageError):
    """The corpus given cannot be read at all (missing path, nothing readable)."""


class ConfigError(LineageError):
    """A parameter is out of range or parameters contradict each other."""


class OutputError(LineageError):
    """An output file or folder cannot be written."""


class TruthError(LineageError):
    """A ground-truth or lineage file given to ``lineage eval`` is malformed."""
