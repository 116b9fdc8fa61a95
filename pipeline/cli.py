"""The command line: `leaflet build`, `leaflet check`, `leaflet ingest REVIEWED.docx`, ...

`leaflet` works from any folder of a project: the project is the nearest folder, from the
current one up, that holds `styles/brand.toml` and `source/` (as quarto and mkdocs find
theirs), or the folder `--project` names. Paths given on the command line (`--output`, a
reviewed DOCX) are read from the current folder, as a shell user expects.

Exit codes: 0 done; 1 something is left for a person (a check failed, a document was not
published, a review holds an edit back); 2 the command cannot be done as asked (a wrong
option, a file that cannot be used, no project here), said in one message and never a
traceback; 3 a bug in the pipeline, shown with its traceback.

The invoke tasks of tasks.py (`invoke build`, ...) call `main` with the same options.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import BUG, UserError
from pipeline.formats import FORMATS  # the registry only: no renderer is imported

if TYPE_CHECKING:
    from pipeline.builder import Project, Report

PROG = "leaflet"
OK, LEFT_FOR_A_PERSON, BAD_INPUT, BUG_EXIT = 0, 1, 2, 3
MARKERS = (Path("styles") / "brand.toml", Path("source"))
"""What makes a folder a project."""


class NotAProject(UserError):
    """No project at or above the folder."""


def find_project(start: Path) -> Path:
    """The nearest folder, `start` or above, that holds styles/brand.toml and source/."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / MARKERS[0]).is_file() and (folder / MARKERS[1]).is_dir():
            return folder
    raise NotAProject(
        f"{start} is not inside a project: no folder from here up holds styles/brand.toml "
        "and source/",
        fix="run this in a project's folder (or one below it), or name one with --project DIR",
    )


def project_of(given: str) -> Path:
    """The project folder `--project` names, or the one around the current folder."""
    if not given:
        return find_project(Path.cwd())
    folder = Path(given).resolve()
    if not all((folder / marker).exists() for marker in MARKERS):
        raise NotAProject(
            f"--project {given}: {folder} holds no styles/brand.toml and source/",
            fix="name the folder that holds them",
        )
    return folder


# -- help texts, shared with tasks.py --------------------------------------------------------


def documents(root: Path | None) -> str:
    """The project's document ids, for help texts ("" outside a project)."""
    if root is None:
        return ""
    ids = sorted(path.stem for path in (root / "source").glob("*.md"))
    if not ids:
        return "none yet"
    shown = ", ".join(ids[:6])
    return shown if len(ids) <= 6 else f"{shown}, … ({len(ids)} in all)"


def helps(root: Path | None) -> dict[str, dict[str, str]]:
    """Each command's one-line summary ("") and each option's help, by the option's Python
    name: argparse and the invoke tasks both read them."""
    listed = documents(root)
    doc = "only this document (repeatable)" + (f": {listed}" if listed else "")
    formats = "only these formats, comma-separated or repeated (default: all): " + ", ".join(
        f"{f.name} ({f.label})" for f in FORMATS.values()
    )
    output = "output folder (default: the project's output/)"
    return {
        "new": {
            "": "Start a document: source/<id>.md, TODO where your words go.",
            "title": 'the document\'s title, e.g. --title "Knee pain"',
            "id": "its id and file name (default: made from the title)",
            "lang": "its language, a BCP 47 tag (default: en-US)",
        },
        "check": {
            "": "Check the sources in a moment, rendering nothing (for hooks).",
            "doc": doc,
            "strict": "as CI: an overdue review is an error",
        },
        "preview": {
            "": "Serve output/ on 127.0.0.1; rebuild and reload as you save.",
            "doc": doc.replace("only this", "preview only this"),
            "formats": f"after the HTML, {formats}",
            "port": "the port on 127.0.0.1 (default: 8000; 0: any free port)",
        },
        "build": {
            "": "Build, verify and publish every document (or --doc) to output/.",
            "doc": doc,
            "formats": formats,
            "output": output,
            "force": "rebuild every output, even those that are up to date",
            "strict": (
                "CI mode: an overdue review and a placeholder left in styles/brand.toml are "
                "errors; HTML verified in Chromium"
            ),
            "allow_placeholders": (
                "with --strict, placeholders in styles/brand.toml stay warnings (this "
                "repository's sample brand in its own CI; never for a real organisation's "
                "leaflets)"
            ),
            "jobs": "worker processes (default: one per core)",
            "shard": "build only shard K of N (K/N) of the documents, by a hash of their ids",
            "index_only": "only rebuild output/index.html from the manifests found",
        },
        "verify": {
            "": "Verify the published outputs again (every section, disclaimer).",
            "doc": doc,
            "output": output,
            "strict": "read HTML as Chromium renders it",
        },
        "ingest": {
            "": "Bring a reviewed DOCX's edits and comments back into the source.",
            "docx": "the reviewed DOCX (built by `leaflet build`, edited in Word or LibreOffice)",
            "apply": "write the merged source (never a conflict, nor an unapproved disclaimer "
            "edit)",
            "approve_disclaimer": "apply the edits to this disclaimer too (repeatable)",
            "output": output,
        },
        "translate": {
            "": "Start a translation, or mark it current with its original.",
            "action": "; ".join(f"{name}: {what}" for name, what in TRANSLATE_ACTIONS.items()),
            "doc": "the original's id" + (f", one of: {listed}" if listed else ""),
            "lang": "the translation's language, a BCP 47 tag (e.g. es-US)",
            "file": "import: the XLIFF file back from translation",
            "output": "export: where to write the XLIFF (default: "
            "build/translations/<id>.<lang>.xlf)",
            "approve_disclaimer": "import: apply a changed translation of this disclaimer too "
            "(repeatable)",
            "passage": "mark-current: a shared passage's id (its version in --lang, "
            "styles/passages/<id>.<lang>.md, records the original passage as it is)",
        },
        "clean": {"": "Remove everything built (output/ keeps its README)."},
    }


