"""The reviewers' comments, read with lxml: each with its author, date, the text it is
anchored to and the paragraph it stands in, and its replies. pandoc's reader loses replies
(pandoc#6959) and comments that highlight no text (pandoc#4787): here a point comment keeps
the words just before it as its place.

Each comment is its own, keyed by the w14:paraId of its last paragraph where it has one,
else by its own w:id: Word in Compatibility Mode, Word 2010 and LibreOffice write no
paragraph ids (the Open XML SDK's CommentExTest/Comment004.docx), and Google Docs writes
them without commentsExtended.xml (superdoc's gdocs-comments-export.docx). A comment is a
reply only where commentsExtended.xml links it: w15:paraIdParent names the paragraph id of
the comment it answers (Word 2013 and later, OnlyOffice: ONLYOFFICE-QA/ooxml_parser's
comment_with_parent_id.docx); w15:done marks a resolved one."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from pipeline.ingest.paragraphs import W, body_paragraphs, parse_xml

W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
_TEXT = (f"{W}t", f"{W}delText")
CONTEXT_WORDS = 6
PARAGRAPH_BREAK = " ¶ "
"""Between the paragraphs a comment's highlighted text spans."""


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str
    paragraph: int | None = None
    """Index of the body paragraph its anchor starts in."""
    anchor: str = ""
    """The text it highlights; "" for a point comment."""
    before: str = ""
    """For a point comment: the words just before it."""
    resolved: bool = False
    replies: list[Comment] = field(default_factory=list)


def read_comments(document: bytes, comments: bytes | None, extended: bytes | None) -> list[Comment]:
    """The comments in document order, each with its replies (in the order written)."""
    if comments is None:
        return []
    found, para_ids = _comment_bodies(parse_xml(comments))
    _place(parse_xml(document), found)
    parents, done = _threads(extended)
    top: list[Comment] = []
    for ident, comment in found.items():
        comment.resolved = done.get(para_ids.get(ident, ""), False)
    by_para = {para: found[ident] for ident, para in para_ids.items() if para}  # never ""
    for ident, comment in found.items():
        parent = by_para.get(parents.get(para_ids.get(ident, ""), ""))
        if parent is not None and parent is not comment:
            parent.replies.append(comment)
        else:
            top.append(comment)
    return sorted(top, key=lambda c: c.paragraph if c.paragraph is not None else 1 << 30)


def _comment_bodies(root: etree._Element) -> tuple[dict[str, Comment], dict[str, str]]:
    found: dict[str, Comment] = {}
    para_ids: dict[str, str] = {}
    for number, element in enumerate(root.iter(f"{W}comment")):
        ident = element.get(f"{W}id") or f"#{number}"  # never "": that would merge comments
        paragraphs = element.findall(f".//{W}p")
        text = "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in paragraphs)
        found[ident] = Comment(
            ident, element.get(f"{W}author", ""), _date(element.get(f"{W}date", "")), text.strip()
        )
        if paragraphs:
            para_ids[ident] = paragraphs[-1].get(f"{W14}paraId", "")
    return found, para_ids


def _date(value: str) -> str:
    """An ISO date and time, or "" for none (LibreOffice writes 0-00-00 for a comment made
    without a date)."""
    return "" if not value or value.startswith("0-") else value


def _threads(extended: bytes | None) -> tuple[dict[str, str], dict[str, bool]]:
    """paraId -> the paraId it replies to, and paraId -> resolved."""
    if extended is None:
        return {}, {}
    parents, done = {}, {}
    for entry in parse_xml(extended).iter(f"{W15}commentEx"):
        para = entry.get(f"{W15}paraId", "")
        if entry.get(f"{W15}paraIdParent"):
            parents[para] = entry.get(f"{W15}paraIdParent", "")
        done[para] = entry.get(f"{W15}done") in {"1", "true"}
    return parents, done


def _place(root: etree._Element, found: dict[str, Comment]) -> None:
    """Each comment's paragraph and anchor text, walking the body in document order. The
    anchor is the text between its range start and end, deleted text included (it is what
    the reviewer highlighted)."""
    elements = body_paragraphs(root)  # kept: lxml's proxies (and their ids) live as long
    position = {id(p): i for i, p in enumerate(elements)}
    open_ranges: set[str] = set()
    text_so_far: list[str] = []
    paragraph = None
    for element in root.find(f"{W}body").iter():
        tag = element.tag
        if tag == f"{W}p" and id(element) in position:
            paragraph = position[id(element)]
            text_so_far.append(" ")
            for ident in open_ranges:  # a comment across paragraphs: say where one ends
                if ident in found and found[ident].anchor.strip():
                    found[ident].anchor += PARAGRAPH_BREAK
        elif tag == f"{W}commentRangeStart":
            ident = element.get(f"{W}id", "")
            open_ranges.add(ident)
            if ident in found:
                found[ident].paragraph = paragraph
        elif tag == f"{W}commentRangeEnd":
            open_ranges.discard(element.get(f"{W}id", ""))
        elif tag == f"{W}commentReference":
            comment = found.get(element.get(f"{W}id", ""))
            if comment is not None and comment.paragraph is None:
                comment.paragraph = paragraph
            if comment is not None and not comment.anchor.strip():
                words = "".join(text_so_far).split()
                comment.before = " ".join(words[-CONTEXT_WORDS:])
        elif tag in _TEXT and element.text:
            text_so_far.append(element.text)
            for ident in open_ranges:
                if ident in found:
                    found[ident].anchor += element.text
    for comment in found.values():
        parts = [" ".join(part.split()) for part in comment.anchor.split(PARAGRAPH_BREAK)]
        comment.anchor = PARAGRAPH_BREAK.join(part for part in parts if part)
