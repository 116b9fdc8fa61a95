"""A clinician's review made by a real word processor: LibreOffice, headless, through UNO.

Run with Debian's own Python (python3-uno works with it only, not in a virtualenv):

    /usr/bin/python3 tests/uno_review.py BUILT.docx REVIEWED.docx

It opens the DOCX the pipeline built, turns change recording on, and as "Dana Rivera":
replaces a phrase, inserts a sentence, adds a paragraph, shortens a disclaimer's plain
wording, and comments on a phrase; then saves as DOCX (Word 2007-365). The committed
tests/fixtures/ingest/libreoffice-review.docx was made so from the article's DOCX:

    invoke build --doc ddd-stem-cell-therapy --formats docx
    /usr/bin/python3 tests/uno_review.py output/ddd-stem-cell-therapy/ddd-stem-cell-therapy.docx \
        tests/fixtures/ingest/libreoffice-review.docx

(tests/test_ingest_libreoffice.py reads it, and makes a new one from each test run's build.)

Only the soffice this script starts is stopped, by its process id.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol, cast

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.util import DateTime

SOFFICE = "/usr/lib/libreoffice/program/soffice.bin"
AUTHOR = ("Dana", "Rivera")
PARAGRAPH_BREAK = 0  # com.sun.star.text.ControlCharacter.PARAGRAPH_BREAK

# (paragraph that contains it, old text, new text): a tracked replacement.
REPLACE = [
    (
        "The symptoms of DDD can vary widely",
        "mild and intermittent discomfort",
        "mild, occasional discomfort",
    ),
    ("Experts are still studying this a lot.", " a lot", ""),
]
# (paragraph that ends with it, the sentence added at its end).
INSERT = [
    (
        "distributing mechanical loads across the spine.",
        " Ask your care team to show you on a model.",
    ),
]
# (paragraph after which, the new paragraph).
ADD_PARAGRAPH = [
    (
        "do not directly address the underlying tissue degeneration",
        "Ask your care team which of these options suits you.",
    ),
]
# (paragraph, phrase, comment).
COMMENT = [
    (
        "in severe cases, surgical interventions",
        "spinal fusion",
        "Should we say in plain words what a fusion is?",
    ),
]


# The few UNO interfaces this script uses, as it uses them (pyuno objects are dynamic: the
# names below are LibreOffice's API, com.sun.star.*). A service made by name is Any until it
# is given one of these types, where it is made.


class XTextRange(Protocol):
    """text.XTextRange."""

    def getText(self) -> XText: ...
    def getStart(self) -> XTextRange: ...
    def getEnd(self) -> XTextRange: ...
    def getString(self) -> str: ...
    def setString(self, text: str) -> None: ...


class XServiceInfo(Protocol):
    """lang.XServiceInfo: what an enumerated element is."""

    def supportsService(self, name: str) -> bool: ...


class Paragraph(XTextRange, XServiceInfo, Protocol):
    """text.Paragraph."""


class XTextCursor(XTextRange, Protocol):
    """text.XTextCursor."""

    def goRight(self, count: int, expand: bool) -> bool: ...


class XEnumeration(Protocol):
    """container.XEnumeration over a text's paragraphs and tables."""

    def hasMoreElements(self) -> bool: ...
    def nextElement(self) -> XServiceInfo: ...


class XText(Protocol):
    """text.XText."""

    def createEnumeration(self) -> XEnumeration: ...
    def createTextCursorByRange(self, where: XTextRange) -> XTextCursor: ...
    def insertString(self, where: XTextRange, text: str, absorb: bool) -> None: ...
    def insertControlCharacter(self, where: XTextRange, character: int, absorb: bool) -> None: ...
    def insertTextContent(self, where: XTextRange, content: Annotation, absorb: bool) -> None: ...


class Annotation(Protocol):
    """text.textfield.Annotation: a comment."""

    Author: str
    Initials: str
    Content: str
    DateTimeValue: DateTime


class TextDocument(Protocol):
    """text.TextDocument, made by the service manager and then loaded."""

    Text: XText
    RecordChanges: bool

    def createInstance(self, service: str) -> Any: ...
    def load(self, arguments: tuple[PropertyValue, ...]) -> None: ...
    def storeToURL(self, url: str, arguments: tuple[PropertyValue, ...]) -> None: ...
    def close(self, deliver_ownership: bool) -> None: ...


class XMultiComponentFactory(Protocol):
    """lang.XMultiComponentFactory: services by name, of whatever type the name says."""

    def createInstanceWithContext(self, service: str, context: XComponentContext) -> Any: ...


class XComponentContext(Protocol):
    """uno.XComponentContext, this process's or the office's."""

    ServiceManager: XMultiComponentFactory


class XUnoUrlResolver(Protocol):
    """bridge.UnoUrlResolver."""

    def resolve(self, url: str) -> XComponentContext: ...


class XConfigurationProvider(Protocol):
    """configuration.ConfigurationProvider."""

    def createInstanceWithArguments(
        self, service: str, arguments: tuple[PropertyValue, ...]
    ) -> XConfigurationAccess: ...


class XConfigurationAccess(Protocol):
    """configuration.ConfigurationUpdateAccess."""

    def setPropertyValue(self, name: str, value: object) -> None: ...
    def commitChanges(self) -> None: ...


