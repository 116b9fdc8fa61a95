"""The landing page, output/index.html: every published document and its formats, made from
the manifests alone (so shards built on different machines can be gathered into one)."""

from __future__ import annotations

from pipeline.brand import Brand
from pipeline.build.files import FOLDER_MODE, MANIFEST, read_manifest, readable, write_atomic
from pipeline.build.project import Project
from pipeline.templates import environment


def write_index(project: Project, brand: Brand) -> None:
    manifests = []
    for path in sorted(project.output_dir.glob(f"*/{MANIFEST}")):
        manifest = read_manifest(path.parent)
        if manifest:
            manifests.append(manifest)
    page = environment(brand).get_template("index.html.j2").render(manifests=manifests)
    for asset in (*brand.font_files, brand.path(brand.organisation["logo"])):
        target = project.output_dir / "assets" / asset.name
        if not target.is_file() or target.read_bytes() != asset.read_bytes():
            write_atomic(target, asset.read_bytes())
    readable(project.output_dir / "assets")
    write_atomic(project.output_dir / "index.html", page.encode("utf-8"))
    project.output_dir.chmod(FOLDER_MODE)
