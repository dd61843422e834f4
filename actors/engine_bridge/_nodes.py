"""Our nodes on the server, as requests: a hit, a boot, a recording, the low-pass.

Values only, no state and no clock: the bridge core decides when each is
needed, and either sink (UDP or a score) carries them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from actors.messages import Hit, SetVoice
from actors.rules import LOWPASS_OPEN

from ._requests import (
    ADD_AFTER,
    ADD_TO_HEAD,
    ADD_TO_TAIL,
    BufferAlloc,
    BufferClose,
    BufferFree,
    BufferWrite,
    GroupNew,
    LoadDefDir,
    NodeFree,
    NodeSet,
    Request,
    SynthNew,
)

NODE_BASE = 1 << 29
"""Our fixed node ids sit far above the range sclang allocates from, so attaching
to a norns server shared with sclang cannot collide."""
GROUP_VOICES = NODE_BASE + 1
GROUP_CHOKE = NODE_BASE + 2
NODE_RECORDER = NODE_BASE + 3
NODE_CLOCK = NODE_BASE + 4
NODE_LOWPASS = NODE_BASE + 5
RECORD_BUFFER = 1000
MARKER_BUS = 511
PROBE_BUS = 510
SILENT_BUS = 509
"""Private audio buses well above the outputs (and above sclang's usual allocations).
The silent one is where a stem's render sends the tracks it does not hear."""
COUNT_BUS = 16000
"""The control bus the clock synth writes its count to, far above sclang's allocations
(scsynth has 16384)."""
COUNT_WRAP = 1 << 20
"""The clock synth counts samples modulo this (exact in float32): a hit's ``at``."""
WAIT_LIMIT = 2048
"""Samples a voice can wait for its ``at`` (``maxWait`` in scd/defs/voice.scd)."""
LEAD = 128
"""Samples early a hit is stamped to start, live and offline alike. A choke's cut must
reach the older voices a block before its sample: a control that changes within a
block is ramped across it, which would blur the fade. Live, the server clock
model's prediction errs by a tenth of a sample typically and by a sample or two
when the loop is jostled, but after an xrun scsynth's loop was seen to run 14-88
samples later than predicted for a moment; a loop later by up to this still starts
the hit in time, and one running earlier (xruns, by up to 2000 samples) only
lengthens the voice's wait, which holds ``WAIT_LIMIT`` samples. The cost is the
lead's extra synthesis per hit."""
RECORD_FRAMES = 32768
"""DiskOut streams in halves of this; at 48 kHz a half is 0.34 s, the most a
killed server can take with it."""
RECORD_CHANNELS = 3
"""Left, right and the alignment marker."""
RECORDER_DEF = "supertonic_recorder"
PULSE_DEF = "supertonic_pulse"
MARKER_DEF = "supertonic_marker"
CLOCK_DEF = "supertonic_clock"
LOWPASS_DEF = "supertonic_lowpass"
LOWPASS_Q = (0.7071, 20.0)
"""Resonance 0 is a Butterworth response; 1 rings with a Q of 20."""


@dataclasses.dataclass(frozen=True, slots=True)
class Voice:
    synthdef: str
    controls: tuple[str | float, ...]
    length: float
    """Seconds a hit rings; how long a recording must run on after the last hit."""

    @classmethod
    def from_message(cls, message: SetVoice) -> Voice:
        return cls(message.synthdef, message.controls, message.length)


def load_requests(synthdef_dirs: tuple[Path, ...]) -> tuple[Request, ...]:
    return tuple(LoadDefDir(str(d)) for d in synthdef_dirs)


def group_requests() -> tuple[Request, ...]:
    """The groups hits play in; choke hits gate off the whole choke group."""
    return (
        GroupNew(GROUP_VOICES, ADD_TO_HEAD, 0),
        GroupNew(GROUP_CHOKE, ADD_AFTER, GROUP_VOICES),
    )


def node_requests() -> tuple[Request, ...]:
    """A server's nodes, once the SynthDefs have loaded: the groups, and the sample
    clock behind the pulses (added at the head) and ahead of the voices, which read
    its count to sound on their own samples."""
    return (*group_requests(), clock_request())


def clock_request() -> Request:
    """The clock synth, at the head of the server, so every voice reads this block's count."""
    return SynthNew(CLOCK_DEF, NODE_CLOCK, ADD_TO_HEAD, 0, ("probe", PROBE_BUS, "count", COUNT_BUS))


def sample_count(position: float) -> int:
    """The clock synth's count on the sample nearest ``position`` (samples since it
    started): where a hit meant for that place is told to sound."""
    return round(position) % COUNT_WRAP


def release_requests(lowpass_running: bool) -> tuple[Request, ...]:
    """Our nodes freed from a server we attached to and leave running: the next
    supertonic to attach (a norns script restarted) would otherwise meet them as
    duplicate node IDs."""
    lowpass = (NodeFree(NODE_LOWPASS),) if lowpass_running else ()
    return (NodeFree(NODE_CLOCK), NodeFree(GROUP_CHOKE), NodeFree(GROUP_VOICES), *lowpass)


def voice_request(synthdef: str, controls: tuple[str | float, ...], velocity: float,
                  at: int, group: int) -> SynthNew:
    """A voice that sounds on sample ``at`` of the clock synth's count, however early
    scsynth starts it (up to ``WAIT_LIMIT`` samples)."""
    return SynthNew(synthdef, -1, ADD_TO_TAIL, group,
                    (*controls, "vel", velocity, "at", at, "count_bus", COUNT_BUS))


def choke_request(group: int, at: int) -> NodeSet:
    """Every voice in ``group`` fades out over 2 ms from sample ``at``."""
    return NodeSet(group, ("cut", at))


def hit_requests(hit: Hit, voice: Voice, at: int) -> tuple[Request, ...]:
    """A hit is one self-freeing synth placed on sample ``at``; a choke hit first cuts
    the choke group on that same sample."""
    if not hit.choke:
        return (voice_request(voice.synthdef, voice.controls, hit.velocity, at, GROUP_VOICES),)
    return (
        choke_request(GROUP_CHOKE, at),
        voice_request(voice.synthdef, voice.controls, hit.velocity, at, GROUP_CHOKE),
    )


def record_open_requests(path: Path) -> tuple[Request, ...]:
    """Open a raw float file and stream the output plus the marker bus into it."""
    return (
        BufferAlloc(RECORD_BUFFER, RECORD_FRAMES, RECORD_CHANNELS),
        BufferWrite(RECORD_BUFFER, str(path), "raw", "float", 0, 0, 1),
    )


def record_start_request() -> Request:
    return SynthNew(RECORDER_DEF, NODE_RECORDER, ADD_TO_TAIL, 0, ("buf", RECORD_BUFFER,
                                                                  "marker", MARKER_BUS))


def pulse_request(bus: int, value: float) -> Request:
    return SynthNew(PULSE_DEF, -1, ADD_TO_HEAD, 0, ("bus", bus, "value", value))


def marker_request(at: int) -> Request:
    """The recording's marker on sample ``at``, read in the clock synth's block."""
    return SynthNew(MARKER_DEF, -1, ADD_AFTER, NODE_CLOCK,
                    ("bus", MARKER_BUS, "at", at, "count_bus", COUNT_BUS))


def record_close_requests() -> tuple[Request, ...]:
    return (NodeFree(NODE_RECORDER), BufferClose(RECORD_BUFFER), BufferFree(RECORD_BUFFER))


def lowpass_requests(frequency: float, resonance: float, running: bool) -> tuple[Request, ...]:
    """Set, start or remove the low-pass so it exists exactly while it is closed."""
    if frequency >= LOWPASS_OPEN:
        return (NodeFree(NODE_LOWPASS),) if running else ()
    q = LOWPASS_Q[0] + resonance * (LOWPASS_Q[1] - LOWPASS_Q[0])
    controls = ("freq", frequency, "rq", 1.0 / q)
    if running:
        return (NodeSet(NODE_LOWPASS, controls),)
    return (SynthNew(LOWPASS_DEF, NODE_LOWPASS, ADD_AFTER, GROUP_CHOKE, controls),)
