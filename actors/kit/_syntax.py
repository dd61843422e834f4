"""Microtonic's relaxed structured text, read into a tree that remembers positions.

Both preset dialects (the author's unquoted one and the user-saved quoted one) and
the old ``Key=Value`` drum patches share one shape: keyed entries, ``{ }`` blocks
that are either keyed structures or comma lists, and scalars that are quoted strings
or free text to the end of the line. Reading that shape first, and giving meaning to
keys only afterwards, keeps every syntax error in one place and lets the meaning
layer point at the exact character it rejects.
"""

from __future__ import annotations

import bisect
import dataclasses
import re

from ._errors import KitError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_KEY = re.compile(r"[A-Za-z0-9_]+")
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}


@dataclasses.dataclass(frozen=True, slots=True)
class Scalar:
    text: str
    offset: int
    """Where ``text`` starts in the source (inside the quotes for a quoted value)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    key: str
    offset: int
    value: Scalar | Struct | Items


@dataclasses.dataclass(frozen=True, slots=True)
class Struct:
    entries: tuple[Entry, ...]
    offset: int
    end: int
    """Offset of the closing ``}``, where a missing key is reported."""


@dataclasses.dataclass(frozen=True, slots=True)
class Items:
    items: tuple[Scalar, ...]
    offset: int
    end: int


class Source:
    """The text of one file plus what is needed to turn an offset into ``line:column``."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text.removeprefix("\ufeff")
        self.filename = filename
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        bad = _CONTROL.search(self.text)
        if bad:
            raise self.error(bad.start(), f"unexpected control character U+{ord(bad[0]):04X}")

    @classmethod
    def from_bytes(cls, data: bytes, filename: str) -> Source:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            before = data[: exc.start].decode("utf-8-sig", errors="replace")
            line = before.count("\n") + 1
            column = len(before) - (before.rfind("\n") + 1) + 1
            raise KitError(
                filename, line, column, f"expected UTF-8 text, found byte 0x{data[exc.start]:02x}"
            ) from None
        return cls(text, filename)

    def error(self, offset: int, reason: str) -> KitError:
        line = self.line_of(offset)
        column = offset - self._line_starts[line - 1] + 1
        return KitError(self.filename, line, column, reason)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)


def parse_tree(source: Source) -> Struct:
    """The whole file as one structure whose entries are its top-level keys.

    The separator after the first key decides the dialect: ``:`` for the V3 formats,
    ``=`` for the old ``MicroTonicDrumPatchV1`` patches; the rest of the file must
    keep to it.
    """
    return _Reader(source).document()


