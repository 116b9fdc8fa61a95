"""What a reader reads in an HTML page: the text of its <main> (of its <body> if it has none),
one unit per block (paragraph, heading, list item, cell...), without the text CSS hides.

Two ways to read it:
- by default, from the page's own markup and stylesheets: its <style> elements and the
  stylesheets it links from its own folder, parsed with tinycss2 and matched with cssselect2
  (WeasyPrint's CSS libraries). An element that CSS hides (display: none, the hidden
  attribute, visibility: hidden, opacity: 0, content-visibility: hidden) is left out and
  named. Rules for print, or under a condition (a width, dark mode), are not applied;
- strict: as headless Chromium renders it (what `innerText` shows), at a phone's width and a
  desktop's; text that either width does not show (`checkVisibility()`) is left out and named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import cssselect2
import tinycss2
from lxml import etree
from lxml import html as lxml_html

from pipeline.extract import ExtractError, Hidden, Reading

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium: Playwright's own download is not used (the build works offline)."""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = (320, 1280)
"""CSS px: strict reading looks at the page on a phone and on a desktop."""
MIN_CONTRAST = 1.5
"""Text below this contrast ratio with the colour under it (WCAG's formula) is not seen (as
in PDFs: pipeline.extract.pdf)."""
MIN_HEIGHT = 5
"""CSS px: a word drawn less high than this cannot be read."""
BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav",
        "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip
"""Elements that start a new unit of text (in browsers' default style sheet)."""
BROWSER_CSS = """
[hidden], area, base, datalist, head, link, meta, noscript, rp, script, style, template,
title { display: none }
details:not([open]) > :not(summary) { display: none }
dialog:not([open]) { display: none }
"""
"""The rules of browsers' default style sheet that hide elements (HTML's rendering section)."""
HIDING = frozenset({"display", "visibility", "opacity", "content-visibility"})
NOT_TEXT = frozenset({"script", "style", "template", "noscript"})
"""Elements whose content is code or data, not text for a reader."""
_FOR_SCREEN = re.compile(r"^(only\s+)?(screen|all)$")


@dataclass(frozen=True)
class Style:
    """What the cascade gives an element, for the properties that hide text."""

    gone: str | None
    """Why the element and everything in it are not shown (display: none, ...), or None."""
    invisible: str | None
    """Why the element's own text is not shown (visibility is inherited, and can be undone)."""
    hider: Any = None
    """The outermost element of the invisible region the element is in."""


def read(path: Path, *, everything: bool = False) -> Reading:
    """The page's reading, from its markup and style sheets: its <main> (all of <body> with
    `everything`)."""
    try:
        root = lxml_html.parse(str(path)).getroot()
    except (OSError, ValueError, etree.ParserError) as error:
        raise ExtractError(f"{path}: cannot read as HTML ({error})") from None
    if root is None:
        raise ExtractError(f"{path}: empty HTML file")
    styles = cascade(root, stylesheets(root, path))
    body = root.find(".//body")
    main = None if everything else root.find(".//main")
    scope = main if main is not None else body if body is not None else root
    pieces: list[str] = []
    groups: dict[Any, tuple[str, list[str]]] = {}
    hiding = [a for a in scope.iterancestors() if styles[a].gone]  # display is not inherited
    if hiding:
        groups[hiding[-1]] = (styles[hiding[-1]].gone or "", [scope.text_content()])
    else:
        _collect(scope, styles, pieces, groups)
    hidden = (
        Hidden(" ".join(" ".join(texts).split()), f"hidden by CSS ({why})", _describe(hider))
        for hider, (why, texts) in groups.items()
    )
    return Reading(_units("".join(pieces)), tuple(h for h in hidden if h.text))


def _collect(
    element: Any,
    styles: dict[Any, Style],
    pieces: list[str],
    groups: dict[Any, tuple[str, list[str]]],
) -> None:
    """The element's visible text into `pieces` (a line break around each block), and the
    text it hides into `groups`, by the element that hides it. Its tail is its parent's."""
    style = styles[element]
    if element.tag in NOT_TEXT:
        return
    if style.gone:
        groups[element] = (style.gone, [element.text_content()])
        return
    block = element.tag in BLOCKS
    if block:
        pieces.append("\n")
    own = groups.setdefault(style.hider, (style.invisible, []))[1] if style.invisible else pieces
    if element.text:
        own.append(element.text)
    for child in element:
        if isinstance(child.tag, str):
            _collect(child, styles, pieces, groups)
        if child.tail:
            own.append(child.tail)
    if block:
        pieces.append("\n")


