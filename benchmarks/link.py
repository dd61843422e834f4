"""Two supertonic machines in one Link session on this machine: the issue's figures.

The take is tests/link_machines.py's (two processes, one JACK server, a network
namespace holding only loopback; root for ``unshare -n``). Targets: onsets of the
two within 1 ms on average and 0.5 ms SD over 30 s at 128 BPM; a 120 -> 90 BPM
change on one followed by the other within one beat, 0 late bundles; the second
starting on the next quantum boundary within 1 ms of the first's.

    .venv/bin/python benchmarks/link.py [--overlap 30]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.link_machines import BPM, run_take


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--overlap", type=float, default=30.0)
    overlap = parser.parse_args().overlap
    with tempfile.TemporaryDirectory() as work:
        f = run_take(Path(work), overlap)
    print(f"0. B started {f['join_wait_ms']:.0f} ms after it was asked, "
          f"{f['join_offset_ms']:+.3f} ms from A's onset there, on A's quantum boundary: "
          f"{f['join_on_boundary']} (target: within 1 ms, on the boundary)")
    print(f"1. {f['together']} onsets of B at {BPM:g} BPM against A's: mean "
          f"{f['mean_ms']:+.3f} ms, SD {f['sd_ms']:.3f} ms, worst {f['worst_ms']:.3f} ms "
          f"(targets: mean <= 1 ms, SD <= 0.5 ms)")
    print(f"2. 120 -> 90 BPM on A: B's {f['after_change']} onsets from one beat after it "
          f"on within {f['after_change_worst_ms']:.3f} ms of A's; B's 8ths "
          f"{f['eighth_at_90_ms']:.2f} ms apart (333.33 at 90 BPM); late bundles: "
          f"A {f['late']['a']}, B {f['late']['b']} (target 0)")
    print(f"3. A stopped: B played {f['b_after_stop']} onsets after it (0 expected); B "
          f"started {f['restart_wait_ms']:.0f} ms after it was asked, A "
          f"{f['restart_offset_ms']:+.3f} ms from it (target +-1 ms)")
    print(f"   hits off their samples (the host held JACK up): A {f['misplaced']['a']}, "
          f"B {f['misplaced']['b']}")


if __name__ == "__main__":
    main()
