"""`invoke preview`: build, serve output/ on 127.0.0.1, and rebuild as the writer saves.

- Each change under source/ or styles/ starts a round: the HTML of every document first, so
  the open page is current within about a second, then the other formats. A round still
  running when the next change comes is stopped (a killed build is safe: it leaves every
  manifest consistent and the next build clears its leftovers), so the new one starts at
  once and two builds never hold output/ together.
- A round runs in a child process of its own process group (so it and its workers stop
  together); its messages come back through a queue. Problems print in the terminal and
  show as a banner on every page the server sends; nothing here raises for a user's mistake.
- The published files never change: the reload script and the banner are added to HTML
  responses only, as the server sends them.
"""

from __future__ import annotations

import contextlib
import errno
import html
import multiprocessing
import os
import queue
import re
import signal
import sys
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import watchfiles

from pipeline.builder import Message, Options, Project, build
from pipeline.errors import BUG, UserError, failure
from pipeline.formats import FORMATS

HOST = "127.0.0.1"
"""Only this machine: a draft is nobody else's business (and never all interfaces)."""
EVENTS = "/__preview__/events"
FIRST = tuple(kind for kind, fmt in FORMATS.items() if fmt.preview_first)
"""The formats a round builds first: what the open page shows."""
PRELOAD = ["pipeline.builder.run", *(FORMATS[kind].module for kind in FIRST), "pipeline.checks"]
"""Imported once by the fork server, so each round starts with them loaded."""
EDITORS_FILES = (
    *watchfiles.DefaultFilter.ignore_entity_patterns,  # .x.swp, x~, .#x (and caches)
    r"^4913$",  # vim's test that it may write in the folder
    r"^#.*#$",  # emacs's auto-save
    r"^\.~lock\.",  # LibreOffice's lock
    r"\.(?:kate-swp|crswap|tmp)$",
    r"^\.goutputstream-",  # GNOME's safe save
)
"""Files editors write beside the one being saved: not a change, and not named."""


class PreviewError(UserError):
    """The preview cannot start (the port is taken, no source folder); the message says why."""


@dataclass
class State:
    """What the server tells the browser: the problems of the last finished phase, and a
    generation that grows each time there is something new to show."""

    generation: int = 0
    problems: list[Message] = field(default_factory=list)
    closing: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, problems: list[Message]) -> None:
        with self.changed:
            self.problems = problems
            self.generation += 1
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()


# -- rounds ---------------------------------------------------------------------------------


def run_round(
    root: Path, output: Path, doc_ids: Sequence[str], kinds: Sequence[str], events: Any
) -> None:
    """One round, in the child process: HTML first, then the other formats (`kinds`, or
    all); every event into `events`, and after each phase ("phase", name, summary line,
    problems)."""
    os.setpgrp()  # this round and its workers: one group, stopped together
    project = Project.at(root, output)
    phases = [(", ".join(FIRST), list(FIRST))]
    if not kinds or set(kinds) - set(FIRST):
        phases.append(("all formats" if not kinds else ", ".join(kinds), list(kinds)))
    for name, phase_kinds in phases:
        try:
            options = Options(docs=tuple(doc_ids), formats=tuple(phase_kinds))
            report = build(project, options, listener=events.put)
        except Exception as error:  # a broken template or style file: say it, keep serving
            why = failure(error)
            if why.bug:
                print(f"{why.trace.rstrip()}\n{BUG}", file=sys.stderr, flush=True)
            crash = Message("error", f"the build stopped: {why.text}")
            events.put(crash)
            events.put(("phase", name, "stopped", [crash]))
            return
        # A first phase leaves the other formats stale for a moment: not a problem. A warning
        # about no document (a placeholder left in the brand) is the brand's, not the
        # draft's: said in the terminal, once, not on every page.
        problems = [
            m
            for m in report.messages
            if m.level != "info"
            and not (phase_kinds and m.kind and m.kind not in phase_kinds)
            and (m.level == "error" or m.doc)
        ]
        events.put(("phase", name, report.summary(), problems))
        if report.failed and not report.outcomes:
            break  # nothing could be built (a source error): the next phase would repeat it