def _units(text: str) -> tuple[str, ...]:
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return tuple(line for line in lines if line)


# -- the cascade, for the properties that hide text -------------------------------------------

BROWSER, AUTHOR = 0, 1
"""Origins of style sheets, lowest first."""


def stylesheets(root: Any, path: Path) -> list[tuple[int, str]]:
    """(origin, CSS) of every style sheet that applies to the page on any screen, in order:
    the browser's, then the page's <style> elements and the style sheets it links from its own
    folder (a browser would load others; they are not read, see docs/verification.md)."""
    sheets = [(BROWSER, BROWSER_CSS)]
    for element in root.iter("style", "link"):
        if not for_screen(element.get("media", "")):
            continue
        if element.tag == "style":
            if element.get("type", "text/css").strip().lower() in {"", "text/css"}:
                sheets.append((AUTHOR, element.text or ""))
            continue
        rel = element.get("rel", "").lower().split()
        target = _local(path, element.get("href", ""))
        if "stylesheet" in rel and "alternate" not in rel and target is not None:
            sheets.append((AUTHOR, target.read_text(encoding="utf-8", errors="replace")))
    return sheets


def for_screen(media: str) -> bool:
    """Whether a media query list holds on any screen (no media, screen or all, unconditioned)."""
    queries = [" ".join(query.lower().split()) for query in media.split(",")]
    return any(not query or _FOR_SCREEN.match(query) for query in queries)


def cascade(root: Any, sheets: list[tuple[int, str]]) -> dict[Any, Style]:
    """Each element's `Style`, from the sheets and its style attribute."""
    matcher = cssselect2.Matcher()
    for origin, css in sheets:
        _add_rules(matcher, origin, tinycss2.parse_stylesheet(css, True, True))
    styles: dict[Any, Style] = {}
    for wrapper in cssselect2.ElementWrapper.from_html_root(root).iter_subtree():
        element = wrapper.etree_element
        won: dict[str, tuple[Any, str, int]] = {}
        for specificity, order, pseudo, (origin, declarations) in matcher.match(wrapper):
            if pseudo is None:
                for name, value, important in declarations:
                    rank = (important, -origin if important else origin, (0, *specificity), order)
                    if name not in won or rank > won[name][0]:
                        won[name] = (rank, value, origin)
        for name, value, important in _declarations(element.get("style", "")):
            rank = (important, -AUTHOR if important else AUTHOR, (1, 0, 0, 0), 0)
            if name not in won or rank > won[name][0]:
                won[name] = (rank, value, AUTHOR)
        parent = styles.get(wrapper.parent.etree_element) if wrapper.parent else None
        styles[element] = _style(element, {k: (v, o) for k, (_, v, o) in won.items()}, parent)
    return styles


def _style(element: Any, values: dict[str, tuple[str, int]], parent: Style | None) -> Style:
    display, origin = values.get("display", ("", AUTHOR))
    gone = None
    if display == "none":
        hidden_attribute = origin == BROWSER and element.get("hidden") is not None
        gone = "the hidden attribute" if hidden_attribute else "display: none"
    elif _number(values.get("opacity", ("1", AUTHOR))[0]) == 0:
        gone = "opacity: 0"
    elif values.get("content-visibility", ("", AUTHOR))[0] == "hidden":
        gone = "content-visibility: hidden"
    visibility = values.get("visibility", ("inherit", AUTHOR))[0]
    if parent and parent.invisible and visibility in {"inherit", "unset", "hidden", "collapse"}:
        return Style(gone, parent.invisible, parent.hider)
    if visibility in {"hidden", "collapse"}:
        return Style(gone, f"visibility: {visibility}", element)
    return Style(gone, None)


def _add_rules(matcher: cssselect2.Matcher, origin: int, rules: list[Any]) -> None:
    for rule in rules:
        if rule.type == "qualified-rule":
            declarations = [d for d in _declarations(rule.content) if d[0] in HIDING]
            if not declarations:
                continue
            try:
                selectors = cssselect2.compile_selector_list(rule.prelude)
            except cssselect2.SelectorError:
                continue  # a browser drops the rule too
            for selector in selectors:
                matcher.add_selector(selector, (origin, declarations))
        elif rule.type == "at-rule" and rule.content is not None:
            keyword = rule.lower_at_keyword
            if keyword in {"supports", "layer"} or (
                keyword == "media" and for_screen(tinycss2.serialize(rule.prelude))
            ):
                _add_rules(matcher, origin, tinycss2.parse_rule_list(rule.content, True, True))