def prop(name: str, value: object) -> PropertyValue:
    value_ = PropertyValue()
    value_.Name, value_.Value = name, value
    return value_


def start_office(profile: Path) -> tuple[subprocess.Popen[bytes], XComponentContext]:
    """soffice.bin listening on a private pipe, and its component context. A fresh profile
    makes the first start exit with 81 (it restarts itself): start it again."""
    pipe = f"uno-review-{os.getpid()}"
    args = [
        SOFFICE, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
        f"-env:UserInstallation={profile.as_uri()}",
        f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
    ]  # fmt: skip
    local: XComponentContext = uno.getComponentContext()
    resolver: XUnoUrlResolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _attempt in range(3):
        office = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _tick in range(300):
            if office.poll() is not None:
                break
            try:
                url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
                return office, resolver.resolve(url)
            except NoConnectException:
                time.sleep(0.2)
        stop(office)
    raise SystemExit("LibreOffice did not start")


def stop(office: subprocess.Popen[bytes]) -> None:
    if office.poll() is None:
        office.terminate()
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()


def now() -> DateTime:
    """The current time in UTC, as a comment's date (LibreOffice writes none without one)."""
    moment = time.gmtime()
    value = DateTime()
    value.Year, value.Month, value.Day = moment.tm_year, moment.tm_mon, moment.tm_mday
    value.Hours, value.Minutes, value.Seconds = moment.tm_hour, moment.tm_min, moment.tm_sec
    value.IsUTC = True
    return value


def set_author(context: XComponentContext) -> None:
    """Tracked changes and comments carry the user's name from the profile."""
    provider: XConfigurationProvider = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", context
    )
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        (prop("nodepath", "/org.openoffice.UserProfile/Data"),),
    )
    access.setPropertyValue("givenname", AUTHOR[0])
    access.setPropertyValue("sn", AUTHOR[1])
    access.commitChanges()


def paragraphs(document: TextDocument) -> list[Paragraph]:
    """The body's paragraphs. The document has no view (the -nogui build aborts when a view
    shows comments), so search by walking them, not with findFirst()."""
    found: list[Paragraph] = []
    enumeration = document.Text.createEnumeration()
    while enumeration.hasMoreElements():
        element = enumeration.nextElement()
        if element.supportsService("com.sun.star.text.Paragraph"):
            found.append(cast(Paragraph, element))
    return found


def paragraph_with(document: TextDocument, words: str) -> Paragraph:
    matches = [p for p in paragraphs(document) if words in p.getString()]
    if len(matches) != 1:
        raise SystemExit(f"{len(matches)} paragraphs contain {words!r}")
    return matches[0]


def select(paragraph: Paragraph, phrase: str) -> XTextCursor:
    """A cursor over `phrase` inside `paragraph`. A content control (our disclaimers) adds a
    position the paragraph's string does not show, so the offset is checked, not trusted."""
    start = paragraph.getString().index(phrase)
    for shift in range(3):
        cursor = paragraph.getText().createTextCursorByRange(paragraph.getStart())
        cursor.goRight(start + shift, False)
        cursor.goRight(len(phrase), True)
        if cursor.getString() == phrase:
            return cursor
    raise SystemExit(f"cannot select {phrase!r}")


def review(document: TextDocument) -> None:
    for words, old, new in REPLACE:
        select(paragraph_with(document, words), old).setString(new)
    for words, sentence in INSERT:
        paragraph = paragraph_with(document, words)
        paragraph.getText().insertString(paragraph.getEnd(), sentence, False)
    for words, text in ADD_PARAGRAPH:
        paragraph = paragraph_with(document, words)
        cursor = paragraph.getText().createTextCursorByRange(paragraph.getEnd())
        paragraph.getText().insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        cursor.getText().insertString(cursor, text, False)
    # Comments last: with recording on, a comment's anchor is recorded as an insertion.
    document.RecordChanges = False
    for words, phrase, text in COMMENT:
        paragraph = paragraph_with(document, words)
        comment: Annotation = document.createInstance("com.sun.star.text.textfield.Annotation")
        comment.Author = " ".join(AUTHOR)
        comment.Initials = "".join(name[0] for name in AUTHOR)
        comment.Content = text
        comment.DateTimeValue = now()
        cursor = select(paragraph, phrase)
        paragraph.getText().insertTextContent(cursor, comment, True)


def main(source: Path, target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="uno-review-") as work:
        office, context = start_office(Path(work) / "profile")
        try:
            set_author(context)
            document: TextDocument = context.ServiceManager.createInstanceWithContext(
                "com.sun.star.text.TextDocument", context
            )
            document.load(
                (
                    prop("URL", uno.systemPathToFileUrl(str(source.resolve()))),
                    prop("FilterName", "MS Word 2007 XML"),
                )
            )
            document.RecordChanges = True
            review(document)
            # The DOCX asks for its fonts embedded, and LibreOffice would embed every system
            # font it uses (megabytes); ingest does not read fonts, so the fixture stays small.
            document.createInstance("com.sun.star.text.DocumentSettings").EmbedFonts = False
            document.storeToURL(
                uno.systemPathToFileUrl(str(target.resolve())),
                (prop("FilterName", "MS Word 2007 XML"),),
            )
            document.close(True)
        finally:
            stop(office)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
