"""The landing page, output/index.html: every published document and its formats, made from
the manifests alone (so shards built on different machines can be gathered into one)."""

from __future__ import annotations

from pipeline.brand import Brand
from pipeline.build.files import FOLDER_MODE, MANIFEST, read_manifest, readable, write_atomic
from pipeline.build.project import Project
from pipeline.formats.htmlview import write_brand_assets
from pipeline.templates import environment


def write_index(project: Project, brand: Brand) -> None:
    manifests = []
    for path in sorted(project.output_dir.glob(f"*/{MANIFEST}")):
        manifest = read_manifest(path.parent)
        if manifest:
            manifests.append(manifest)
    page = environment(brand).get_template("index.html.j2").render(manifests=manifests)
    readable(write_brand_assets(brand, project.output_dir))
    write_atomic(project.output_dir / "index.html", page.encode("utf-8"))
    project.output_dir.chmod(FOLDER_MODE)
