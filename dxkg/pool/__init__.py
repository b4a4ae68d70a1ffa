"""Query worker processes: SPARQL queries run under a time limit, a size limit and a concurrency cap.

pyoxigraph 0.5 cannot interrupt a query: neither a deadline checked between results, nor SIGALRM,
nor abandoning a thread stops an evaluation (a thread keeps a core busy to the end). Only a process
can be stopped. So `/sparql` and `/queries/*` run their queries in pre-forked worker processes that
share the in-memory store copy-on-write:

    server ──fork once per store──> zygote (single-threaded) ──fork──> worker, worker, ...

- zygote.py  the zygote, and the server's handles on it and on the workers
- worker.py  a worker's loop: evaluate, serialize into a spool while counting, reply
- memory.py  MemoryBudget: whether a worker holds more memory of its own than it may
- pool.py    Pool: admission cap, deadlines (SIGKILL), replacement (from the zygote's spare), retirement
             after a reload
- job.py     Job, Reply, Answer
- wire.py    length-prefixed messages and file descriptors over Unix sockets
"""

from .job import Answer, Job
from .pool import Pool

__all__ = ["Answer", "Job", "Pool"]
