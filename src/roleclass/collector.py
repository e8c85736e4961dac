"""Python's cycle collector, paused around work that makes many objects and no cycles to free.

Loading a model, scoring a chunk of postings or one posting from the command line make
hundreds of thousands of small containers; each collection they set off scans
everything alive (spaCy, scikit-learn and the model included) and frees next to nothing.
Those passes took a seventh of a chunk's scoring time and a tenth of a cold ``roleclass
score`` (``bench/bench_speed.py``). Reference counting still frees everything as usual;
cycles made meanwhile wait for the next collection after the pause.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off inside the block, and back as it was (on, or left off by the caller) after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