TRANSLATE_ACTIONS = {
    "new": "start source/<id>.<lang>.md: every part of the original, its words marked TODO",
    "mark-current": "record that the translation now follows the original as it is",
    "export": "write the translators' XLIFF 1.2 file of --doc for --lang",
    "import": "bring a translated XLIFF file (FILE) back into source/<id>.<lang>.md",
}


DESCRIPTIONS = {
    "ingest": (
        "Writes review.md, source.critic.md and source.patch in build/reviews/<id>/<name>/. "
        "Exit 0: nothing left for a person; 1: something is; 2: the DOCX cannot be ingested."
    ),
    "build": "Exit 0: every document published; 1: a problem is listed (the others still "
    "build); 2: a wrong option.",
}


# -- arguments -------------------------------------------------------------------------------


def _names(what: str, example: str) -> Callable[[str], list[str]]:
    """An argparse type: one value of a repeatable option, comma-separated names."""

    def parse(value: str) -> list[str]:
        names = [part.strip() for part in value.split(",")]
        if "" in names:
            raise argparse.ArgumentTypeError(f"needs {what}, e.g. {example}")
        return names

    return parse


def _format_names(value: str) -> list[str]:
    kinds = _names("a format", "html,docx")(value)
    for kind in kinds:
        if kind not in FORMATS:
            close = difflib.get_close_matches(kind, FORMATS, n=2, cutoff=0.4)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            raise argparse.ArgumentTypeError(
                f'unknown format "{kind}"{hint}; choose from {", ".join(FORMATS)}'
            )
    return kinds


def _shard(value: str) -> tuple[int, int]:
    number, _, count = value.partition("/")
    if not (number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count)):
        raise argparse.ArgumentTypeError(f'"{value}" must be K/N with 1 <= K <= N, e.g. 1/4')
    return int(number), int(count)


def _count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f'"{value}" must be a whole number, 0 or more')
    return int(value)


