"""The original's controls, complete: three keys and three encoders, as a pure model.

Events (a key pressed or released, an encoder turned some detents) come in with
the latest :class:`View`; what to send (to the clock or the session) comes out.
Every surface - the terminal, an OSC controller, a norns - drives this one model,
so they all play the same instrument.

On the pattern page (the original's only screen):

- K2 starts (from step 1) or stops the transport. K3 cycles the step under the
  cursor rest -> hit -> accent -> rest. E2 selects the track, E3 moves the cursor
  from 1 to the selected track's length, wrapping.
- Hold K1 and turn E3: the cursor moves and erases each step it lands on. Hold K3
  and turn E2/E3: the cursor moves and lays a hit on each step it lands on (an
  accent stays an accent).
- Hold K1 and press K3: generate the selected track from the other tracks (or, set
  on the global page, the basis track alone); hold K1
  and turn E2: choose the basis track; hold K1 and press K2: generate steps 17-32
  of the selected track from its steps 1-16. Both generate keys work on every page.

E1 turns the pages (the original's PARAMETERS menu): on a parameter page E2
picks an item, E3 changes it (holding K1: finely), K3 toggles a switch or does
an action, and K1 + E2 selects the track.

Edits travel to the session actor and come back as its state a moment later.
Until they do, the value sent is what the model shows and builds on (an edit
*in flight*), so two quick turns add up and a double press of K3 reaches an
accent instead of repeating the first press.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
import typing
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from actors import kit as kits
from actors.groove import STYLES, is_take
from actors.link import MAX_QUANTUM, MIN_QUANTUM
from actors.messages import (
    TRACKS,
    Generate,
    LoadKit,
    Message,
    SaveSession,
    SetBasis,
    SetBasisOnly,
    SetChoke,
    SetFeel,
    SetFillRate,
    SetFollow,
    SetGeneration,
    SetGroove,
    SetHistoryWeight,
    SetLength,
    SetLowpass,
    SetMorph,
    SetMute,
    SetParam,
    SetQuantum,
    SetStep,
    SetStepRate,
    SetSwing,
    SetTempo,
    Start,
    Stop,
)
from actors.rules import (
    ACCENT,
    FILL_RATE,
    GROOVE,
    HISTORY_WEIGHT,
    HIT,
    LENGTH,
    REST,
    STEP_CHARACTER,
    STEP_RATES,
    STEPS,
    TEMPO,
    UNIT,
    VELOCITY_ACCENT,
    VELOCITY_HIT,
    frequency_knob,
    generation_refusal,
    knob_frequency,
)

from ._state import SessionView, View


class Dest(enum.Enum):
    CLOCK = "clock"
    SESSION = "session"


@dataclasses.dataclass(frozen=True)
class Send:
    dest: Dest
    message: Message


@dataclasses.dataclass(frozen=True)
class LoadSessionFile:
    """Read a session file and turn the session into it (file I/O is the shell's)."""

    path: Path


@dataclasses.dataclass(frozen=True)
class ListFiles:
    """List the kit and session directories and hand them to :meth:`Controls.set_files`."""


Action = Send | LoadSessionFile | ListFiles


class Page(enum.IntEnum):
    PATTERN = 0
    TRACK = 1
    PATCH_1 = 2
    PATCH_2 = 3
    GLOBAL = 4
    FILES = 5
    GROOVE = 6


PAGE_TITLES = {Page.PATTERN: "pattern", Page.TRACK: "track", Page.PATCH_1: "patch 1",
               Page.PATCH_2: "patch 2", Page.GLOBAL: "global", Page.FILES: "files",
               Page.GROOVE: "groove"}

IN_FLIGHT_LIMIT = 32
"""Session states after which an edit still not reflected counts as refused."""

KNOB_STEP = 0.01
FINE_KNOB_STEP = 0.001
"""Knob travel per detent (coarse, and with K1 held): 100 or 1000 detents end to end."""

_T = TypeVar("_T")
_NEXT_VELOCITY = {REST: VELOCITY_HIT, HIT: VELOCITY_ACCENT, ACCENT: 0}
_SLOTS = ("patch 1", "patch 2", "both")
_SLOT_VALUES = (0, 1, -1)
_KIT_PATTERNS = ("keep", *kits.PATTERN_NAMES)
_SESSION_NAME = re.compile(r"session-(\d+)\.json")


@dataclasses.dataclass(frozen=True)
class Item:
    """One line of a parameter page. ``turn``/``press`` return the edit to make:
    the key it is held under, the new value, and what to send."""

    label: str
    text: str
    turn: Callable[[int, bool], Edit] | None = None
    press: Callable[[], Edit] | None = None
    value: Any = None
    """What ``turn`` changes: a turn that leaves it so (at an end) sends nothing."""


Edit = tuple[Hashable, Any, list[Action]]
"""``(key, value, actions)``; a key starting with ``"ui"`` is the model's own setting,
any other names a session value now in flight."""


class Controls:
    """The control model of one surface: its page, track, cursor and held keys."""

    def __init__(self, sessions_dir: Path, clock_source: str = "internal") -> None:
        self.sessions_dir = sessions_dir
        self.clock_source = clock_source
        self.page = Page.PATTERN
        self.track = 0
        self.cursor = 0
        self.k1 = False
        self.k3 = False
        self.items = dict.fromkeys(Page, 0)
        """The selected item of each parameter page."""
        self.kit_files: tuple[Path, ...] = ()
        self.take_files: tuple[Path, ...] = ()
        self.session_files: tuple[Path, ...] = ()
        self.notice = ""
        """A line for the player about the last thing that happened."""
        self._local: dict[Hashable, Any] = {("ui", "kit"): 0, ("ui", "slot"): 2,
                                            ("ui", "pattern"): 0, ("ui", "session"): 0,
                                            ("ui", "take"): 0}
        self._in_flight: dict[Hashable, tuple[Any, int]] = {}

    # --- events -----------------------------------------------------------------------

    def key(self, n: int, z: int, view: View) -> list[Action]:
        """Key ``n`` (1-3) pressed (``z`` 1) or released (0)."""
        if n not in (1, 2, 3) or z not in (0, 1):
            return []
        pressed = z == 1
        if n == 1:
            self.k1 = pressed
            return []
        if n == 3:
            self.k3 = pressed
        if not pressed:
            return []
        if n == 2:
            return self._generate(view, continuation=True) if self.k1 else self._transport(view)
        if self.k1:
            return self._generate(view, continuation=False)
        if self.page == Page.PATTERN:
            return self._cycle_step(view)
        item = self._item(view)
        return self._edit(item.press(), view) if item is not None and item.press else []

    def enc(self, n: int, d: int, view: View) -> list[Action]:
        """Encoder ``n`` (1-3) turned ``d`` detents (negative: anticlockwise)."""
        if n not in (1, 2, 3) or d == 0:
            return []
        if n == 1:
            page = Page(min(max(self.page + d, 0), len(Page) - 1))
            entered = page != self.page
            self.page = page
            self.notice = ""
            # the groove page's takes come with the files page's list: E1 passes it first
            return [ListFiles()] if entered and page == Page.FILES else []
        if self.page == Page.PATTERN:
            return self._pattern_enc(n, d, view)
        if n == 2:
            if self.k1:
                self.track = _clamp_track(self.track + d)
            else:
                count = len(self.page_items(view))
                self.items[self.page] = min(max(self.items[self.page] + d, 0), max(count - 1, 0))
            return []
        item = self._item(view)
        if item is None or item.turn is None:
            return []
        edit = item.turn(d, self.k1)
        return [] if edit[1] == item.value else self._edit(edit, view)

    def set_files(self, kit_files: Sequence[Path], session_files: Sequence[Path],
                  take_files: Sequence[Path] = ()) -> None:
        """The files the files page offers (and the MIDI takes the groove page's feel
        offers), as the shell found them."""
        kit = self._chosen(self.kit_files, ("ui", "kit"))
        session = self._chosen(self.session_files, ("ui", "session"))
        take = self._chosen(self.take_files, ("ui", "take"))
        self.kit_files = tuple(kit_files)
        self.session_files = tuple(session_files)
        self.take_files = tuple(take_files)
        # keep the choice on the same file when the lists change under it
        self._local["ui", "kit"] = _index_of(self.kit_files, kit)
        self._local["ui", "session"] = _index_of(self.session_files, session)
        self._local["ui", "take"] = _index_of(self.take_files, take)

    # --- what surfaces draw -----------------------------------------------------------

    def pattern(self, view: View, track: int) -> str:
        """The track's steps as the player should see them: with edits in flight."""
        if view.session is None:
            return REST * STEPS
        steps = list(view.session.tracks[track].pattern)
        for index, char in enumerate(steps):
            steps[index] = self._value(("step", track, index), char, view)
        return "".join(steps)

    def length(self, view: View, track: int | None = None) -> int:
        """The steps the track (the selected one unless told) plays, with an edit in
        flight."""
        t = self.track if track is None else track
        if view.session is None:
            return STEPS
        return self._value(("length", t), view.session.tracks[t].length, view)

    def basis(self, view: View) -> int:
        if view.session is None:
            return 0
        return self._value(("basis",), view.session.basis, view)

    def page_items(self, view: View) -> list[Item]:
        if view.session is None or self.page == Page.PATTERN:
            return []
        session = view.session
        match self.page:
            case Page.TRACK:
                return self._track_items(session, view)
            case Page.PATCH_1 | Page.PATCH_2:
                return self._patch_items(session, view, self.page - Page.PATCH_1)
            case Page.GLOBAL:
                return self._global_items(session, view)
            case Page.GROOVE:
                return self._groove_items(session, view)
            case _:
                return self._file_items(session.groove_seed)

    # --- the pattern page ---------------------------------------------------------------

    def _pattern_enc(self, n: int, d: int, view: View) -> list[Action]:
        if n == 2:
            if self.k1:
                if view.session is None:
                    return []
                basis = _clamp_track(self.basis(view) + d)
                self.notice = f"basis: {TRACKS[basis]}"
                if basis == self.basis(view):
                    return []
                return self._edit((("basis",), basis, [Send(Dest.SESSION, SetBasis(basis))]),
                                  view)
            self.track = _clamp_track(self.track + d)
            self.cursor %= self.length(view)
            return self._lay(view, VELOCITY_HIT) if self.k3 else []
        self.cursor = (self.cursor + d) % self.length(view)
        if self.k1:
            return self._lay(view, 0)
        return self._lay(view, VELOCITY_HIT) if self.k3 else []

    def _lay(self, view: View, velocity: int) -> list[Action]:
        """Erase (0) or lay a hit under the cursor; an existing hit is left alone."""
        current = self.pattern(view, self.track)[self.cursor]
        if view.session is None or (current == REST) == (velocity == 0):
            return []
        return self._set_step(view, velocity)

    def _cycle_step(self, view: View) -> list[Action]:
        if view.session is None:
            return []
        return self._set_step(view, _NEXT_VELOCITY[self.pattern(view, self.track)[self.cursor]])

    def _set_step(self, view: View, velocity: int) -> list[Action]:
        message = SetStep(self.track, self.cursor, velocity)
        return self._edit((("step", self.track, self.cursor), STEP_CHARACTER[velocity],
                           [Send(Dest.SESSION, message)]), view)

    def _transport(self, view: View) -> list[Action]:
        return [Send(Dest.CLOCK, Stop() if view.playing else Start())]

    def _generate(self, view: View, *, continuation: bool) -> list[Action]:
        if view.session is not None:
            refusal = generation_refusal(view.session.step_rate, self.length(view),
                                         continuation,
                                         bool(view.session.tracks[self.track].chain))
            if refusal:
                self.notice = refusal
                return []
        if continuation:
            half = self.length(view) // 2
            self.notice = f"generating {TRACKS[self.track]} {half + 1}-{2 * half} from 1-{half}"
        else:
            self.notice = f"generating {TRACKS[self.track]} from {TRACKS[self.basis(view)]}"
        return [Send(Dest.SESSION, Generate(self.track, continuation))]

    # --- edits and the values in flight ---------------------------------------------------

    def _edit(self, edit: Edit, view: View) -> list[Action]:
        key, value, actions = edit
        if isinstance(key, tuple) and key[:1] == ("ui",):
            self._local[key] = value
        else:
            self._in_flight[key] = (value, view.serial)
        return actions

    def _value(self, key: Hashable, actual: _T, view: View) -> _T:
        """The value under ``key``: the one in flight until the session shows it (or
        has ignored it for too long), else the session's."""
        held = self._in_flight.get(key)
        if held is None:
            return actual
        value, serial = held
        if value == actual or view.serial - serial > IN_FLIGHT_LIMIT:
            del self._in_flight[key]
            return actual
        # an edit in flight under a key holds a value of the kind the session shows there
        return cast(_T, value)

    def _item(self, view: View) -> Item | None:
        items = self.page_items(view)
        if not items:
            return None
        index = min(self.items[self.page], len(items) - 1)
        self.items[self.page] = index
        return items[index]

    # --- parameter pages ----------------------------------------------------------------------

    def _track_items(self, session: SessionView, view: View) -> list[Item]:
        t = self.track
        track = session.tracks[t]
        morph = self._value(("morph", t), track.morph, view)
        swing = self._value(("swing", t), track.swing, view)
        mute = self._value(("mute", t), track.mute, view)
        choke = self._value(("choke", t), track.choke, view)
        length = self.length(view, t)

        def toggle(key: str, value: bool, make: Callable[[int, bool], Message]) -> Edit:
            return (key, t), not value, [Send(Dest.SESSION, make(t, not value))]

        def length_turn(d: int, fine: bool) -> Edit:
            steps = int(LENGTH.clamp(length + d))
            return ("length", t), steps, [Send(Dest.SESSION, SetLength(t, steps))]

        return [
            _unit_item("morph", ("morph", t), morph, lambda v: SetMorph(t, v), f"{morph:.3f}"),
            _unit_item("swing", ("swing", t), swing, lambda v: SetSwing(t, v),
                       f"{100 * swing:.1f} %"),
            Item("mute", _on_off(mute), turn=lambda d, fine: toggle("mute", mute, SetMute),
                 press=lambda: toggle("mute", mute, SetMute)),
            Item("choke", _on_off(choke), turn=lambda d, fine: toggle("choke", choke, SetChoke),
                 press=lambda: toggle("choke", choke, SetChoke)),
            Item("length", f"{length} steps", turn=length_turn, value=length),
        ]

    def _patch_items(self, session: SessionView, view: View, slot: int) -> list[Item]:
        t = self.track
        stored = session.tracks[t].patches[slot]
        patch = {name: self._value(("param", t, slot, name), value, view)
                 for name, value in stored.items()}
        return [_param_item(t, slot, name, patch) for name in _DRUM_FIELDS]

    def _global_items(self, session: SessionView, view: View) -> list[Item]:
        tempo = self._value(("tempo",), session.tempo, view)
        lowpass = self._value(("lowpass",), session.lowpass, view)
        generation = self._value(("generation",), (session.surprise, session.complexity), view)
        fill_rate = self._value(("fill_rate",), session.fill_rate, view)
        step_rate = self._value(("step_rate",), session.step_rate, view)
        history = self._value(("history",), session.history_weight, view)
        basis_only = self._value(("basis_only",), session.basis_only, view)

        def tempo_turn(d: int, fine: bool) -> Edit:
            bpm = round(TEMPO.clamp(tempo + d * (0.1 if fine else 1.0)), 1)
            return ("tempo",), bpm, [Send(Dest.SESSION, SetTempo(bpm))]

        def frequency_turn(d: int, fine: bool) -> Edit:
            knob = frequency_knob(lowpass[0]) + d * (FINE_KNOB_STEP if fine else KNOB_STEP)
            pair = (round(knob_frequency(knob), 2), lowpass[1])
            return ("lowpass",), pair, [Send(Dest.SESSION, SetLowpass(*pair))]

        def resonance_turn(d: int, fine: bool) -> Edit:
            pair = (lowpass[0], _unit_step(lowpass[1], d, fine))
            return ("lowpass",), pair, [Send(Dest.SESSION, SetLowpass(*pair))]

        def generation_turn(which: int) -> Callable[[int, bool], Edit]:
            def turn(d: int, fine: bool) -> Edit:
                surprise, complexity = generation
                if which == 0:
                    surprise = _unit_step(surprise, d, fine)
                else:
                    # complexity starts "free" (None): the first turn takes it from the middle
                    complexity = _unit_step(0.5 if complexity is None else complexity, d, fine)
                pair = (surprise, complexity)
                return ("generation",), pair, [Send(Dest.SESSION, SetGeneration(*pair))]
            return turn

        quantum = self._value(("quantum",), session.quantum, view)

        def quantum_turn(d: int, fine: bool) -> Edit:
            beats = min(max(round(quantum) + d, MIN_QUANTUM), MAX_QUANTUM)
            return ("quantum",), beats, [Send(Dest.SESSION, SetQuantum(beats))]

        def fill_rate_turn(d: int, fine: bool) -> Edit:
            rate = round(FILL_RATE.clamp(fill_rate + d * (0.01 if fine else 0.1)), 2)
            return ("fill_rate",), rate, [Send(Dest.SESSION, SetFillRate(rate))]

        def step_rate_turn(d: int, fine: bool) -> Edit:
            rates = tuple(STEP_RATES)
            rate = rates[min(max(rates.index(step_rate) + d, 0), len(rates) - 1)]
            return ("step_rate",), rate, [Send(Dest.SESSION, SetStepRate(rate))]

        def history_turn(d: int, fine: bool) -> Edit:
            weight = round(HISTORY_WEIGHT.clamp(history + d * (0.01 if fine else 0.1)), 2)
            return ("history",), weight, [Send(Dest.SESSION, SetHistoryWeight(weight))]

        def looks_at() -> Edit:
            return ("basis_only",), not basis_only, [
                Send(Dest.SESSION, SetBasisOnly(not basis_only))]

        return [
            Item("tempo", f"{tempo:.1f} bpm", turn=tempo_turn, value=tempo),
            Item("clock", clock_text(self.clock_source, view)),
            Item("lowpass", f"{_number(lowpass[0])} Hz", turn=frequency_turn, value=lowpass),
            Item("resonance", f"{lowpass[1]:.2f}", turn=resonance_turn, value=lowpass),
            Item("surprise", f"{generation[0]:.2f}", turn=generation_turn(0), value=generation),
            Item("complexity", "free" if generation[1] is None else f"{generation[1]:.2f}",
                 turn=generation_turn(1), value=generation),
            Item("fill rate", f"{fill_rate:.2f}", turn=fill_rate_turn, value=fill_rate),
            Item("quantum", f"{quantum:g} beats", turn=quantum_turn, value=quantum),
            Item("step rate", step_rate, turn=step_rate_turn, value=step_rate),
            # How much this session's own bars count: 0 the store alone, 1 as learned.
            Item("history", "off" if history == 0 else f"x{history:.2f}", turn=history_turn,
                 value=history),
            Item("looks at", "basis only" if basis_only else "all tracks",
                 turn=lambda d, fine: looks_at(), press=looks_at),
        ]

    def _groove_items(self, session: SessionView, view: View) -> list[Item]:
        """The global groove, then the selected track's share of it (K1 + E2 selects)."""
        t = self.track
        track = session.tracks[t]
        own = self._value(("groove", t), (track.groove, track.dynamics), view)
        groove = self._value(("groove",), (session.groove, session.dynamics), view)
        feel = self._value(("feel",), (session.feel, session.groove_seed), view)

        def groove_turn(which: int, whose: int) -> Callable[[int, bool], Edit]:
            pair = groove if whose < 0 else own
            key = ("groove",) if whose < 0 else ("groove", whose)

            def turn(d: int, fine: bool) -> Edit:
                new = _pair_step(pair, which, d, fine)
                return key, new, [Send(Dest.SESSION, SetGroove(whose, *new))]
            return turn

        def feel_turn(d: int, fine: bool) -> Edit:
            feels = ("", *STYLES, *(str(p) for p in self.take_files))
            at = feels.index(feel[0]) if feel[0] in feels else 0
            chosen = (feels[(at + d) % len(feels)], feel[1])
            return ("feel",), chosen, [Send(Dest.SESSION, SetFeel(*chosen))]

        follow = self._value(("follow",), session.follow, view)

        def seed_turn(d: int, fine: bool) -> Edit:
            chosen = (feel[0], max(feel[1] + d, 0))
            return ("feel",), chosen, [Send(Dest.SESSION, SetFeel(*chosen))]

        name = TRACKS[t]
        return [
            Item("groove", f"{100 * groove[0]:.0f} %", turn=groove_turn(0, -1), value=groove),
            Item("dynamics", f"{100 * groove[1]:.0f} %", turn=groove_turn(1, -1), value=groove),
            Item("feel", Path(feel[0]).name if is_take(feel[0]) else feel[0] or "all drummers",
                 turn=feel_turn, value=feel),
            Item("seed", str(feel[1]), turn=seed_turn, value=feel),
            _unit_item("follow", ("follow",), follow, SetFollow, f"{100 * follow:.0f} %"),
            Item(f"{name} groove", f"{100 * own[0]:.0f} %", turn=groove_turn(0, t), value=own),
            Item(f"{name} dynamics", f"{100 * own[1]:.0f} %", turn=groove_turn(1, t),
                 value=own),
        ]

    def _file_items(self, seed: int) -> list[Item]:
        """Kits, sessions, and MIDI takes to groove from (the groove page's feel offers
        the same takes among the styles)."""
        kit = self._local["ui", "kit"]
        slot = self._local["ui", "slot"]
        pattern = self._local["ui", "pattern"]
        session = self._local["ui", "session"]
        take = self._local["ui", "take"]

        def choose(key: str, index: int, count: int) -> Callable[[int, bool], Edit]:
            return lambda d, fine: (("ui", key), (index + d) % max(count, 1), [])

        def load_kit() -> Edit:
            if not self.kit_files:
                self.notice = "no kits to load: put .mtpreset files in the kits folder"
                return ("ui", "kit"), kit, []
            path = self.kit_files[kit]
            self.notice = f"loading {path.name} into {_SLOTS[slot]}"
            message = LoadKit(str(path), _SLOT_VALUES[slot],
                              "" if pattern == 0 else _KIT_PATTERNS[pattern])
            return ("ui", "kit"), kit, [Send(Dest.SESSION, message)]

        def save() -> Edit:
            path = self.sessions_dir / _next_session_name(self.session_files)
            self.session_files = (*self.session_files, path)
            self.notice = f"saved {path.name}"
            return ("ui", "session"), len(self.session_files) - 1, [
                Send(Dest.SESSION, SaveSession(str(path)))]

        def load_session() -> Edit:
            if not self.session_files:
                self.notice = "no saved sessions yet"
                return ("ui", "session"), session, []
            path = self.session_files[session]
            self.notice = f"loading {path.name}"
            return ("ui", "session"), session, [LoadSessionFile(path)]

        def groove_from_take() -> Edit:
            if not self.take_files:
                self.notice = "no takes: put General MIDI drum files (.mid) in the kits folder"
                return ("ui", "take"), take, []
            path = self.take_files[take]
            self.notice = f"grooving from {path.name}"
            return ("ui", "take"), take, [Send(Dest.SESSION, SetFeel(str(path), seed))]

        return [
            Item("kit", self.kit_files[kit].name if self.kit_files else "(none)",
                 turn=choose("kit", kit, len(self.kit_files)), value=kit),
            Item("into", _SLOTS[slot], turn=choose("slot", slot, len(_SLOTS)), value=slot),
            Item("pattern", _KIT_PATTERNS[pattern],
                 turn=choose("pattern", pattern, len(_KIT_PATTERNS)), value=pattern),
            Item("load kit", "K3", press=load_kit),
            Item("save session", "K3", press=save),
            Item("session", self.session_files[session].name if self.session_files else "(none)",
                 turn=choose("session", session, len(self.session_files)), value=session),
            Item("load session", "K3", press=load_session),
            Item("take", self.take_files[take].name if self.take_files else "(none)",
                 turn=choose("take", take, len(self.take_files)), value=take),
            Item("groove from take", "K3", press=groove_from_take),
        ]

    def _chosen(self, files: tuple[Path, ...], key: Hashable) -> Path | None:
        index = self._local[key]
        return files[index] if index < len(files) else None


# --- values ------------------------------------------------------------------------------------

_DRUM_TYPES = typing.get_type_hints(kits.Drum)
_DRUM_FIELDS = tuple(f.name for f in dataclasses.fields(kits.Drum) if f.name != "name")
_TIMES = {"osc_atk", "osc_dcy", "nenv_atk", "nenv_dcy"}
_UNITS = {"osc_freq": "Hz", "nfil_frq": "Hz", "eq_freq": "Hz", "mod_amt": "st", "eq_gain": "dB",
          "level": "dB", "osc_vel": "%", "n_vel": "%", "mod_vel": "%"}


def _param_item(track: int, slot: int, name: str, patch: dict[str, Any]) -> Item:
    value = patch[name]
    key = ("param", track, slot, name)

    def edit(new: Any) -> Edit:
        return key, new, [Send(Dest.SESSION, SetParam(track, slot, name, new))]

    label = name.replace("_", " ")
    kind = _DRUM_TYPES[name]
    if kind is bool:
        return Item(label, _on_off(value), turn=lambda d, fine: edit(not value),
                    press=lambda: edit(not value))
    options = typing.get_args(kind)
    if options:
        def cycle(d: int, fine: bool = False) -> Edit:
            return edit(options[(options.index(value) + d) % len(options)])
        return Item(label, str(value), turn=cycle, press=lambda: cycle(1))
    mode = patch["mod_mode"] if name in ("mod_rate", "mod_amt") else None

    def turn(d: int, fine: bool) -> Edit:
        knob = kits.to_normalised(name, value, mod_mode=mode)
        knob = min(max(knob + d * (FINE_KNOB_STEP if fine else KNOB_STEP), 0.0), 1.0)
        return edit(kits.from_normalised(name, knob, mod_mode=mode))

    return Item(label, _param_text(name, value, mode), turn=turn, value=value)


def _param_text(name: str, value: float, mode: str | None) -> str:
    if name == "mix":
        return f"{round(100 * (1 - value))}/{round(100 * value)}"
    if name in _TIMES or (name == "mod_rate" and mode == "Decay"):
        return f"{_number(1000 * value)} ms"
    if name == "mod_rate":
        return f"{_number(value)} Hz"
    unit = _UNITS.get(name, "")
    return f"{_number(value)} {unit}".rstrip()


def _number(value: float) -> str:
    """Four significant digits, as much as a small screen has room for."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4g}" if abs(value) < 10000 else f"{value:.0f}"


def _unit_item(label: str, key: Hashable, value: float, make: Callable[[float], Message],
               text: str) -> Item:
    def turn(d: int, fine: bool) -> Edit:
        new = _unit_step(value, d, fine)
        return key, new, [Send(Dest.SESSION, make(new))]
    return Item(label, text, turn=turn, value=value)


def _pair_step(pair: tuple[float, float], which: int, d: int, fine: bool
               ) -> tuple[float, float]:
    """A groove amount pair with one of its two amounts turned."""
    values = list(pair)
    values[which] = round(GROOVE.clamp(values[which] + d * (FINE_KNOB_STEP if fine
                                                            else KNOB_STEP)), 3)
    return values[0], values[1]


def _unit_step(value: float, d: int, fine: bool) -> float:
    step = FINE_KNOB_STEP if fine else KNOB_STEP
    return round(UNIT.clamp(value + d * step), 3)


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def _clamp_track(index: int) -> int:
    return min(max(index, 0), len(TRACKS) - 1)


def _index_of(files: tuple[Path, ...], path: Path | None) -> int:
    return files.index(path) if path in files else 0


def _next_session_name(files: Sequence[Path]) -> str:
    numbers = [int(m.group(1)) for f in files if (m := _SESSION_NAME.fullmatch(f.name))]
    return f"session-{max(numbers, default=0) + 1:02d}.json"


def clock_text(source: str, view: View) -> str:
    """The clock source, with the Link session's peers when it follows one."""
    if view.link is None:
        return source
    return f"{source}, {view.link.peers} peer{'' if view.link.peers == 1 else 's'}"
