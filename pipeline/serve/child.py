"""``python -m pipeline.serve.child JOBS_FD ANSWERS_FD LOCATION MEMORY_MB ISOLATE``: one query worker.

Started by :class:`pipeline.serve.pool.WorkerPool`; not a user command.
"""

from __future__ import annotations

import sys
from multiprocessing.connection import Connection

from pipeline.serve.worker import worker_main

if __name__ == "__main__":
    jobs = Connection(int(sys.argv[1]), writable=False)
    answers = Connection(int(sys.argv[2]), readable=False)
    worker_main(jobs, sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1", answers=answers)
