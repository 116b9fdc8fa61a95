"""A reviewer in Word, simulated with lxml on a DOCX the pipeline built: tracked insertions,
deletions, replacements and moves (w:ins, w:del, w:moveFrom/w:moveTo), paragraphs added,
deleted and moved whole (paragraph-mark changes), a second reviewer deleting what the first
inserted (w:del inside w:ins), a new table row (w:trPr/w:ins), formatting changes
(w:rPrChange, w:pPrChange), a content control taken away (w:customXmlDelRangeStart, or
untracked), soft hyphens and line breaks, comments with replies (comments.xml,
commentsExtended.xml) and point comments, comments across paragraphs, and edits with Track
Changes off. tests/uno_review.py makes a review with LibreOffice itself.

The XML is what each client writes, as seen in public files each saved (CLIENTS says which
file taught what); `client` chooses whose habits the review has."""

from __future__ import annotations

import copy
import itertools
import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
EXTENDED_REL = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
EXTENDED_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"
)
DATE = "2026-11-20T09:30:00Z"
W16DU = "{http://schemas.microsoft.com/office/word/2023/wordml/word16du}"
W16CID = "http://schemas.microsoft.com/office/word/2016/wordml/cid"
W16CEX = "http://schemas.microsoft.com/office/word/2018/wordml/cex"

CLIENTS = {
    # client: what it writes, and the public file that shows it
    "word": (
        "Word 365, current mode: a w14:paraId on each comment paragraph, replies linked by "
        "commentsExtended.xml (w15:paraIdParent), w16du:dateUtc on tracked changes, an "
        "annotationRef run in each comment, a deletion before its insertion "
        "(superdoc-dev/superdoc packages/super-editor/src/tests/data/WordOriginatedComments.docx, "
        "jgm/pandoc test/docx/comments.docx)"
    ),
    "word-compatibility": (
        "Word in Compatibility Mode (and Word 2010): no paragraph ids, no "
        "commentsExtended.xml, a reply a comment of its own on the same range, a comment "
        "without w:date (dotnet/Open-XML-SDK .../CommentExTest/Comments-Sample-15-12-01/"
        "Comment004.docx)"
    ),
    "google": (
        "Google Docs: paragraph ids on comments but no commentsExtended.xml, a thread as "
        "comments on one range, a replacement as its insertion before its deletion with one "
        "w:id, comment ranges inside w:ins and w:del, empty w:r "
        "(superdoc's 'Google Docs Originated comments & TCs.docx', gdocs-tracked-changes.docx)"
    ),
    "onlyoffice": (
        "ONLYOFFICE 8: paragraph ids counted from 00000001, commentsExtended.xml with "
        "w15:done, several commentReference in one run (ONLYOFFICE-QA/ooxml_parser "
        "spec/document/comments_extended/comment_with_parent_id.docx)"
    ),
}


def w(name: str) -> str:
    return f"{W}{name}"


