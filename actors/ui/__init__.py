"""Input actors: how a player (or a script) steers the machine.

``headless_ui`` just starts the transport; ``terminal_ui`` is a full-screen
terminal UI and ``osc_surface`` an OSC control surface (a norns runs
``norns/supertonic.lua`` against it). Both drive the original's control model,
:class:`Controls`, and draw from what they observe. ``pattern_png`` pictures
a session's patterns. See ``actors/ui/README.md``.
"""

from ._controls import Controls, Page
from ._files import Places
from ._headless import headless_ui
from ._options import DEFAULT_OSC_HOST, DEFAULT_OSC_PORT, places_from_options, register_options
from ._osc import osc_surface
from ._png import pattern_png
from ._screen import FRAME_BYTES, render_frame
from ._terminal import terminal_ui

__all__ = [
    "DEFAULT_OSC_HOST",
    "DEFAULT_OSC_PORT",
    "FRAME_BYTES",
    "Controls",
    "Page",
    "Places",
    "headless_ui",
    "osc_surface",
    "pattern_png",
    "places_from_options",
    "register_options",
    "render_frame",
    "terminal_ui",
]
