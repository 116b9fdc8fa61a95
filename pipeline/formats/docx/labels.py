"""The labels of the DOCX's boxes, as the web page labels them: each a paragraph in its own
style inside its box, its words from the label catalogue in the document's language
(pipeline.labels). They are not content: verification (pipeline.extract.docx, by style id)
and ingest (by style name) leave them out."""

from __future__ import annotations

LABELS = {
    "Plain Summary": ("Plain Summary Label", "in-short"),
    "Disclaimer": ("Disclaimer Label", "important"),
    "Disclaimer Plain": ("Disclaimer Plain Label", "in-plain-words"),
}
"""Box style -> (its label's style, the label's key in the catalogue)."""
