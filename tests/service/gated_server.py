"""A real service process whose drafter waits at one axis until a file appears, and logs each axis it drafts.

Run as ``python -m tests.service.gated_server PORT AXIS GATE LOG`` with the environment of
:func:`tests.service.processes.service_env`: the streaming tests kill it with SIGKILL while it
waits, then start it again and read ``LOG`` to see which axes the retry drafted.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from models.drafting import Drafter, ExtractiveDrafter, PitchRequest, Progress
from models.types import Sentence


class GatedDrafter(ExtractiveDrafter):
    """The extractive drafter, logging each axis it drafts and holding at ``axis`` until ``gate`` exists."""

    def __init__(self, axis: str, gate: Path, log: Path) -> None:
        super().__init__()
        self.axis, self.gate, self.log = axis, gate, log

    def key_points(self, requests: Sequence[PitchRequest],
                   progress: Progress | None = None) -> list[list[Sentence]]:
        for r in requests:
            with self.log.open("a", encoding="utf-8") as out:
                out.write(r.axis.name + "\n")
            while r.axis.name == self.axis and not self.gate.exists():
                time.sleep(0.05)
        return super().key_points(requests, progress)


def main(port: int, axis: str, gate: Path, log: Path) -> None:
    import uvicorn

    from service.app import create_app
    from service.settings import Settings

    def drafters(kind: str, generator: str | None) -> Drafter:
        return GatedDrafter(axis, gate, log)

    uvicorn.run(create_app(Settings.from_env(), drafter_factory=drafters), host="127.0.0.1", port=port,
                log_level="warning")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
