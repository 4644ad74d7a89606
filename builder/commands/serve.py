"""`bulletin serve`: build, serve on 127.0.0.1, rebuild and reload the browser after each save."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ConfigError
from ..serve import Preview, PreviewServer
from ..session import Session

HELP = "preview the site: rebuild after each save and reload the browser"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("content", nargs="?", default="content", help="content folder (default: content)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this computer only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--cache", default=".cache", help="cache folder (default: .cache)")
    p.add_argument("--templates", default=None,
                   help="templates folder (default: site_templates, or the bundled one)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    content = Path(args.content)
    if not content.is_dir():
        raise ConfigError(f"{content} is not a folder (give the content folder, e.g. content)")
    session = Session(content, Path(args.templates) if args.templates else None,
                      Path(args.cache) if args.cache else None, jobs=None, strict=args.strict,
                      search="idle")  # Pagefind runs when saves stop, never on a save's path
    preview = Preview(session, report=_say)
    preview.rebuild()  # a broken first build still serves: the error page says what to fix
    server = PreviewServer(preview, args.host, args.port)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        _say(f"warning: serving on {args.host}: other computers on the network can see the preview")
    try:
        server.serve(ready=lambda url: _say(f"预览 Preview: {url}  (Ctrl+C 停止 to stop)"))
    except OSError as err:
        raise ConfigError(f"cannot listen on {args.host}:{args.port}: {err.strerror or err}") from None
    except KeyboardInterrupt:
        _say("stopped")
    return 0