class Rounds:
    """Starts a round, stops the one before; reads each round's events on a thread."""

    def __init__(
        self, project: Project, doc_ids: Sequence[str], kinds: Sequence[str], state: State
    ):
        self.project, self.state = project, state
        self.doc_ids, self.kinds = list(doc_ids), list(kinds)
        self.context: ForkServerContext = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self.process: BaseProcess | None = None
        self.number = 0
        self.lock = threading.Lock()
        self.said_once: set[str] = set()
        """Warnings about no document (the brand's placeholders): said in the first round."""

    def start(self, reason: str) -> None:
        with self.lock:
            self.stop()
            self.number += 1
            events = self.context.Queue()
            self.process = self.context.Process(
                target=run_round,
                args=(
                    self.project.root,
                    self.project.output_dir,
                    self.doc_ids,
                    self.kinds,
                    events,
                ),
            )
            self.process.start()
            say(reason)
            threading.Thread(
                target=self._read, args=(self.number, self.process, events), daemon=True
            ).start()

    def stop(self) -> None:
        """Stop the running round, its workers too, and wait until they are gone (they hold
        output/'s lock until then)."""
        process, self.process = self.process, None
        if process is None or process.pid is None:
            return
        if process.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        process.join(5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except (ProcessLookupError, PermissionError):
                return
            time.sleep(0.02)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def _read(self, number: int, process: BaseProcess, events: Any) -> None:
        said: set[str] = set()  # a source error comes again in the second phase: say it once
        while number == self.number:
            try:
                event = events.get(timeout=0.1)
            except queue.Empty:
                if not process.is_alive() and events.empty():
                    return
                continue
            except (EOFError, OSError, ValueError):  # the round was stopped mid-message
                return
            if number != self.number:
                return
            if isinstance(event, Message):
                if event.level != "info" and not _stale_note(event) and event.text not in said:
                    said.add(event.text)
                    if event.level == "warning" and not event.doc:
                        if event.text in self.said_once:
                            continue
                        self.said_once.add(event.text)
                    say(event.text, "  ")
            elif isinstance(event, tuple) and event[0] == "phase":
                _, name, summary, problems = event
                say(f"{name}: {summary}", "  ")
                self.state.publish(problems)


def _stale_note(message: Message) -> bool:
    """The first phase leaves the other formats stale until the second one builds them."""
    return message.level == "warning" and bool(message.kind) and message.kind not in FIRST


def say(text: str, indent: str = "") -> None:
    print(f"{indent}{text}", flush=True)


# -- the server -----------------------------------------------------------------------------


class Handler(SimpleHTTPRequestHandler):
    """output/ as it is, except that HTML gets the reload script and the problems banner."""

    state: State

    def __init__(self, *args: Any, state: State, **kwargs: Any):
        self.state = state
        super().__init__(*args, **kwargs)

    def parse_request(self) -> bool:
        """The request line and headers, then: answered only when addressed to this server by
        name (a page on another site that renamed its own host to 127.0.0.1, "DNS rebinding",
        is refused) and asking for a path inside output/; else 400, never a traceback."""
        if not super().parse_request():
            return False
        problem = self._refused()
        if problem:
            self.send_error(HTTPStatus.BAD_REQUEST, problem)
            return False
        return True

    def _refused(self) -> str:
        port = self.server.server_port  # type: ignore[attr-defined]
        if (self.headers.get("Host") or "").lower() not in {f"{HOST}:{port}", f"localhost:{port}"}:
            return f"this preview answers only requests to {HOST}:{port}"
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        if not path.startswith("/") or "\0" in path or "\\" in path or ".." in path.split("/"):
            return "not a path inside output/"
        if url.path == EVENTS:
            since = urllib.parse.parse_qs(url.query).get("since", ["0"])[0]
            if not since.isdigit() or len(since) > 18:
                return "since must be a whole number"
        return ""

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path == EVENTS:
            self._events(urllib.parse.parse_qs(url.query))
            return
        path = Path(self.translate_path(url.path))
        if path.is_dir():
            if not url.path.endswith("/"):
                super().do_GET()  # the standard redirect to the folder's "/"
                return
            path = path / "index.html"
        if path.suffix == ".html" or not path.exists():
            self._page(path)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reload always shows the new build
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no access log: the terminal is for the build's messages

    def _page(self, path: Path) -> None:
        with self.state.changed:
            generation, problems = self.state.generation, list(self.state.problems)
        try:
            page = path.read_text(encoding="utf-8")
            status = HTTPStatus.OK
        except (OSError, UnicodeDecodeError):
            page = NOT_BUILT.format(path=html.escape(self.path))
            status = HTTPStatus.NOT_FOUND
        body = inject(page, banner(problems), RELOAD.format(url=EVENTS, since=generation))
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _events(self, query: dict[str, list[str]]) -> None:
        """Server-sent events: "reload" once there is something newer than the page."""
        since = int(query.get("since", ["0"])[0])  # digits: checked in parse_request
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        state = self.state
        try:
            while True:
                with state.changed:
                    state.changed.wait_for(
                        lambda: state.generation > since or state.closing, timeout=15
                    )
                    newer, closing = state.generation > since, state.closing
                if closing:
                    return
                self.wfile.write(b"data: reload\n\n" if newer else b": still here\n\n")
                self.wfile.flush()
                if newer:
                    return
        except (BrokenPipeError, ConnectionResetError):
            return


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that fails (the browser went away mid-answer): one line, no
        traceback in the terminal that is for the build's messages."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | TimeoutError):
            say(f"  a request could not be answered: {type(error).__name__}: {error}")


NOT_BUILT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Not built yet</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin:0 auto;max-width:50rem;font:1.125rem/1.5 system-ui,sans-serif">
<main style="padding:0 1rem"><h1>Not built yet</h1><p>{path} is not in output/ yet: the
problems above stop it. This page reloads when the next build finishes.
<a href="/">All documents</a></p></main>
</body></html>"""

RELOAD = """<script>/* invoke preview only: reload when a newer build is ready */
new EventSource("{url}?since={since}").onmessage = function (event) {{
  if (event.data === "reload") location.reload();
}};
</script>"""

BANNER_STYLE = (
    "position:sticky;top:0;z-index:1000;margin:0;padding:0.75rem 1rem;text-align:left;"
    "background:#fff4e5;color:#3d2200;border-bottom:3px solid #b35900;"
    "font:1rem/1.45 system-ui,sans-serif;white-space:normal"
)


def banner(problems: list[Message]) -> str:
    """The problems of the last build, at the top of the page (escaped: they quote the
    writer's text)."""
    if not problems:
        return ""
    count = len(problems)
    items = "".join(
        f"<li><code>{html.escape(m.text)}</code></li>"
        if m.level == "error"
        else f"<li>(warning) <code>{html.escape(m.text)}</code></li>"
        for m in problems
    )
    return (
        f'<div id="preview-problems" role="alert" style="{BANNER_STYLE}">'
        f"<strong>{count} problem{'s' * (count != 1)} in the last build</strong> "
        "(the pages show the last build that passed; this one reloads when you save):"
        f'<ul style="margin:0.25rem 0 0;padding-left:1.25rem">{items}</ul></div>'
    )


def inject(page: str, top: str, end: str) -> str:
    """`top` first in the body (where the writer looks), `end` just before </body>."""
    opening = re.search(r"<body\b[^>]*>", page, re.IGNORECASE)
    at = opening.end() if opening else 0
    page = page[:at] + top + page[at:]
    closing = page.lower().rfind("</body>")
    return page + end if closing < 0 else page[:closing] + end + page[closing:]


# -- running it -----------------------------------------------------------------------------


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    project: Project, port: int = 8000, docs: Sequence[str] = (), kinds: Sequence[str] = ()
) -> None:
    """Serve until Ctrl+C; rebuild `docs` (or every document) on every change under source/
    and styles/ (HTML first, then `kinds`, or every format)."""
    if not project.source_dir.is_dir():
        raise PreviewError(f"no {project.shown(project.source_dir)}/ folder: run this in a project")
    for doc in docs:
        if not (project.source_dir / f"{doc}.md").is_file():
            names = ", ".join(sorted(p.stem for p in project.source_dir.glob("*.md")))
            raise PreviewError(f"no source/{doc}.md; the documents are: {names or 'none yet'}")
    project.output_dir.mkdir(parents=True, exist_ok=True)
    state = State()
    handler = partial(Handler, directory=str(project.output_dir), state=state)
    try:
        server = Server((HOST, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise PreviewError(
                f"port {port} is in use (another preview?); choose another with --port, "
                f"e.g. --port {port + 1}"
            ) from None
        raise PreviewError(f"cannot serve on {HOST}:{port}: {error.strerror}") from None
    url = f"http://{HOST}:{server.server_address[1]}/" + (f"{docs[0]}/" if len(docs) == 1 else "")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    say(f"Preview: {url}  (Ctrl+C to stop)")
    signal.signal(signal.SIGTERM, _interrupt)  # stopped by a service manager or a test
    rounds = Rounds(project, docs, kinds, state)
    rounds.start("building …")
    watched = [project.source_dir, project.styles_dir]
    try:
        written = watchfiles.DefaultFilter(ignore_entity_patterns=EDITORS_FILES)
        folders = [p for p in watched if p.is_dir()]
        for changes in watchfiles.watch(*folders, watch_filter=written, debounce=400):
            changed = sorted({project.shown(Path(path)) for _, path in changes})
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" * (len(changed) > 3))
            rounds.start(f"{shown} changed: rebuilding …")
    except KeyboardInterrupt:
        pass
    finally:
        with rounds.lock:
            rounds.number += 1
            rounds.stop()
        state.close()
        server.shutdown()
        server.server_close()
        say("preview stopped")
