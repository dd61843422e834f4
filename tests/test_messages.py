import dataclasses

import pytest
import trio

from actors import messages
from actors.mesh import fan_out, mailbox
from actors.messages import (
    Hit,
    Message,
    SetPattern,
    SetVoice,
    Start,
    Step,
    Stop,
    decode,
    encode,
)


def _all_message_types() -> list[type[Message]]:
    return [
        cls
        for cls in vars(messages).values()
        if isinstance(cls, type) and issubclass(cls, Message) and cls is not Message
    ]


def _example(cls: type[Message]) -> Message:
    values = {int: 3, float: 1.25, str: "x-X-", bool: True}
    args = []
    for field in dataclasses.fields(cls):
        kind = field.type if isinstance(field.type, str) else field.type.__name__
        kind = kind.split(" | ")[0]  # a union: any of its members will do
        if kind.startswith("tuple"):
            args.append(("freq", 440.0, "amp", 0.5))
        else:
            args.append(next(v for t, v in values.items() if t.__name__ == kind))
    return cls(*args)


@pytest.mark.parametrize("cls", _all_message_types(), ids=lambda c: c.__name__)
def test_every_message_survives_the_wire(cls):
    message = _example(cls)
    data = encode(message)
    assert isinstance(data, bytes)
    assert decode(data) == message


def test_tags_are_unique_and_wire_is_compact():
    tags = [cls.TAG for cls in _all_message_types()]
    assert len(tags) == len(set(tags))
    assert len(encode(Hit(2, 12345.678901234, 127, False))) < 20


def test_float_times_keep_full_precision():
    step = Step(7, 98765.123456789012, 0.125)
    assert decode(encode(step)).time == step.time


def test_tuples_come_back_as_tuples():
    voice = SetVoice(1, "supertonic_x", ("freq", 100.0), 0.5)
    assert decode(encode(voice)).controls == ("freq", 100.0)
    assert decode(encode(SetPattern(0, "x---"))) == SetPattern(0, "x---")


async def test_fan_out_hands_every_message_to_each_and_closes_them():
    source, source_in = mailbox()
    a_out, a_in = mailbox()
    b_out, b_in = mailbox()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(fan_out, source_in, a_out, b_out)
        await source.send(Start())
        await source.send(Stop())
        await source.aclose()
    assert [m async for m in a_in] == [Start(), Stop()]
    assert [m async for m in b_in] == [Start(), Stop()]


async def test_receive_by_waits_for_a_message_or_the_deadline(autojump_clock):
    out, inbox = mailbox()
    start = trio.current_time()
    assert await inbox.receive_by(start + 1.0) is None  # nothing came: the deadline
    assert trio.current_time() == pytest.approx(start + 1.0)
    await out.send(Start())
    assert await inbox.receive_by(start + 5.0) == Start()
    assert trio.current_time() == pytest.approx(start + 1.0)  # at once
    await out.send(Stop())
    # due work first: a deadline already past wins over a message already waiting
    assert await inbox.receive_by(start) is None
    assert await inbox.receive_by(start + 5.0) == Stop()
    await out.aclose()
    # with every sender gone, it only keeps time
    assert await inbox.receive_by(start + 3.0) is None
    assert trio.current_time() == pytest.approx(start + 3.0)