def _declarations(content: Any) -> list[tuple[str, str, bool]]:
    """(property, value, !important) of a declaration block (tokens or a string)."""
    found = tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
    return [
        (item.lower_name, tinycss2.serialize(item.value).strip().lower(), item.important)
        for item in found
        if item.type == "declaration"
    ]


def _number(value: str) -> float | None:
    try:
        return float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        return None


def _local(page: Path, href: str) -> Path | None:
    """A linked file in the page's own folder, or None."""
    url = urlparse(href)
    if url.scheme not in {"", "file"} or url.netloc or not url.path:
        return None
    folder = page.resolve().parent
    target = (folder / unquote(url.path)).resolve()
    return target if target.is_relative_to(folder) and target.is_file() else None


def _describe(element: Any) -> str:
    ident = f"#{element.get('id')}" if element.get("id") else ""
    classes = "".join(f".{name}" for name in element.get("class", "").split())
    return f"{element.tag}{ident}{classes}"


# -- strict: as Chromium renders it ------------------------------------------------------------

# Run at each width: remember every text node in the scope that the page does not show there
# (checkVisibility: display, visibility, opacity, content-visibility), and in
# the others each word a reader cannot see where the page lays it out: too small to read, off
# the page, clipped (outside a box that hides its overflow, a clip or a clip-path: the word's
# element is not there when the page is hit at the word's middle), covered by something that
# paints over it, transparent, or in nearly the colour under it. What a reader can scroll to
# (inside a box that scrolls, or down the page) is scrolled into view first.
_FIND_UNSEEN = """
([everything, width, minContrast, minHeight]) => {
  const scope = everything ? document.body : (document.querySelector('main') || document.body);
  const unseen = window.__unseen || (window.__unseen = new Map());
  const words = window.__words || (window.__words = new Map());
  if (!window.__hitAll) {  // hit testing must find every element, whatever its pointer-events
    window.__hitAll = document.createElement('style');
    window.__hitAll.textContent = '* { pointer-events: auto !important; }';
    document.head.append(window.__hitAll);
  }
  const styles = new Map();
  const style = el => styles.get(el) || styles.set(el, getComputedStyle(el)).get(el);
  const colour = text => {
    const m = /^rgba?\\(([^)]*)\\)$/.exec(text);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, alpha, below) => below.map((c, i) => top[i] * alpha + c * (1 - alpha));
  const luminance = c => c
    .map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const outermost = (el, test) => {
    let found = null;
    for (let a = el; a && a !== document.documentElement; a = a.parentElement)
      if (test(style(a))) found = a;
    return found || el;
  };
  const opacity = el => {
    let value = 1;
    for (let a = el; a; a = a.parentElement) value *= parseFloat(style(a).opacity);
    return value;
  };
  const paints = el => {
    const s = style(el), bg = colour(s.backgroundColor);
    return (bg && bg[3] >= 0.5) || s.backgroundImage !== 'none' ||
      /^(img|video|canvas|iframe|object|embed|input|textarea|select|svg)$/i.test(el.tagName);
  };
  const telling = (name, value) => {  // the value of this property that hides text?
    if (['font-size', 'height', 'width'].includes(name)) return parseFloat(value) < minHeight;
    if (name === 'opacity') return parseFloat(value) < 1;
    return !['none', 'auto', 'static', 'visible', '0px', 'normal', ''].includes(value);
  };
  const how = (el, names) => names.map(name => [name, style(el).getPropertyValue(name)])
    .filter(([name, value]) => telling(name, value))
    .map(([name, value]) => `${name}: ${value}`).join('; ');
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    Array.from(el.classList).map(c => '.' + c).join('');
  const said = (what, el, names) => {
    const css = how(el, names);
    return [css ? `${what}: ${css}` : what, el];
  };
  const middle = r => [r.left + r.width / 2, r.top + r.height / 2];
  const boxes = el => {
    const found = [];
    for (let a = el; a && a !== document.body; a = a.parentElement) found.push(a);
    return found;
  };
  const inContainers = (range, el) => {  // scroll the boxes around it that a reader can scroll
    let r = range.getClientRects()[0];
    for (const a of boxes(el.parentElement)) {
      const s = style(a);
      if (!/(auto|scroll)/.test(s.overflowX + ' ' + s.overflowY)) continue;
      const b = a.getBoundingClientRect(), [x, y] = middle(r);
      const [left, top] = [b.left + a.clientLeft, b.top + a.clientTop];  // inside its borders
      const [right, bottom] = [left + a.clientWidth, top + a.clientHeight];
      a.scrollBy({  // not smooth: now
        left: r.left < left || r.right > right ? x - (left + right) / 2 : 0,
        top: r.top < top || r.bottom > bottom ? y - (top + bottom) / 2 : 0,
        behavior: 'instant',
      });
      r = range.getClientRects()[0];
    }
    return r;
  };
  const clipper = (el, x, y) => {
    for (const a of boxes(el)) {
      const s = style(a), b = a.getBoundingClientRect();
      if (s.clipPath !== 'none' || (s.clip !== 'auto' && s.position === 'absolute')) return a;
      if ((s.overflowX !== 'visible' || s.overflowY !== 'visible') &&
          (x < b.left || x > b.right || y < b.top || y > b.bottom)) return a;
    }
    return el;
  };
  const hidden = (node, start, end) => {
    const el = node.parentElement, range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, end);
    const rects = Array.from(range.getClientRects());
    if (!rects.some(r => r.width >= 1 && r.height >= minHeight)) {
      const high = rects.length ? Math.round(Math.max(...rects.map(r => r.height))) : 0;
      return said(`too small to read (${high} px high)`, outermost(el, s =>
        parseFloat(s.fontSize) < minHeight || s.transform !== 'none' || s.scale !== 'none'),
        ['font-size', 'transform', 'scale']);
    }
    let r = inContainers(range, el);
    const page = document.documentElement;
    if (r.right + scrollX <= 0 || r.bottom + scrollY <= 0 || r.left + scrollX >= page.clientWidth)
      return said('off the page', outermost(el, s => s.position !== 'static' ||
        s.transform !== 'none' || s.translate !== 'none' || parseFloat(s.textIndent) !== 0),
        ['position', 'left', 'top', 'transform', 'translate', 'text-indent']);
    for (let attempt = 0; ; attempt++) {
      let [x, y] = middle(r);
      const [wide, high] = [page.clientWidth, page.clientHeight];
      if (attempt || r.left < 0 || r.top < 0 || r.right > wide || r.bottom > high) {
        window.scrollBy({left: x - wide / 2, top: y - high / 2, behavior: 'instant'});
        r = range.getClientRects()[0];
        [x, y] = middle(r);
      }
      const stack = document.elementsFromPoint(x, y), at = stack.indexOf(el);
      if (at < 0) {
        if (attempt) return said('clipped', clipper(el, x, y),
          ['overflow', 'height', 'width', 'clip', 'clip-path']);
        continue;
      }
      const cover = stack.slice(0, at).find(c => !c.contains(el) && paints(c));
      if (cover) {
        if (attempt) return [`covered by ${name(cover)}`, el];
        continue;
      }
      const s = style(el), fg = colour(s.webkitTextFillColor) || colour(s.color);
      if (!fg) return null;
      const alpha = fg[3] * opacity(el);
      if (alpha < 0.1)
        return said('transparent', outermost(el, t => parseFloat(t.opacity) < 1),
          ['opacity', 'color']);
      let under = [255, 255, 255];
      for (let k = stack.length - 1; k >= at; k--) {
        const t = style(stack[k]), bg = colour(t.backgroundColor);
        if (t.backgroundImage !== 'none' || !bg) return null;  // an image: cannot tell
        under = over(bg, bg[3], under);
      }
      const seen = over(fg, alpha, under);
      if (contrast(seen, under) < minContrast) {
        const [a, b] = [seen, under].map(c => 'rgb(' + c.map(Math.round).join(', ') + ')');
        return [`in nearly the colour under it (${a} on ${b})`, el];
      }
      return null;
    }
  };
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  const options = {opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true};
  const keep = scrollY;
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    if (!node.data.trim() || !element || element.closest('script, style, template, noscript'))
      continue;
    if (unseen.has(node)) continue;
    if (!element.checkVisibility(options)) {
      unseen.set(node, width);
      continue;
    }
    const found = words.get(node) || new Map();
    for (const word of node.data.matchAll(/\\S+/g)) {
      if (found.has(word.index)) continue;
      const why = hidden(node, word.index, word.index + word[0].length);
      if (why) found.set(word.index, {end: word.index + word[0].length, why: why[0],
                                     element: why[1], width});
    }
    if (found.size) words.set(node, found);
  }
  window.scrollTo({left: 0, top: keep, behavior: 'instant'});
}
"""
# Then: name each unseen text by the outermost element that hides it, take it out (and each
# unseen word), and read what the page shows.
_READ_SHOWN = """
(everything) => {
  const scope = everything ? document.body : (document.querySelector('main') || document.body);
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    Array.from(el.classList).map(c => '.' + c).join('');
  const describe = el => {
    const around = el.id ? null : el.parentElement && el.parentElement.closest('[id]');
    return name(el) + (around ? ' in ' + name(around) : '');
  };
  const hider = el => {
    let found = null, why = 'not rendered';
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a), up = a.parentElement && getComputedStyle(a.parentElement);
      if (s.display === 'none')
        [found, why] = [a, a.hasAttribute('hidden') ? 'the hidden attribute' : 'display: none'];
      else if (s.opacity === '0') [found, why] = [a, 'opacity: 0'];
      else if (s.contentVisibility === 'hidden' && a !== el)
        [found, why] = [a, 'content-visibility: hidden'];
      else if (!found && s.visibility !== 'visible' && (!up || up.visibility === 'visible'))
        [found, why] = [a, 'visibility: ' + s.visibility];
    }
    return [found || el, `hidden by CSS (${why})`];
  };
  const groups = new Map();
  const add = (key, why, width, where, text) => {
    if (!groups.has(key)) groups.set(key, {why, width, where, text: []});
    groups.get(key).text.push(text);
  };
  for (const [node, width] of (window.__unseen || new Map())) {
    const [element, why] = hider(node.parentElement);
    add(element, why, width, describe(element), node.data);
    node.data = '';
  }
  const keys = new Map();  // element -> why and width -> the group's key
  for (const [node, found] of (window.__words || new Map())) {
    let kept = '', from = 0;
    for (const [start, word] of Array.from(found).sort((a, b) => a[0] - b[0])) {
      if (!keys.has(word.element)) keys.set(word.element, new Map());
      const byWhy = keys.get(word.element), key = word.why + ' ' + word.width;
      if (!byWhy.has(key)) byWhy.set(key, {});
      add(byWhy.get(key), word.why, word.width, describe(word.element),
          node.data.slice(start, word.end));
      kept += node.data.slice(from, start);
      from = word.end;
    }
    node.data = kept + node.data.slice(from);
  }
  const hidden = Array.from(groups.values()).map(g => ({...g, text: g.text.join(' ')}));
  return {text: scope.innerText, hidden: hidden};
}
"""


