"""A reviewer in Word, simulated with lxml on a DOCX the pipeline built: tracked insertions,
deletions, replacements and moves (w:ins, w:del, w:moveFrom/w:moveTo), paragraphs added and
deleted (paragraph-mark changes), formatting changes (w:rPrChange), comments with replies
(comments.xml, commentsExtended.xml) and point comments, and edits with Track Changes off.
The XML is what Word writes for each; tests/uno_review.py makes a review with LibreOffice."""

from __future__ import annotations

import copy
import itertools
import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
EXTENDED_REL = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
EXTENDED_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"
)
DATE = "2026-11-20T09:30:00Z"


def w(name: str) -> str:
    return f"{W}{name}"


class WordReview:
    """Edits to one DOCX, saved by `save()` (or on leaving a `with` block)."""

    def __init__(self, path: Path):
        self.path = path
        with zipfile.ZipFile(path) as package:
            self.infos = package.infolist()
            self.files = {info.filename: package.read(info) for info in self.infos}
        self.document = etree.fromstring(self.files["word/document.xml"])
        self.comments = etree.fromstring(self.files["word/comments.xml"])
        self.extended = etree.Element(f"{W15}commentsEx", nsmap={"w15": W15[1:-1]})
        self.ids = itertools.count(9001)

    def __enter__(self) -> WordReview:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.save()

    # -- finding text ---------------------------------------------------------------------

    def paragraph(self, words: str) -> etree._Element:
        found = [p for p in self.document.iter(w("p")) if words in _text(p)]
        assert len(found) == 1, f"{len(found)} paragraphs contain {words!r}"
        return found[0]

    def runs(self, paragraph: etree._Element, phrase: str) -> list[etree._Element]:
        """The runs that hold exactly `phrase` (split off from their neighbours)."""
        start = _text(paragraph).index(phrase)
        end = start + len(phrase)
        position, found = 0, []
        for run in list(paragraph.iter(w("r"))):
            text = _text(run)
            if not text:
                continue
            left, right = position, position + len(text)
            position = right
            if right <= start or left >= end:
                continue
            if left < start:
                run = _split(run, start - left)[1]
                left = start
            if right > end:
                run = _split(run, end - left)[0]
            found.append(run)
        return found

    # -- tracked changes --------------------------------------------------------------------

    def _mark(self, tag: str, author: str, date: str = DATE) -> etree._Element:
        return etree.Element(
            w(tag), {w("id"): str(next(self.ids)), w("author"): author, w("date"): date}
        )

    def delete(self, words: str, phrase: str, author: str, date: str = DATE) -> None:
        runs = self.runs(self.paragraph(words), phrase)
        self._wrap(runs, self._mark("del", author, date), deleted=True)

    def insert(self, words: str, after: str, new: str, author: str, date: str = DATE) -> None:
        """`new` inserted right after the text `after`, formatted like it."""
        run = self.runs(self.paragraph(words), after)[-1]
        insertion = self._mark("ins", author, date)
        insertion.append(_run_like(run, new))
        run.addnext(insertion)

    def replace(
        self,
        words: str,
        old: str,
        new: str,
        author: str,
        date: str = DATE,
        bold: bool | None = None,
    ) -> None:
        """`old` deleted and `new` inserted after it, formatted like the first character
        of `old` (as Word types over a selection), or made plain with bold=False."""
        runs = self.runs(self.paragraph(words), old)
        deletion = self._wrap(runs, self._mark("del", author, date), deleted=True)
        insertion = self._mark("ins", author, date)
        insertion.append(_run_like(runs[0], new, bold=bold))
        deletion.addnext(insertion)

    def move(self, words: str, phrase: str, to_words: str, author: str, date: str = DATE) -> None:
        """`phrase` moved from its paragraph to the end of the paragraph with `to_words`."""
        name = f"move{next(self.ids)}"
        runs = self.runs(self.paragraph(words), phrase)
        origin = self._wrap(runs, self._mark("moveFrom", author, date), deleted=False)
        for tag, element in (("moveFromRangeStart", origin), ("moveFromRangeEnd", None)):
            marker = etree.Element(w(tag), {w("id"): str(next(self.ids)), w("name"): name})
            (origin.addprevious if element is not None else origin.addnext)(marker)
        target = self.paragraph(to_words)
        arrival = self._mark("moveTo", author, date)
        arrival.append(_run_like(runs[0], " " + phrase.strip()))
        target.append(
            etree.Element(w("moveToRangeStart"), {w("id"): str(next(self.ids)), w("name"): name})
        )
        target.append(arrival)
        target.append(etree.Element(w("moveToRangeEnd"), {w("id"): str(next(self.ids))}))

    def add_paragraph(self, words: str, text: str, author: str, date: str = DATE) -> None:
        """A new paragraph after the one with `words`, as Word records Enter at its end: its
        mark inserted, the new paragraph's text inserted, in the same style."""
        paragraph = self.paragraph(words)
        new = etree.Element(w("p"))
        properties = paragraph.find(w("pPr"))
        if properties is not None:
            new.append(copy.deepcopy(properties))
        insertion = self._mark("ins", author, date)
        insertion.append(_run_like(None, text))
        new.append(insertion)
        _paragraph_mark(paragraph).append(self._mark("ins", author, date))
        paragraph.addnext(new)

    def delete_paragraph(self, words: str, author: str, date: str = DATE) -> None:
        paragraph = self.paragraph(words)
        runs = [r for r in paragraph.iter(w("r")) if _text(r)]
        self._wrap(runs, self._mark("del", author, date), deleted=True)
        _paragraph_mark(paragraph).append(self._mark("del", author, date))

    def split_paragraph(self, words: str, rest: str, author: str, date: str = DATE) -> None:
        """Enter pressed in the paragraph with `words`, just before `rest` (its last words),
        as Word records it: the first part's paragraph mark inserted, the second part a
        paragraph of the same style."""
        paragraph = self.paragraph(words)
        assert _text(paragraph).endswith(rest)
        runs = self.runs(paragraph, rest)
        new = etree.Element(w("p"))
        properties = paragraph.find(w("pPr"))
        if properties is not None:
            new.append(copy.deepcopy(properties))
        for run in runs:
            new.append(run)  # out of the paragraph (and of any content control in it)
        _paragraph_mark(paragraph).append(self._mark("ins", author, date))
        paragraph.addnext(new)

    def restyle(self, words: str, style: str, author: str, date: str = DATE) -> None:
        """The paragraph with `words` given another paragraph style (a style id), tracked as
        Word tracks it: the old properties kept in a w:pPrChange."""
        properties = _properties(self.paragraph(words))
        old = etree.Element(w("pPr"))
        for child in properties:
            if child.tag not in {w("rPr"), w("sectPr"), w("pPrChange")}:
                old.append(copy.deepcopy(child))
        for child in properties.findall(w("pStyle")) + properties.findall(w("numPr")):
            properties.remove(child)
        properties.insert(0, etree.Element(w("pStyle"), {w("val"): style}))
        change = self._mark("pPrChange", author, date)
        change.append(old)
        properties.append(change)

    def make_bold(self, words: str, phrase: str, author: str, date: str = DATE) -> None:
        """A formatting-only change: `phrase` made bold, tracked (w:rPrChange)."""
        for run in self.runs(self.paragraph(words), phrase):
            properties = run.find(w("rPr"))
            if properties is None:
                properties = etree.Element(w("rPr"))
                run.insert(0, properties)
            old = copy.deepcopy(properties)
            change = self._mark("rPrChange", author, date)
            change.append(old)
            properties.insert(0, etree.Element(w("b")))
            properties.append(change)

    def untracked_replace(self, words: str, old: str, new: str) -> None:
        """What a reviewer does with Track Changes off: the text simply changes."""
        runs = self.runs(self.paragraph(words), old)
        runs[0].find(w("t")).text = new
        runs[0].find(w("t")).set(XML_SPACE, "preserve")
        for run in runs[1:]:
            run.getparent().remove(run)

    def _wrap(
        self, runs: list[etree._Element], mark: etree._Element, deleted: bool
    ) -> etree._Element:
        runs[0].addprevious(mark)
        for run in runs:
            mark.append(run)
            if deleted:
                for piece in run.iter(w("t")):
                    piece.tag = w("delText")
        return mark

    # -- comments -----------------------------------------------------------------------

    def comment(
        self,
        words: str,
        phrase: str,
        text: str,
        author: str,
        replies: tuple[tuple[str, str], ...] = (),
        date: str = DATE,
    ) -> None:
        """A comment on `phrase` ("" for a point comment after `words`), with replies
        (author, text) as Word writes them: each its own comment on the same range, linked
        to its parent in commentsExtended.xml."""
        paragraph = self.paragraph(words)
        runs = self.runs(paragraph, phrase) if phrase else []
        parent_para = None
        for author_, text_ in ((author, text), *replies):
            ident = str(next(self.ids))
            para_id = f"{int(ident):08X}"
            self._comment_body(ident, para_id, author_, text_, date)
            entry = etree.SubElement(
                self.extended, f"{W15}commentEx", {f"{W15}paraId": para_id, f"{W15}done": "0"}
            )
            if parent_para is not None:
                entry.set(f"{W15}paraIdParent", parent_para)
            parent_para = parent_para or para_id
            start = etree.Element(w("commentRangeStart"), {w("id"): ident})
            end = etree.Element(w("commentRangeEnd"), {w("id"): ident})
            reference = etree.Element(w("r"))
            etree.SubElement(reference, w("commentReference"), {w("id"): ident})
            if runs:
                runs[0].addprevious(start)
                runs[-1].addnext(end)
                end.addnext(reference)
            else:
                last = self.runs(paragraph, words)[-1]
                last.addnext(reference)

    def _comment_body(self, ident: str, para_id: str, author: str, text: str, date: str) -> None:
        comment = etree.SubElement(
            self.comments, w("comment"), {w("id"): ident, w("author"): author, w("date"): date}
        )
        paragraph = etree.SubElement(comment, w("p"), {f"{W14}paraId": para_id})
        etree.SubElement(etree.SubElement(paragraph, w("r")), w("t")).text = text

    # -- saving -------------------------------------------------------------------------

    def save(self, target: Path | None = None) -> Path:
        target = target or self.path
        files = dict(self.files)
        files["word/document.xml"] = _xml(self.document)
        files["word/comments.xml"] = _xml(self.comments)
        names = [info.filename for info in self.infos]
        if len(self.extended):
            files["word/commentsExtended.xml"] = _xml(self.extended)
            if "word/commentsExtended.xml" not in names:
                names.append("word/commentsExtended.xml")
                rels = files["word/_rels/document.xml.rels"].decode()
                relation = (
                    f'<Relationship Id="rIdExtended" Type="{EXTENDED_REL}" '
                    'Target="commentsExtended.xml"/>'
                )
                rels = rels.replace("</Relationships>", relation + "</Relationships>")
                files["word/_rels/document.xml.rels"] = rels.encode()
                types = files["[Content_Types].xml"].decode()
                override = (
                    '<Override PartName="/word/commentsExtended.xml" '
                    f'ContentType="{EXTENDED_TYPE}"/>'
                )
                types = types.replace("</Types>", override + "</Types>")
                files["[Content_Types].xml"] = types.encode()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
            for name in names:
                package.writestr(name, files[name])
        return target


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _text(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(w("t")))


