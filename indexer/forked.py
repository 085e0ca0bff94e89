"""Work done in forked worker processes that die with their parent.

`forked_map` runs a function over tasks in a pool of processes forked from this one; they
inherit its state (analyzers, a concept matcher, a rebuild's postings), so nothing of it is
pickled. A worker asks the kernel to kill it when the parent dies (``PR_SET_PDEATHSIG``), checks
that the parent it started under is still there, and has a thread that ends the process when the
parent's end of a pipe closes (the parent's death closes it); so a SIGKILLed ``kb index`` leaves
no worker behind (each also holds a copy of the index lock, released when they die).
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class _Worker:
    function: Callable  # function(state, task), in the worker
    state: object  # inherited at the fork, never pickled
    parent: int
    alive: tuple[int, int]  # a pipe whose writing end only the parent keeps open


_worker: list[_Worker] = []  # a worker's function and state, inherited at the fork (set once per worker)


def _start_worker(worker: _Worker) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # a parent's death closes its pipes a moment before the kernel sends the signal below: a
    # worker writing a result then dies of SIGPIPE, quietly, rather than with a traceback
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pipe below remains
        pass
    if os.getppid() != worker.parent:  # the parent died before the request above
        os._exit(1)
    # where there is no such signal: the parent's end of this pipe closes when it dies (without
    # either, a worker was seen outliving its parent, waiting for a lock a dying sibling held)
    read_end, write_end = worker.alive
    os.close(write_end)
    threading.Thread(target=_exit_at_eof, args=(read_end,), daemon=True).start()
    _worker.append(worker)


def _exit_at_eof(fd: int) -> None:
    while os.read(fd, 1):
        pass
    os._exit(1)


def _run(task):
    worker = _worker[0]
    if os.getppid() != worker.parent:
        os._exit(1)
    return worker.function(worker.state, task)


@contextmanager
def forked_map(function: Callable, state, tasks: Iterable, workers: int) -> Iterator[Iterator]:
    """``function(state, task)`` of every task, computed in ``workers`` forked processes that
    inherit ``state``, the results in the tasks' order. The workers end with the block."""
    ctx = multiprocessing.get_context("fork")
    alive = os.pipe()
    try:
        pool = ctx.Pool(workers, initializer=_start_worker,
                        initargs=(_Worker(function, state, os.getpid(), alive),))
        try:
            yield pool.imap(_run, tasks)
            pool.close()
        finally:
            pool.terminate()
            pool.join()
    finally:
        os.close(alive[0])
        os.close(alive[1])