def read_rendered(path: Path, *, everything: bool = False) -> Reading:
    """The page as headless Chromium shows it at each of WIDTHS (network refused)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:  # pragma: no cover - a dependency of the pipeline
        raise ExtractError("strict verification needs Playwright: run `pip install -e .`") from None
    if not CHROMIUM.exists():
        raise ExtractError(
            f"strict verification needs Chromium ({CHROMIUM} not found): run `invoke setup --tests`"
        )
    if not path.is_file():
        raise ExtractError(f"{path}: cannot read as HTML (no such file)")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            try:
                page = browser.new_page()
                page.route(
                    "**/*",
                    lambda route: (
                        route.continue_()
                        if route.request.url.startswith(("file:", "data:"))
                        else route.abort()
                    ),
                )
                page.goto(path.resolve().as_uri(), wait_until="load")
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    page.evaluate(_FIND_UNSEEN, [everything, width, MIN_CONTRAST, MIN_HEIGHT])
                shown = page.evaluate(_READ_SHOWN, everything)
            finally:
                browser.close()
    except Error as error:
        raise ExtractError(f"{path}: Chromium could not read the page ({error})") from None
    hidden = (
        Hidden(
            " ".join(item["text"].split()),
            f"{item['why']} at {item['width']} px wide",
            item["where"],
        )
        for item in shown["hidden"]
    )
    return Reading(_units(shown["text"]), tuple(h for h in hidden if h.text))