def parser(root: Path | None = None, prog: str = PROG) -> argparse.ArgumentParser:
    """The command line's parser; help texts list `root`'s documents."""
    texts = helps(root)
    top = argparse.ArgumentParser(
        prog=prog,
        description="Patient-education leaflets: one Markdown source per leaflet in; a "
        "print-ready brochure, an accessible page and PDF, a DOCX for review and a "
        "plain-language one-pager out, each verified from the finished file.",
        epilog="Exit codes: 0 done; 1 something is left for a person (a check failed, a "
        "review holds an edit back); 2 the command cannot be done as asked; 3 a bug.",
    )
    top.add_argument(
        "--project",
        metavar="DIR",
        default="",
        help="the project (default: the nearest folder from here up that holds "
        "styles/brand.toml and source/)",
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str) -> argparse.ArgumentParser:
        summary = texts[name][""]
        return commands.add_parser(
            name, help=summary, description=f"{summary} {DESCRIPTIONS.get(name, '')}".strip()
        )

    def doc(sub: argparse.ArgumentParser, name: str) -> None:
        sub.add_argument(
            "-d",
            "--doc",
            action="extend",
            type=_names("a document id", "--doc knee-pain"),
            default=[],
            metavar="ID",
            help=texts[name]["doc"],
        )

    def formats(sub: argparse.ArgumentParser, name: str) -> None:
        sub.add_argument(
            "-f",
            "--formats",
            action="extend",
            type=_format_names,
            default=[],
            metavar="FORMATS",
            help=texts[name]["formats"],
        )

    def approve(sub: argparse.ArgumentParser, said: str) -> None:
        sub.add_argument(
            "-p",
            "--approve-disclaimer",
            action="extend",
            type=_names("a disclaimer id", "--approve-disclaimer not-a-cure"),
            default=[],
            metavar="ID",
            help=said,
        )

    def output(sub: argparse.ArgumentParser, name: str) -> None:
        sub.add_argument("-o", "--output", default="", metavar="DIR", help=texts[name]["output"])

    sub = command("new")
    sub.add_argument("-t", "--title", required=True, help=texts["new"]["title"])
    sub.add_argument("-i", "--id", default="", help=texts["new"]["id"])
    sub.add_argument("-l", "--lang", default="en-US", help=texts["new"]["lang"])

    sub = command("check")
    doc(sub, "check")
    sub.add_argument("-s", "--strict", action="store_true", help=texts["check"]["strict"])

    sub = command("preview")
    doc(sub, "preview")
    formats(sub, "preview")
    sub.add_argument("-p", "--port", type=_count, default=8000, help=texts["preview"]["port"])

    sub = command("build")
    doc(sub, "build")
    formats(sub, "build")
    output(sub, "build")
    said = texts["build"]
    sub.add_argument("--force", action="store_true", help=said["force"])
    sub.add_argument("-s", "--strict", action="store_true", help=said["strict"])
    sub.add_argument("--allow-placeholders", action="store_true", help=said["allow_placeholders"])
    sub.add_argument("-j", "--jobs", type=_count, default=0, metavar="N", help=said["jobs"])
    sub.add_argument("--shard", type=_shard, metavar="K/N", help=said["shard"])
    sub.add_argument("--index-only", action="store_true", help=said["index_only"])

    sub = command("verify")
    doc(sub, "verify")
    output(sub, "verify")
    sub.add_argument("-s", "--strict", action="store_true", help=texts["verify"]["strict"])

    sub = command("ingest")
    sub.add_argument("docx", metavar="REVIEWED.docx", help=texts["ingest"]["docx"])
    sub.add_argument("-a", "--apply", action="store_true", help=texts["ingest"]["apply"])
    approve(sub, texts["ingest"]["approve_disclaimer"])
    output(sub, "ingest")

    sub = command("translate")
    said = texts["translate"]
    sub.add_argument("action", choices=TRANSLATE_ACTIONS, help=said["action"])
    doc(sub, "translate")
    sub.add_argument("file", nargs="?", default="", metavar="FILE", help=said["file"])
    sub.add_argument("-l", "--lang", default="", metavar="TAG", help=said["lang"])
    sub.add_argument("-o", "--output", default="", metavar="FILE", help=said["output"])
    approve(sub, said["approve_disclaimer"])
    sub.add_argument("--passage", default="", metavar="ID", help=said["passage"])

    command("clean")
    return top


# -- the commands ----------------------------------------------------------------------------


def new(root: Path, args: argparse.Namespace) -> int:
    from pipeline.scaffold import new_source, placeholder_count

    if not args.title.strip():
        raise UserError('the title is empty; write e.g. --title "Knee pain"')
    path = new_source(root / "source", args.title, args.id, args.lang)
    shown = path.relative_to(root).as_posix()
    print(
        f"wrote {shown}: replace each TODO ({placeholder_count(path)} lines) with your own "
        "words.\n"
        f"  {PROG} preview      shows it as you write (and lists the TODOs left)\n"
        f"  {PROG} check        checks it in a moment\n"
        "  docs/authoring.md    how to write one"
    )
    return OK


def check(root: Path, args: argparse.Namespace) -> int:
    from pipeline.builder import Options, Project, strictly
    from pipeline.console import BuildConsole
    from pipeline.validate import validate

    options = Options(docs=tuple(args.doc))
    console = BuildConsole("check", live=False)
    chosen = strictly(options) if args.strict else options
    report = validate(Project.at(root), chosen, listener=console)
    n = len(report.documents)
    problems = sum(1 for m in report.messages if m.level == "error")
    print(
        f"{n} document{'s' * (n != 1)} checked, "
        + (f"{problems} problem{'s' * (problems != 1)}" if problems else "no problems")
        + f", {report.seconds:.1f} s"
    )
    return _done(report, "check")


