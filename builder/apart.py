"""A piece of work done in a forked process beside this one, its result sent back.

A full build has a second core idle while this process checks the charts and
plans the pages; the data files (CSV and JSON of every figure: about 1 s of one
core at 5,000 projects) do not need either, so a first build makes them in a
forked process started right after `derive` (`Session`). The result comes back
pickled through a pipe, read by a thread here as it arrives.

Like `renderpool`, the child touches no lock another thread of this process may
hold (no logging, no stdio) and leaves with `os._exit`. When the child cannot be
started, or fails, `result()` raises `Apart`'s error and the caller does the work
itself, so that any error is the one the work raises in this process.
"""

from __future__ import annotations

import gc
import os
import pickle
import threading
from multiprocessing.connection import Pipe
from typing import Any, Callable

__all__ = ["start", "Failed"]


class Failed(Exception):
    """The work apart did not finish (the caller does it itself)."""


def start(work: Callable[[], Any]) -> Callable[[], Any]:
    """Start `work()` in a forked process; returns the function that waits for its result
    (raising `Failed` if there is none)."""
    if not hasattr(os, "fork"):
        return _failed("no fork on this system")
    reader, writer = Pipe(duplex=False)
    gc.freeze()  # the child's collector does not walk (and so copy) the inherited heap
    try:
        pid = os.fork()
    except OSError as err:
        reader.close()
        writer.close()
        return _failed(str(err))
    finally:
        gc.unfreeze()
    if pid == 0:  # the child
        code = 1
        try:
            reader.close()
            try:
                msg = pickle.dumps(("ok", work()), pickle.HIGHEST_PROTOCOL)
            except BaseException as err:  # noqa: BLE001 - reported, and done again by the caller
                msg = pickle.dumps(("error", f"{type(err).__name__}: {err}"))
            writer.send_bytes(msg)
            code = 0
        finally:
            os._exit(code)
    writer.close()
    box: dict[str, Any] = {}

    def read() -> None:  # and reap the child, even if nobody asks for the result (an error)
        try:
            box["msg"] = pickle.loads(reader.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError) as err:
            box["msg"] = ("error", f"the process stopped: {err}")
        finally:
            reader.close()
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    thread = threading.Thread(target=read, name="apart", daemon=True)
    thread.start()

    def result() -> Any:
        thread.join()
        kind, value = box["msg"]
        if kind != "ok":
            raise Failed(value)
        return value
    return result


def _failed(why: str) -> Callable[[], Any]:
    def result() -> Any:
        raise Failed(why)
    return result
