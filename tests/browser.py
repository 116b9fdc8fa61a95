"""A real browser for tests: Debian's Chromium driven by Playwright, with axe-core.

    with chromium() as browser:
        page = open_page(browser, built.path("html"), width=320, dark=True)
        assert axe_violations(page) == [], describe_violations(axe_violations(page))
        assert horizontal_overflow(page) == 0
        assert clipped_under_text_spacing(page) == []
        assert press_tab(page)["outlineStyle"] != "none"

Chromium missing is an error that says how to install it, never a silent skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from pipeline.extract.html import CHROMIUM, CHROMIUM_FLAGS

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# WCAG 2.2 SC 1.4.12 Text Spacing: the overrides a reader's stylesheet may apply.
TEXT_SPACING_CSS = """
* {
  line-height: 1.5 !important;
  letter-spacing: 0.12em !important;
  word-spacing: 0.16em !important;
}
p { margin-bottom: 2em !important; }
"""


class BrowserMissing(RuntimeError):
    """Chromium is not installed; the message says how to install it."""


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium (not Playwright's download), closed on exit."""
    if not CHROMIUM.exists():
        raise BrowserMissing(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium package; "
            "run `invoke setup --tests` (or `invoke test`, which runs it)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(
    browser: Browser,
    path: Path | str,
    width: int = 1280,
    dark: bool = False,
    height: int = 900,
    reduced_motion: bool = False,
) -> Page:
    """`path` (a file, opened from file://, or an http:// URL) in a fresh context of `width`
    CSS px, light or dark, with its web fonts loaded. The context closes with the browser
    (or `page.context.close()`)."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme="dark" if dark else "light",
        reduced_motion="reduce" if reduced_motion else "no-preference",
        java_script_enabled=True,  # for the test's probes; the page itself needs none
    )
    page = context.new_page()
    url = path if isinstance(path, str) else path.resolve().as_uri()
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


def load_failures(browser: Browser, path: Path | str) -> list[str]:
    """Every resource the page (file or http:// URL) asked for and did not get, and any
    request that left for another origin: a self-contained page has none."""
    url = path if isinstance(path, str) else path.resolve().as_uri()
    origin = url.split("/", 3)[:3] if url.startswith("http") else ["file:"]
    failures: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("requestfailed", lambda r: failures.append(f"failed: {r.url} ({r.failure})"))
    page.on(
        "response",
        lambda r: failures.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    page.on(
        "request",
        lambda r: (
            None
            if r.url.split("/", 3)[: len(origin)] == origin or r.url.startswith("data:")
            else failures.append(f"other origin: {r.url}")
        ),
    )
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    context.close()
    return failures


def axe_violations(page: Page, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """axe-core's violations for the page (the axe bundled with axe-playwright-python)."""
    options = {"runOnly": {"type": "tag", "values": tags or AXE_TAGS}}
    results = Axe().run(page, options=options)
    return list(results.response["violations"])


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One line per violation and node, for an assertion message."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(
                f"{violation['id']} ({violation['impact']}): {node['target']} "
                f"{node.get('failureSummary', '')!r}"
            )
    return "\n".join(lines)


def scroll_width(page: Page) -> dict[str, int]:
    """The document's scroll width against the viewport's width, in CSS px."""
    return dict(
        page.evaluate(
            "() => ({scrollWidth: document.documentElement.scrollWidth,"
            " viewport: window.innerWidth})"
        )
    )


def horizontal_overflow(page: Page) -> int:
    """CSS px by which the page is wider than the viewport (0: no sideways scrolling)."""
    widths = scroll_width(page)
    return max(0, widths["scrollWidth"] - widths["viewport"])


def press_tab(page: Page) -> dict[str, Any]:
    """Press Tab, as a keyboard user does: what has the focus then, its outline (style and
    width in CSS px), and whether it is wholly in the viewport (give or take the fraction of
    a pixel the browser scrolls it to)."""
    page.keyboard.press("Tab")
    return dict(
        page.evaluate(
            """() => {
              const el = document.activeElement, s = getComputedStyle(el);
              const r = el.getBoundingClientRect();
              return {tag: el.tagName.toLowerCase(), className: String(el.className),
                      text: el.textContent.trim(), href: el.getAttribute('href'),
                      outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
                      onScreen: r.top > -1 && r.left > -1 && r.bottom < innerHeight + 1
                        && r.right < innerWidth + 1};
            }"""
        )
    )


def apply_text_spacing(page: Page) -> None:
    """Apply the WCAG 1.4.12 overrides and wait for the page to lay out again."""
    page.add_style_tag(content=TEXT_SPACING_CSS)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(true)))")


# Every rendered element holding text: does its text leave its own box, or get cut off by
# an ancestor that hides overflow? Scroll containers (overflow auto/scroll) are fine: their
# content stays reachable. Screen-reader-only text (clipped to 1px on purpose) is skipped.
_CLIPPED_TEXT_JS = """
() => {
  const problems = [];
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const hides = v => v === 'hidden' || v === 'clip';
  const scrolls = v => v === 'auto' || v === 'scroll';
  const srOnly = el => {
    for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.clipPath !== 'none' || (s.clip && s.clip !== 'auto')) return true;
      if (s.display === 'none' || s.visibility === 'hidden') return true;
    }
    return false;
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    if (!text.textContent.trim()) continue;
    const parent = text.parentElement;
    if (!parent || srOnly(parent)) continue;
    const range = document.createRange();
    range.selectNodeContents(text);
    const rects = Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0);
    // The block box the text sits in: it must hold its text, unless it scrolls.
    let block = parent;
    while (block && getComputedStyle(block).display.startsWith('inline')) {
      block = block.parentElement;
    }
    for (let a = block; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (scrolls(s.overflowX) || scrolls(s.overflowY)) break;
      const box = a.getBoundingClientRect();
      const clipX = hides(s.overflowX), clipY = hides(s.overflowY);
      const own = a === block;
      if (!own && !clipX && !clipY) continue;
      for (const r of rects) {
        const outX = r.left < box.left - 1 || r.right > box.right + 1;
        const outY = r.top < box.top - 1 || r.bottom > box.bottom + 1;
        if ((own && (outX || outY)) || (clipX && outX) || (clipY && outY)) {
          const key = describe(a) + '|' + text.textContent.trim().slice(0, 40);
          if (!seen.has(key)) {
            seen.add(key);
            problems.push(`${describe(a)} ${own ? 'does not hold' : 'clips'} ` +
              `"${text.textContent.trim().slice(0, 40)}" (text ${Math.round(r.left)},` +
              `${Math.round(r.top)}-${Math.round(r.right)},${Math.round(r.bottom)}; box ` +
              `${Math.round(box.left)},${Math.round(box.top)}-${Math.round(box.right)},` +
              `${Math.round(box.bottom)})`);
          }
          break;
        }
      }
    }
  }
  return problems;
}
"""


def clipped_text(page: Page) -> list[str]:
    """Text that leaves its block box or is cut off by an overflow-hiding ancestor."""
    return list(page.evaluate(_CLIPPED_TEXT_JS))


def clipped_under_text_spacing(page: Page) -> list[str]:
    """`clipped_text` after applying the WCAG 1.4.12 text-spacing overrides."""
    apply_text_spacing(page)
    return clipped_text(page)
