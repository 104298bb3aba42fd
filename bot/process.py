"""Settings of the whole process, made once at start before the libraries that read them load."""

from __future__ import annotations

import os


def one_blas_thread() -> None:
    """One BLAS thread per process, for this process and the workers it starts; call it before
    numpy is imported. An owner's own `OPENBLAS_NUM_THREADS` wins.

    Briefs run in parallel as processes. OpenBLAS's threads spin on the same cores: they cost a
    2,000-comment brief a tenth of its wall time and half a core more CPU (bench.speed), and
    take the cores from the event loop and from the other workers.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