def preview(root: Path, args: argparse.Namespace) -> int:
    from pipeline.builder import Project
    from pipeline.preview import serve

    serve(Project.at(root), port=args.port, docs=args.doc, kinds=args.formats)
    return OK


def build(root: Path, args: argparse.Namespace) -> int:
    from pipeline.builder import Options, gather, strictly
    from pipeline.builder import build as run_build
    from pipeline.console import BuildConsole

    project = _project(root, args.output)
    if args.index_only:
        report = gather(project)
        for line in report.lines:
            print(line)
        return _done(report, "gather")
    options = Options(
        docs=tuple(args.doc),
        formats=tuple(args.formats),
        shard=args.shard,
        force=args.force,
        jobs=args.jobs,
    )
    if args.strict:
        options = strictly(options)
    if args.allow_placeholders:
        options = replace(options, placeholders="warning")
    with BuildConsole("build") as console:
        report = run_build(project, options, listener=console)
    console.finish(report)
    return _done(report, "build")


def verify(root: Path, args: argparse.Namespace) -> int:
    from pipeline.builder import Options, strictly, verify_published
    from pipeline.console import BuildConsole

    options = Options(docs=tuple(args.doc))
    with BuildConsole("verification") as console:
        report = verify_published(
            _project(root, args.output),
            strictly(options) if args.strict else options,
            listener=console,
        )
    console.finish(report)
    return _done(report, "verification")


def ingest(root: Path, args: argparse.Namespace) -> int:
    from pipeline.ingest import ingest as run_ingest

    outcome = run_ingest(
        _project(root, args.output), Path(args.docx), args.apply, args.approve_disclaimer
    )
    print("\n".join(outcome.lines))
    return outcome.exit_code


def translate(root: Path, args: argparse.Namespace) -> int:
    from pipeline.builder import Project
    from pipeline.translations import commands, exchange

    project = Project.at(root)
    if args.action == "import":
        if not args.file:
            raise UserError("import needs the file: leaflet translate import FILE.xlf")
        imported = exchange.take_in(project, Path(args.file), args.approve_disclaimer)
        print("\n".join(imported.lines))
        return imported.exit_code
    if args.passage:
        if args.action != "mark-current" or not args.lang:
            raise UserError(
                "--passage is for mark-current: leaflet translate mark-current --passage ID "
                "--lang TAG, e.g. --passage language-help --lang es"
            )
        done = commands.mark_passage_current(project, args.passage, args.lang)
    elif len(args.doc) != 1 or not args.lang:
        raise UserError(
            f"{args.action} needs one --doc ID and --lang TAG, e.g. --doc knee-pain --lang es-US"
        )
    elif args.action == "export":
        out = Path(args.output) if args.output else None
        done = exchange.export(project, args.doc[0], args.lang, out)
    else:
        command = {"new": commands.start, "mark-current": commands.mark_current}[args.action]
        done = command(project, args.doc[0], args.lang)
    print("\n".join(done.lines))
    return OK


def clean(root: Path, args: argparse.Namespace) -> int:
    from pipeline.builder.files import clean as remove_built

    remove_built(root / "output")
    return OK


COMMANDS: dict[str, Callable[[Path, argparse.Namespace], int]] = {
    "new": new,
    "check": check,
    "preview": preview,
    "build": build,
    "verify": verify,
    "ingest": ingest,
    "translate": translate,
    "clean": clean,
}


def _project(root: Path, output: str) -> Project:
    from pipeline.builder import Project

    return Project.at(root, Path(output) if output else None)


def _done(report: Report, what: str) -> int:
    if report.bugs:
        return BUG_EXIT
    if report.failed:
        print(f"{what} FAILED: the problems are listed above", file=sys.stderr)
        return LEFT_FOR_A_PERSON
    return OK


# -- the entry point -------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    """Run one command; its exit code. A user's error is said in one line (exit 2), a bug
    with its traceback (exit 3)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        root: Path | None = project_of(_given_project(argv))
    except NotAProject:
        root = None  # said once a command needs it (`--help` works anywhere)
    args = parser(root, prog).parse_args(argv)
    try:
        if root is None:
            root = project_of(args.project)
        return COMMANDS[args.command](root, args)
    except UserError as error:
        print(f"{prog} {args.command}: {error}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception:
        traceback.print_exc()
        print(BUG, file=sys.stderr)
        return BUG_EXIT


def _given_project(argv: Sequence[str]) -> str:
    """The --project value, read before the parser is made (its help lists the project's
    documents)."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--project", default="")
    known, _ = early.parse_known_args(argv)
    return str(known.project)


def run() -> None:
    """The console script."""
    sys.exit(main())