class _Reader:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = source.text
        self.pos = 0
        self.separator = ""

    def document(self) -> Struct:
        entries = self._entries(closing=None)
        return Struct(entries, 0, len(self.text))

    def _peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else ""

    def _skip_inline(self) -> None:
        while self._peek() in (" ", "\t"):
            self.pos += 1

    def _skip_blank(self) -> None:
        """Skip whitespace, line ends and both comment styles."""
        while self.pos < len(self.text):
            char = self._peek()
            if char in " \t\r\n":
                self.pos += 1
            elif char == "/" and self._peek(1) == "/":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif char == "/" and self._peek(1) == "*":
                end = self.text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.source.error(self.pos, "expected '*/' to close this comment")
                self.pos = end + 2
            else:
                return

    def _entries(self, closing: int | None) -> tuple[Entry, ...]:
        entries: list[Entry] = []
        while True:
            self._skip_blank()
            char = self._peek()
            if not char:
                if closing is None:
                    return tuple(entries)
                line = self.source.line_of(closing)
                raise self.source.error(
                    self.pos, f"expected '}}' to close the '{{' of line {line}, found the end"
                )
            if char == "}":
                if closing is None:
                    raise self.source.error(self.pos, "unexpected '}' with no block open")
                return tuple(entries)
            key_offset = self.pos
            key = self._key()
            self._skip_inline()
            self._separator(key)
            self._skip_inline()
            entries.append(Entry(key, key_offset, self._value(key)))

    def _key(self) -> str:
        if self._peek() == '"':
            return self._string().text
        match = _KEY.match(self.text, self.pos)
        if not match:
            raise self.source.error(self.pos, f"expected a key, found {self._shown()}")
        self.pos = match.end()
        return match[0]

    def _separator(self, key: str) -> None:
        char = self._peek()
        if not self.separator and char in (":", "="):
            self.separator = char
        if char != self.separator:
            expected = self.separator or ":"
            raise self.source.error(
                self.pos, f"expected '{expected}' after the key {key!r}, found {self._shown()}"
            )
        self.pos += 1

    def _value(self, key: str) -> Scalar | Struct | Items:
        char = self._peek()
        if char == "{":
            return self._block()
        if char == '"':
            return self._string()
        start = self.pos
        text = self._free_text(stops="}\r\n")
        if not text:
            raise self.source.error(start, f"expected a value for {key}")
        return Scalar(text, start)

    def _free_text(self, stops: str) -> str:
        """Text up to a stop character or a comment, without trailing blanks."""
        start = self.pos
        while True:
            char = self._peek()
            if not char or char in stops or (char == "/" and self._peek(1) in ("/", "*")):
                break
            self.pos += 1
        return self.text[start : self.pos].rstrip(" \t")

    def _string(self) -> Scalar:
        opening = self.pos
        self.pos += 1
        parts: list[str] = []
        while True:
            char = self._peek()
            if char in ("", "\r", "\n"):
                raise self.source.error(
                    self.pos, "expected '\"' to close the string before the end of the line"
                )
            self.pos += 1
            if char == '"':
                return Scalar("".join(parts), opening + 1)
            if char == "\\":
                escaped = _ESCAPES.get(self._peek())
                if escaped is None:
                    raise self.source.error(
                        self.pos - 1, 'expected an escape \\\\, \\", \\n, \\r or \\t'
                    )
                self.pos += 1
                char = escaped
            parts.append(char)

    def _block(self) -> Struct | Items:
        opening = self.pos
        self.pos += 1
        self._skip_blank()
        if self._is_keyed():
            entries = self._entries(closing=opening)
            end = self.pos
            self.pos += 1
            return Struct(entries, opening, end)
        items = self._items(opening)
        end = self.pos
        self.pos += 1
        return Items(items, opening, end)

    def _is_keyed(self) -> bool:
        """Whether the block starting here holds ``key: value`` entries (or nothing)."""
        if self._peek() in ("}", ""):
            return True
        saved = self.pos
        try:
            if self._peek() == '"':
                self._string()
            elif not (match := _KEY.match(self.text, self.pos)):
                return False
            else:
                self.pos = match.end()
            self._skip_inline()
            return self._peek() in (":", "=")
        except KitError:
            return False
        finally:
            self.pos = saved

    def _items(self, opening: int) -> tuple[Scalar, ...]:
        items: list[Scalar] = []
        while True:
            self._skip_blank()
            start = self.pos
            if self._peek() == '"':
                items.append(self._string())
            else:
                text = self._free_text(stops=",}\r\n")
                if not text:
                    raise self.source.error(start, f"expected a list item, found {self._shown()}")
                items.append(Scalar(text, start))
            self._skip_blank()
            char = self._peek()
            if char == "}":
                return tuple(items)
            if char != ",":
                if not char:
                    line = self.source.line_of(opening)
                    raise self.source.error(
                        self.pos, f"expected '}}' to close the '{{' of line {line}, found the end"
                    )
                raise self.source.error(self.pos, f"expected ',' or '}}', found {self._shown()}")
            self.pos += 1

    def _shown(self) -> str:
        char = self._peek()
        if not char:
            return "the end"
        if char in "\r\n":
            return "the end of the line"
        return repr(char)
