"""A small synchronous client of Pagefind's indexing service (`pagefind_extended --service`).

The `pagefind` package's own client (`pagefind.index.PagefindIndex`) is async
and reads one reply per 0.1 s poll (97 pages took 11 s), and its 2 MiB read
limit cannot take the `GetFiles` reply of a large site. The protocol is the
same one it speaks: each message is base64 of a JSON object, ended by a comma,
`{"message_id": n, "payload": {"type": ...}}` both ways. Here one thread
writes, one reads, and replies are matched to requests by id. The binary is
the one the `pagefind[extended]` wheel ships (found by the `pagefind`
package); nothing is fetched.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Any, Iterable

from .errors import ConfigError

__all__ = ["PagefindError", "PagefindService", "executable"]


class PagefindError(ConfigError):
    """Raised when the Pagefind service cannot be started or answers with an error."""


def executable() -> Path:
    """The extended Pagefind binary (it segments Chinese), from the `pagefind[extended]` wheel."""
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        raise PagefindError("the Pagefind binary is not installed: "
                            "pip install 'pagefind[extended]'") from None
    try:
        return Path(get_executable())
    except OSError as err:
        raise PagefindError(f"the Pagefind binary is missing: {err}") from None


def _encode(message_id: int, payload: dict) -> bytes:
    body = json.dumps({"message_id": message_id, "payload": payload}, ensure_ascii=False)
    return base64.b64encode(body.encode("utf-8")) + b","


class PagefindService:
    """One running `pagefind_extended --service`; use as a context manager."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._next = 0
        self._replies: dict[int, dict] = {}
        self._done = threading.Condition()
        self._reader: threading.Thread | None = None
        self._closed = False
        self._garbage = b""

    def __enter__(self) -> "PagefindService":
        try:
            self._proc = subprocess.Popen(
                [str(executable()), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, cwd=os.getcwd())
        except OSError as err:
            raise PagefindError(f"cannot start Pagefind: {err}") from None
        self._reader = threading.Thread(target=self._read, daemon=True, name="pagefind-reader")
        self._reader.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
        self._proc = None

    def kill(self) -> None:
        """Stop the service now (from another thread): a waiting call raises PagefindError."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    # --- the wire ---------------------------------------------------------------------

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        out = self._proc.stdout
        buf = bytearray()
        while True:
            chunk = out.read1(1 << 20)
            if not chunk:
                break
            buf += chunk
            start = 0
            while True:
                end = buf.find(b",", start)
                if end < 0:
                    break
                self._deliver(bytes(buf[start:end]))
                start = end + 1
            del buf[:start]
        with self._done:
            self._closed = True
            self._done.notify_all()

    def _deliver(self, raw: bytes) -> None:
        try:
            msg = json.loads(base64.b64decode(raw))
        except ValueError:  # the service printed something that is not a reply
            self._garbage = (self._garbage + raw)[-500:]
            return
        if not isinstance(msg, dict):
            return
        mid = msg.get("message_id")
        payload = msg.get("payload") or {}
        if mid is None and isinstance(payload.get("original_message"), str):
            try:
                mid = json.loads(payload["original_message"]).get("message_id")
            except (ValueError, AttributeError):
                mid = None
        if mid is None:
            return
        with self._done:
            self._replies[mid] = payload
            self._done.notify_all()

    def send_all(self, payloads: Iterable[dict]) -> list[dict]:
        """Send every request at once (pipelined), then wait for every reply, in order."""
        if self._proc is None or self._proc.stdin is None:
            raise PagefindError("the Pagefind service is not running")
        ids = []
        chunks = []
        for payload in payloads:
            self._next += 1
            ids.append(self._next)
            chunks.append(_encode(self._next, payload))
        writer_error: list[BaseException] = []

        def write() -> None:
            try:
                for c in chunks:
                    self._proc.stdin.write(c)
                self._proc.stdin.flush()
            except OSError as err:
                writer_error.append(err)

        writer = threading.Thread(target=write, daemon=True, name="pagefind-writer")
        writer.start()
        replies = []
        with self._done:
            for mid in ids:
                while mid not in self._replies and not self._closed:
                    self._done.wait()
                if mid not in self._replies:
                    tail = self._garbage.decode("utf-8", "replace").strip()
                    raise PagefindError("the Pagefind service stopped unexpectedly"
                                        + (f": {tail}" if tail else ""))
                replies.append(self._replies.pop(mid))
        writer.join()
        if writer_error:
            raise PagefindError(f"cannot talk to Pagefind: {writer_error[0]}")
        for r in replies:
            if r.get("type") == "Error":
                raise PagefindError(f"Pagefind: {r.get('message', 'an unknown error')}")
        return replies

    def send(self, payload: dict) -> dict:
        return self.send_all([payload])[0]

    # --- the index ----------------------------------------------------------------------

    def new_index(self, config: dict | None = None) -> int:
        return int(self.send({"type": "NewIndex", "config": config})["index_id"])

    def add_html_files(self, index_id: int, files: Iterable[tuple[str, str]]) -> list[dict]:
        """Index (url, html) pairs; the url is the page's path from the site root, e.g. `/a/`."""
        return self.send_all({"type": "AddFile", "index_id": index_id, "url": url,
                              "file_path": None, "file_contents": html} for url, html in files)

    def get_files(self, index_id: int) -> dict[str, bytes]:
        """The search bundle, {path inside the bundle folder: bytes}."""
        reply = self.send({"type": "GetFiles", "index_id": index_id})
        return {f["path"]: base64.b64decode(f["content"]) for f in reply.get("files", ())}