def _properties(paragraph: etree._Element) -> etree._Element:
    """The paragraph's w:pPr (added when it has none)."""
    properties = paragraph.find(w("pPr"))
    if properties is None:
        properties = etree.Element(w("pPr"))
        paragraph.insert(0, properties)
    return properties


def _paragraph_mark(paragraph: etree._Element) -> etree._Element:
    properties = _properties(paragraph)
    mark = properties.find(w("rPr"))
    if mark is None:
        mark = etree.SubElement(properties, w("rPr"))
    return mark


def _split(run: etree._Element, at: int) -> tuple[etree._Element, etree._Element]:
    """The run cut into two at character `at` (one w:t per run, as pandoc writes them)."""
    second = copy.deepcopy(run)
    text = run.find(w("t"))
    text.text, second.find(w("t")).text = text.text[:at], text.text[at:]
    for piece in (text, second.find(w("t"))):
        piece.set(XML_SPACE, "preserve")
    run.addnext(second)
    return run, second


def _run_like(run: etree._Element | None, text: str, bold: bool | None = None) -> etree._Element:
    new = etree.Element(w("r"))
    properties = None if run is None else run.find(w("rPr"))
    if properties is not None:
        properties = copy.deepcopy(properties)
        if bold is False:
            for element in properties.findall(w("b")) + properties.findall(w("bCs")):
                properties.remove(element)
        new.append(properties)
    piece = etree.SubElement(new, w("t"))
    piece.text = text
    piece.set(XML_SPACE, "preserve")
    return new
