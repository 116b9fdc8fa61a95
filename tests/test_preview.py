"""`invoke preview` as a writer uses it: it answers on 127.0.0.1 only, rebuilds the page after
a save, shows a source error as a banner on the page (and says it in the terminal), takes the
banner away once fixed, and stops cleanly. The published files never get its script."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_build import make_project, run_invoke
from tests.test_source import GOOD

WAIT = 60.0
"""Seconds before a test gives up waiting (a busy 2-core machine); each step takes ~1 s."""


class Preview:
    def __init__(self, project: Path, *args: str):
        (project / "tasks.py").write_text((ROOT / "tasks.py").read_text())
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "invoke", "preview", "--port", "0", "--formats", "html", *args],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        first = self.wait_for(lambda: next((x for x in self.lines if "Preview:" in x), None))
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert match, first
        self.port = int(match.group(1))
        self.url = match.group(0)
        self.address = first.split()[1]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, probe: Callable[[], str | None]) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            found = probe()
            if found:
                return found
            if self.process.poll() is not None:
                pytest.fail("the preview stopped:\n" + "\n".join(self.lines))
            time.sleep(0.05)
        pytest.fail("timed out; the preview said:\n" + "\n".join(self.lines))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def page_with(self, path: str, needle: str, present: bool = True) -> str:
        def probe() -> str | None:
            status, page = self.get(path)
            return page if status == 200 and (needle in page) == present else None

        return self.wait_for(probe)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(30)


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    make_project(tmp_path, {"sample": GOOD})
    running = Preview(tmp_path)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(30)


def listening_addresses(port: int) -> set[str]:
    """The local addresses of every listening TCP socket on `port` (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_it_answers_on_127_0_0_1_only(preview: Preview) -> None:
    preview.page_with("sample/index.html", "Pain can vary widely.")
    assert listening_addresses(preview.port) == {"0100007F"}  # 127.0.0.1, nothing else


def raw_get(port: int, path: str, host: str) -> tuple[int, str]:
    """A GET sent as written (no client tidies the path) with this Host header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


BAD_REQUESTS = {
    "another site's name (DNS rebinding)": ("/sample/index.html", "evil.example:{port}"),
    "this machine on another port": ("/sample/index.html", "127.0.0.1:1"),
    "no host at all": ("/sample/index.html", ""),
    "a NUL in the path": ("/%00.html", "127.0.0.1:{port}"),
    "a path up and out": ("/../../etc/passwd", "127.0.0.1:{port}"),
    "a path up and out, encoded": ("/%2e%2e/%2e%2e/etc/passwd", "127.0.0.1:{port}"),
    "since that is not a number": ("/__preview__/events?since=abc", "localhost:{port}"),
}


def test_bad_requests_get_400_and_no_traceback(preview: Preview) -> None:
    preview.page_with("sample/index.html", "Pain can vary widely.")
    for name, (path, host) in BAD_REQUESTS.items():
        status, body = raw_get(preview.port, path, host.format(port=preview.port))
        assert status == 400, (name, status, body[:200])
        assert "Pain can vary widely." not in body and "root:" not in body, name
    for host in (f"127.0.0.1:{preview.port}", f"localhost:{preview.port}"):
        status, page = raw_get(preview.port, "/sample/index.html", host)
        assert status == 200 and "Pain can vary widely." in page
    assert not [line for line in preview.lines if "Traceback" in line or "Error" in line]


def test_editors_temporary_files_start_no_round_and_are_never_named(
    preview: Preview, tmp_path: Path
) -> None:
    preview.page_with("sample/index.html", "Pain can vary widely.")
    source = tmp_path / "source"
    for name in (".#sample.md", "sample.md~", ".sample.md.swp", "4913", "#sample.md#"):
        (source / name).write_text("being saved")
    (source / "sample.md").write_text(GOOD.replace("Pain can vary widely.", "Pain can change."))
    preview.page_with("sample/index.html", "Pain can change.")
    rounds = [line for line in preview.lines if "changed: rebuilding" in line]
    assert rounds and set(rounds) == {"source/sample.md changed: rebuilding …"}, preview.lines


def test_a_save_rebuilds_the_page_and_the_open_page_is_told_to_reload(
    preview: Preview, tmp_path: Path
) -> None:
    page = preview.page_with("sample/index.html", "Pain can vary widely.")
    since = re.search(r"/__preview__/events\?since=(\d+)", page)
    assert since, "the page served carries the reload script"
    published = (tmp_path / "output" / "sample" / "index.html").read_text()
    assert "EventSource" not in published and "__preview__" not in published

    events: list[str] = []

    def listen() -> None:
        url = f"{preview.url}__preview__/events?since={since.group(1)}"
        with urllib.request.urlopen(url, timeout=WAIT) as stream:
            events.extend(line.decode().strip() for line in stream)

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    source = tmp_path / "source" / "sample.md"
    source.write_text(GOOD.replace("Pain can vary widely.", "Pain can change from day to day."))
    preview.page_with("sample/index.html", "Pain can change from day to day.")
    listener.join(WAIT)
    assert "data: reload" in events


def test_a_source_error_shows_as_a_banner_until_it_is_fixed(
    preview: Preview, tmp_path: Path
) -> None:
    preview.page_with("sample/index.html", "Pain can vary widely.")
    source = tmp_path / "source" / "sample.md"
    source.write_text(GOOD.replace("## Treatment {#treatment}", "## Treatment {treatment}"))
    page = preview.page_with("sample/index.html", 'id="preview-problems"')
    banner = re.search(r'<body[^>]*>\s*<div id="preview-problems".*?</div>', page, re.S)
    assert banner, "the banner comes first on the page, where the writer looks"
    assert "source/sample.md:24: section &quot;Treatment&quot; has no id" in banner[0]
    assert "Pain can vary widely." in page, "the last good page stays under the banner"
    assert any("source/sample.md:24: section" in line for line in preview.lines), "terminal"
    status, landing = preview.get("")
    assert status == 200 and 'id="preview-problems"' in landing, "on every page"

    source.write_text(GOOD)
    preview.page_with("sample/index.html", 'id="preview-problems"', present=False)
    assert preview.stop() == 0
    assert preview.lines[-1] == "preview stopped"


def test_a_page_not_built_yet_says_why(preview: Preview, tmp_path: Path) -> None:
    preview.page_with("sample/index.html", "Pain can vary widely.")
    (tmp_path / "source" / "new-one.md").write_text("---\nid: new-one\n---\n\n## TODO\n")
    status, page = preview.get("new-one/index.html")
    assert status == 404 and "Not built yet" in page and "EventSource" in page

    def banner_says() -> str | None:
        page = preview.get("new-one/index.html")[1]
        return page if "source/new-one.md:5:" in page else None

    assert "is a placeholder" in preview.wait_for(banner_says)


def test_a_port_in_use_is_a_clear_error(preview: Preview, tmp_path: Path) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "invoke", "preview", "--port", str(preview.port)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert second.returncode == 2
    assert second.stderr.strip() == (
        f"invoke preview: port {preview.port} is in use (another preview?); choose another "
        f"with --port, e.g. --port {preview.port + 1}"
    )


def test_doc_previews_that_document_alone(tmp_path: Path) -> None:
    make_project(tmp_path, {"sample": GOOD, "other": GOOD.replace("id: sample", "id: other")})
    unknown = run_invoke(tmp_path, "preview", "--doc", "nothing")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        "invoke preview: no source/nothing.md; the documents are: other, sample"
    )

    running = Preview(tmp_path, "--doc", "other")
    try:
        assert running.address == f"{running.url}other/", "its page's address"
        running.page_with("other/index.html", "Pain can vary widely.")
        assert running.stop() == 0
    finally:
        running.process.kill()
    assert not (tmp_path / "output" / "sample").exists()
