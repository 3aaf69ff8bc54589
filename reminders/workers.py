"""Which worker process started a message, and whether that process still exists.

A row a worker started ("sending") names its starter as
``host/boot id/process id/process start``. On the same host and boot, the
process table says whether that process still runs: a process id can be reused
after a death, so its start time (in clock ticks since boot, from
``/proc/<pid>/stat``) must match too. A starter on another host (or an earlier
boot of this one, whose processes are all gone) cannot be asked about from
here: see ``is_dead_here``.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path

PROC = Path("/proc")


@cache
def _boot_id() -> str:
    try:
        return (PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:  # not Linux: the process table is asked without it
        return "-"


def _start_ticks(pid: int) -> str | None:
    """The process's start time since boot, or None when there is no live process."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:  # no /proc (not Linux): only whether the id exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return "?"
        return "?"
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    fields = stat.rpartition(")")[2].split()
    if fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent
        return None
    return fields[19]  # field 22 of the line: starttime


def host_prefix() -> str:
    """What every starter of this host and boot begins with."""
    return f"{host_name_prefix()}{_boot_id()}/"


def host_name_prefix() -> str:
    """What every starter of this host, in any boot, begins with."""
    return f"{socket.gethostname()}/"


_starters: dict[int, str] = {}


def current_starter() -> str:
    """This process, as a row records who started it (worked out once per process)."""
    pid = os.getpid()  # a forked worker child is a new process: its own entry
    if pid not in _starters:
        _starters[pid] = f"{host_prefix()}{pid}/{_start_ticks(pid) or '?'}"
    return _starters[pid]


def is_dead_here(starter: str) -> bool:
    """True when ``starter`` ran on this host and boot and no longer exists.

    A starter on another host is never declared dead from here (its lease
    decides); one from an earlier boot of this host is (a reboot ends every
    process).
    """
    host, _, rest = starter.partition("/")
    boot, _, process = rest.partition("/")
    if host != socket.gethostname() or not process:
        return False
    if boot != _boot_id():
        return True
    pid_text, _, ticks = process.partition("/")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    now_ticks = _start_ticks(pid)
    return now_ticks is None or (ticks not in ("?", "") and now_ticks not in ("?", ticks))
