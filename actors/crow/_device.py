"""Finding crow and talking to it: a USB CDC-ACM serial port, Lua lines in, text out.

The port is opened raw and non-blocking with the standard library (no serial
package is needed for CDC-ACM: its baud rate is ignored). Before any gate is
sent the device must say it is a crow: it answers ``^^i`` with
``^^identity(...)`` and ``^^v`` with ``^^version(...)``; anything else is
reported as not a crow, so a gate never goes to a modem or another board.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import termios
import tty
from pathlib import Path

import trio

USB_ID = ("0483", "5740")
"""crow's USB vendor and product ids."""
ANSWER_TIMEOUT = 1.0
"""Seconds crow has to answer ``^^i`` and ``^^v``."""
_IDENTITY = re.compile(r"\^\^identity\('([^']*)'\)")
_VERSION = re.compile(r"\^\^version\('([^']*)'\)")
GONE = (errno.EIO, errno.ENXIO, errno.ENODEV, errno.EBADF)
"""What reads and writes fail with once the device is unplugged."""


class NotACrow(RuntimeError):
    """The device is missing, cannot be opened, or does not answer as a crow."""


def find_crow(sysfs: Path = Path("/sys/class/tty"), dev: Path = Path("/dev")) -> Path | None:
    """The first serial port whose USB device is a crow, by its vendor and product id."""
    for port in sorted(sysfs.glob("ttyACM*")):
        usb = (port / "device").resolve().parent
        try:
            ids = ((usb / "idVendor").read_text().strip(), (usb / "idProduct").read_text().strip())
        except OSError:
            continue
        if ids == USB_ID:
            return dev / port.name
    return None


class CrowPort:
    """One open connection to a crow that has said who it is."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity = ""
        self.version = ""
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as exc:
            raise NotACrow(f"crow: cannot open {path}: {exc.strerror}") from None
        try:
            tty.setraw(self.fd, termios.TCSANOW)
        except termios.error as exc:
            os.close(self.fd)
            raise NotACrow(f"crow: {path} is not a serial port ({exc.args[-1]})") from None
        self._buffer = b""

    async def identify(self) -> None:
        """Ask the device who it is; raises :class:`NotACrow` unless it answers as one."""
        self.write("^^i\n^^v\n")
        seen = b""
        with trio.move_on_after(ANSWER_TIMEOUT):
            while not (self.identity and self.version):
                data = await self.read()
                seen += data
                text = seen.decode(errors="replace")
                if found := _IDENTITY.search(text):
                    self.identity = found.group(1)
                if found := _VERSION.search(text):
                    self.version = found.group(1)
        if not (self.identity and self.version):
            got = repr(seen[:80]) if seen else "nothing"
            raise NotACrow(f"{self.path} did not answer as a crow (^^i and ^^v got {got} in "
                           f"{ANSWER_TIMEOUT:g} s): is it a crow?")

    def write(self, text: str) -> None:
        """Write a whole line now; raises ``OSError`` when the device is gone."""
        data = text.encode()
        while data:
            try:
                data = data[os.write(self.fd, data):]
            except BlockingIOError:
                # only if crow stopped reading: it takes 64-byte packets at USB speed
                with contextlib.suppress(OSError):
                    termios.tcdrain(self.fd)

    async def read(self) -> bytes:
        """The next bytes crow sends; ``b""`` when the device is gone."""
        while True:
            await trio.lowlevel.wait_readable(self.fd)
            try:
                return os.read(self.fd, 4096)
            except BlockingIOError:
                continue
            except OSError as exc:
                if exc.errno in GONE:
                    return b""
                raise

    async def lines(self) -> list[str]:
        """Complete lines crow sent (its replies end in ``\\n\\r``); ``[]`` at the end."""
        while b"\n" not in self._buffer:
            data = await self.read()
            if not data:
                raise EOFError
            self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        return [line.decode(errors="replace").strip("\r") for line in lines]

    def close(self) -> None:
        trio.lowlevel.notify_closing(self.fd)
        with contextlib.suppress(OSError):
            os.close(self.fd)
