"""Run a piece of work in a child process under a memory cap and a timeout, and measure it.

A hostile or oversized input that a regression lets through must fail its test, not exhaust
the machine: the child gets `RLIMIT_AS` (inherited by everything it starts: pandoc, the
build's workers), its own process group (killed whole at the timeout), and the parent samples
the group's summed resident memory while it runs. Also used by hand to measure a case before
and after a change: `python -m tests.bounded` prints the table of tests/test_hostile_inputs.py's
bounded cases."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MB = 1024 * 1024


@dataclass(frozen=True)
class Bounded:
    result: Any
    """What the work returned (None when it did not finish)."""
    seconds: float
    peak_mb: float
    """The largest summed resident memory of the child and its descendants, sampled."""
    timed_out: bool
    error: str = ""
    """The work's exception, or how the child died."""


def run_bounded(work: Callable[..., Any], *args: Any, memory_mb: int, seconds: float) -> Bounded:
    """`work(*args)` in a forked child limited to `memory_mb` of address space per process,
    stopped (with everything it started) after `seconds`."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(work, args, memory_mb, send), daemon=False)
    start = time.monotonic()
    child.start()
    send.close()
    assert child.pid is not None
    peak, timed_out = 0, False
    while child.is_alive():
        peak = max(peak, _group_rss(child.pid))
        if time.monotonic() - start > seconds:
            timed_out = True
            break
        if receive.poll(0.05):
            break
    outcome: tuple[Any, str] = (None, "")
    if not timed_out and receive.poll(1):
        try:
            outcome = receive.recv()
        except EOFError:
            outcome = (None, "")
    elapsed = time.monotonic() - start
    _kill_group(child.pid)
    child.join(10)
    if not outcome[1] and outcome[0] is None and child.exitcode not in (0, None):
        outcome = (None, f"the child stopped (exit code {child.exitcode})")
    return Bounded(outcome[0], elapsed, peak / MB, timed_out, outcome[1])


def _child(work: Callable[..., Any], args: tuple[Any, ...], memory_mb: int, send: Any) -> None:
    os.setpgrp()
    limit = memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        send.send((work(*args), ""))
    except BaseException as error:  # the test reads what went wrong
        send.send((None, "".join(traceback.format_exception_only(error)).strip()))


def _group_rss(group: int) -> int:
    """Summed resident bytes of every process in the process group."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != group:  # pgrp, the 5th field of stat
                continue
            total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # rss, the 24th
        except (OSError, IndexError, ValueError):
            continue
    return total


def _kill_group(group: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
