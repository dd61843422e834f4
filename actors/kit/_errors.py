"""The one exception every kit reader raises, so callers catch a single type."""

from __future__ import annotations


class KitError(ValueError):
    """A kit or drum file that cannot be read; the message leads with ``file:line:column``.

    Performers fix broken presets in a text editor, so the position is the useful part;
    ``line`` and ``column`` (1-based, a tab counts as one column) are ``None`` only for
    errors that have no place in the text, such as a JSON value of the wrong type.
    """

    def __init__(self, filename: str, line: int | None, column: int | None, reason: str) -> None:
        self.filename = filename
        self.line = line
        self.column = column
        self.reason = reason
        where = filename if line is None else f"{filename}:{line}:{column}"
        super().__init__(f"{where}: {reason}")