class WordReview:
    """Edits to one DOCX, saved by `save()` (or on leaving a `with` block)."""

    def __init__(self, path: Path, client: str = "word"):
        assert client in CLIENTS
        self.path = path
        self.client = client
        with zipfile.ZipFile(path) as package:
            self.infos = package.infolist()
            self.files = {info.filename: package.read(info) for info in self.infos}
        self.document = etree.fromstring(self.files["word/document.xml"])
        self.comments = etree.fromstring(self.files["word/comments.xml"])
        notes = self.files.get("word/footnotes.xml")
        self.footnotes = None if notes is None else etree.fromstring(notes)
        self.extended = etree.Element(f"{W15}commentsEx", nsmap={"w15": W15[1:-1]})
        self.ids = itertools.count(9001)
        self.links: dict[str, str] = {}

    def __enter__(self) -> WordReview:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.save()

    # -- finding text ---------------------------------------------------------------------

    def paragraph(self, words: str) -> etree._Element:
        """The one paragraph holding `words`, in the body or a footnote."""
        parts = [self.document] if self.footnotes is None else [self.document, self.footnotes]
        found = [p for part in parts for p in part.iter(w("p")) if words in _text(p)]
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
        mark = etree.Element(
            w(tag), {w("id"): str(next(self.ids)), w("author"): author, w("date"): date}
        )
        if self.client == "word":
            mark.set(f"{W16DU}dateUtc", date)
        return mark

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
        if self.client == "google":  # the insertion first, both with one id
            insertion.set(w("id"), deletion.get(w("id")))
            deletion.addprevious(insertion)
        else:
            deletion.addnext(insertion)

    def delete_inserted(self, words: str, phrase: str, author: str, date: str = DATE) -> None:
        """`phrase`, which another reviewer inserted, deleted: a w:del inside their w:ins."""
        runs = self.runs(self.paragraph(words), phrase)
        assert all(run.getparent().tag == w("ins") for run in runs), "not an insertion"
        self._wrap(runs, self._mark("del", author, date), deleted=True)

    def move_paragraph(self, words: str, after_words: str, author: str, date: str = DATE) -> None:
        """The whole paragraph with `words` moved after the one with `after_words`, as Word
        records it with moves tracked: its mark and runs w:moveFrom where it was, a new
        paragraph with its mark and runs w:moveTo, each inside a named range
        (Open-Xml-PowerTools TestFiles/RP/RP015-MoveFrom-MoveTo.docx)."""
        origin = self.paragraph(words)
        name = f"move{next(self.ids)}"
        arrival = copy.deepcopy(origin)
        runs = [r for r in origin if r.tag == w("r")]
        self._wrap(runs, self._mark("moveFrom", author, date), deleted=False)
        _paragraph_mark(origin).append(self._mark("moveFrom", author, date))
        self._range(origin, "moveFromRange", name, author, date)
        self.paragraph(after_words).addnext(arrival)
        arrived = [r for r in arrival if r.tag == w("r")]
        self._wrap(arrived, self._mark("moveTo", author, date), deleted=False)
        _paragraph_mark(arrival).append(self._mark("moveTo", author, date))
        self._range(arrival, "moveToRange", name, author, date)

    def _range(
        self, paragraph: etree._Element, kind: str, name: str, author: str, date: str
    ) -> None:
        start = self._mark(f"{kind}Start", author, date)
        start.set(w("name"), name)
        properties = paragraph.find(w("pPr"))
        (properties.addnext if properties is not None else lambda e: paragraph.insert(0, e))(start)
        paragraph.addnext(etree.Element(w(f"{kind}End"), {w("id"): start.get(w("id"))}))

    def add_row(self, words: str, cells: list[str], author: str, date: str = DATE) -> None:
        """A new table row after the row holding `words`, as Word records it: w:trPr/w:ins,
        and in each cell a paragraph whose mark and text are inserted
        (Open-Xml-PowerTools TestFiles/FA/RevTracking/007-InsertedTableRow.docx)."""
        row = next(self.paragraph(words).iterancestors(w("tr")))
        new = copy.deepcopy(row)
        properties = new.find(w("trPr"))
        if properties is None:
            properties = etree.Element(w("trPr"))
            new.insert(0, properties)
        properties.append(self._mark("ins", author, date))
        for cell, text in zip(new.findall(w("tc")), cells, strict=True):
            paragraph = cell.find(w("p"))
            for child in list(paragraph):
                if child.tag != w("pPr"):
                    paragraph.remove(child)
            _paragraph_mark(paragraph).append(self._mark("ins", author, date))
            if text:
                insertion = self._mark("ins", author, date)
                insertion.append(_run_like(None, text))
                paragraph.append(insertion)
        row.addnext(new)

    def format_paragraph(self, words: str, author: str, date: str = DATE) -> None:
        """The paragraph centred, tracked: w:pPrChange holding the properties before
        (Open-Xml-PowerTools TestFiles/FA/RevTracking/018-ParagraphPropertiesChange.docx)."""
        paragraph = self.paragraph(words)
        properties = paragraph.find(w("pPr"))
        if properties is None:
            properties = etree.Element(w("pPr"))
            paragraph.insert(0, properties)
        change = self._mark("pPrChange", author, date)
        change.append(copy.deepcopy(properties))
        for old in properties.findall(w("rPr")):
            properties.remove(old)
        etree.SubElement(properties, w("jc"), {w("val"): "center"})
        properties.append(change)

    def unlock(self, words: str, author: str = "", date: str = DATE) -> None:
        """The content control around the paragraph's text taken away: tracked (an author:
        w:customXmlDelRangeStart/End around it, the control kept until the change is
        accepted, Open-Xml-PowerTools TestFiles/FA/RevTracking/016-DeletedContentControl.docx)
        or not (the control simply gone)."""
        paragraph = self.paragraph(words)
        for control in [c for c in paragraph.iter(w("sdt"))]:
            if author:
                start = self._mark("customXmlDelRangeStart", author, date)
                control.addprevious(start)
                control.addnext(
                    etree.Element(w("customXmlDelRangeEnd"), {w("id"): start.get(w("id"))})
                )
                continue
            content = control.find(w("sdtContent"))
            for child in list(content if content is not None else []):
                control.addprevious(child)
            control.getparent().remove(control)

    def soft_hyphen(self, words: str, word: str, at: int) -> None:
        """A soft hyphen (w:softHyphen) typed into `word`, after its first `at` letters."""
        run = self.runs(self.paragraph(words), word[:at])[-1]
        hyphen = etree.Element(w("r"))
        etree.SubElement(hyphen, w("softHyphen"))
        run.addnext(hyphen)

    def soft_break(self, words: str, after: str, new: str, author: str, date: str = DATE) -> None:
        """Shift+Enter and `new` typed after `after`, tracked: a run with w:br."""
        run = self.runs(self.paragraph(words), after)[-1]
        insertion = self._mark("ins", author, date)
        brk = etree.SubElement(insertion, w("r"))
        etree.SubElement(brk, w("br"))
        insertion.append(_run_like(run, new))
        run.addnext(insertion)

    def insert_link(
        self, words: str, after: str, text: str, target: str, author: str, date: str = DATE
    ) -> None:
        """A hyperlink to `target` inserted after `after`, as Word writes one: a w:hyperlink
        whose relationship (TargetMode External) holds the address."""
        run = self.runs(self.paragraph(words), after)[-1]
        ident = f"rIdLink{next(self.ids)}"
        self.links[ident] = target
        insertion = self._mark("ins", author, date)
        link = etree.SubElement(insertion, w("hyperlink"), {f"{R}id": ident})
        link.append(_run_like(run, text))
        run.addnext(insertion)

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
        to: tuple[str, str] | None = None,
        resolved: bool = False,
    ) -> None:
        """A comment on `phrase` ("" for a point comment after `words`; up to the end of
        the phrase `to[1]` in the paragraph with `to[0]`, for a comment across paragraphs),
        with replies (author, text) as the client writes them: each its own comment on the
        same range, linked to its parent in commentsExtended.xml where the client does."""
        paragraph = self.paragraph(words)
        runs = self.runs(paragraph, phrase) if phrase else []
        last = self.runs(self.paragraph(to[0]), to[1])[-1] if to else runs[-1] if runs else None
        linked = self.client in {"word", "onlyoffice"}
        parent_para = None
        references = etree.Element(w("r"))  # ONLYOFFICE: one run for all of a thread's
        for author_, text_ in ((author, text), *replies):
            ident = str(next(self.ids))
            para_id = self._para_id(ident)
            self._comment_body(ident, para_id, author_, text_, date)
            if linked:
                done = "1" if resolved and parent_para is None else "0"
                entry = etree.SubElement(
                    self.extended, f"{W15}commentEx", {f"{W15}paraId": para_id, f"{W15}done": done}
                )
                if parent_para is not None:
                    entry.set(f"{W15}paraIdParent", parent_para)
            parent_para = parent_para or para_id
            start = etree.Element(w("commentRangeStart"), {w("id"): ident})
            end = etree.Element(w("commentRangeEnd"), {w("id"): ident})
            reference = etree.Element(w("commentReference"), {w("id"): ident})
            if self.client == "onlyoffice":
                assert runs and last is not None, "ONLYOFFICE's comments here highlight text"
                references.append(reference)
            else:
                run = etree.Element(w("r"))
                run.append(reference)
                reference = run
            if runs:
                runs[0].addprevious(start)
                assert last is not None
                last.addnext(end)
                if self.client != "onlyoffice":
                    end.addnext(reference)
            else:
                self.runs(paragraph, words)[-1].addnext(reference)
        if len(references) and last is not None:  # after the thread's range ends
            ends = [e for e in last.itersiblings() if e.tag == w("commentRangeEnd")]
            (ends[-1] if ends else last).addnext(references)

    def _para_id(self, ident: str) -> str:
        """ "" where the client writes no paragraph ids (Word in Compatibility Mode)."""
        if self.client == "word-compatibility":
            return ""
        if self.client == "onlyoffice":
            return f"{len(self.comments) + 1:08X}"
        return f"{int(ident):08X}"

    def _comment_body(self, ident: str, para_id: str, author: str, text: str, date: str) -> None:
        attributes = {w("id"): ident, w("author"): author}
        if date and self.client != "word-compatibility":
            attributes[w("date")] = date
        comment = etree.SubElement(self.comments, w("comment"), attributes)
        paragraph = etree.SubElement(comment, w("p"), {f"{W14}paraId": para_id} if para_id else {})
        if self.client in {"word", "word-compatibility"}:
            etree.SubElement(etree.SubElement(paragraph, w("r")), w("annotationRef"))
        etree.SubElement(etree.SubElement(paragraph, w("r")), w("t")).text = text

    # -- saving -------------------------------------------------------------------------

    def save(self, target: Path | None = None) -> Path:
        target = target or self.path
        files = dict(self.files)
        files["word/document.xml"] = _xml(self.document)
        files["word/comments.xml"] = _xml(self.comments)
        if self.footnotes is not None:
            files["word/footnotes.xml"] = _xml(self.footnotes)
        names = [info.filename for info in self.infos]
        if self.links:
            rels = files["word/_rels/document.xml.rels"].decode()
            for ident, address in self.links.items():
                rels = rels.replace(
                    "</Relationships>",
                    f'<Relationship Id="{ident}" Type="{HYPERLINK_REL}" Target="{address}" '
                    'TargetMode="External"/></Relationships>',
                )
            files["word/_rels/document.xml.rels"] = rels.encode()
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
        if self.client == "word" and len(self.comments):
            self._word_365_parts(files, names)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
            for name in names:
                package.writestr(name, files[name])
        return target

    def _word_365_parts(self, files: dict[str, bytes], names: list[str]) -> None:
        """What Word 365 writes beside its comments (WordOriginatedComments.docx):
        commentsIds.xml (a durable id per comment), commentsExtensible.xml (its UTC date)
        and people.xml (each author); ingest reads none of them."""
        para_ids = [p.get(f"{W14}paraId") for c in self.comments for p in c.findall(w("p"))[-1:]]
        durable = {para: f"{0x10000000 + n:08X}" for n, para in enumerate(para_ids) if para}
        authors = sorted({c.get(w("author"), "") for c in self.comments})
        cid, cex = f"{{{W16CID}}}", f"{{{W16CEX}}}"
        ids = etree.Element(f"{cid}commentsIds", nsmap={"w16cid": W16CID})
        extensible = etree.Element(f"{cex}commentsExtensible", nsmap={"w16cex": W16CEX})
        people = etree.Element(f"{W15}people", nsmap={"w15": W15[1:-1]})
        for para, durable_id in durable.items():
            etree.SubElement(
                ids, f"{cid}commentId", {f"{cid}paraId": para, f"{cid}durableId": durable_id}
            )
            etree.SubElement(
                extensible,
                f"{cex}commentExtensible",
                {f"{cex}durableId": durable_id, f"{cex}dateUtc": DATE},
            )
        for author in authors:
            person = etree.SubElement(people, f"{W15}person", {f"{W15}author": author})
            etree.SubElement(
                person, f"{W15}presenceInfo", {f"{W15}providerId": "None", f"{W15}userId": author}
            )
        for name, root in (
            ("commentsIds.xml", ids),
            ("commentsExtensible.xml", extensible),
            ("people.xml", people),
        ):
            files[f"word/{name}"] = _xml(root)
            if f"word/{name}" not in names:
                names.append(f"word/{name}")


def _xml(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


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
