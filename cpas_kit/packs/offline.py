"""Offline HTML: an Altair renderer and an nbconvert export whose pages fetch nothing from the web.

Altair's default HTML output loads Vega from a CDN, so a pack opened offline would draw no chart.
Here each chart is emitted as a ``<div>`` plus a tiny script calling ``window.cpasVegaEmbed``, and the
export template inlines vl-convert's Vega/Vega-Lite/Vega-Embed bundle **once per page**.
"""

from __future__ import annotations

import json
import uuid
from functools import lru_cache
from pathlib import Path

import altair as alt

from cpas_kit.core.errors import PackError
from cpas_kit.core.paths import TEMPLATES_DIR, cache_dir, notebooks_dir

RENDERER = "cpas_offline"
_SNIPPET = "window.cpasVegaEmbed = vegaEmbed;"

_CHART_HTML = """<div class="cpas-chart" id="{id}"></div>
<script type="text/javascript">
(function () {{
  var spec = {spec};
  function draw() {{ window.cpasVegaEmbed("#{id}", spec, {{actions: false, renderer: "svg"}}); }}
  if (window.cpasVegaEmbed) {{ draw(); }} else {{ window.addEventListener("load", draw); }}
}})();
</script>"""


def _render(spec: dict, **_: object) -> dict[str, str]:
    payload = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
    return {"text/html": _CHART_HTML.format(id=f"cpas-{uuid.uuid4().hex[:12]}", spec=payload)}


alt.renderers.register(RENDERER, _render)


def enable_offline_charts() -> None:
    """Render Altair charts for the offline pack export (call once at the top of a pack notebook)."""
    alt.renderers.enable(RENDERER)


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega + Vega-Lite + Vega-Embed as one script (≈0.9 MB), cached on disk per vl-convert version."""
    import vl_convert as vlc

    path = cache_dir() / f"vega-bundle-{vlc.__version__}.js"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    bundle = vlc.javascript_bundle(_SNIPPET)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    tmp.write_text(bundle, encoding="utf-8")
    tmp.replace(path)  # atomic: parallel pack builds never read half a file
    return bundle


def export_html(notebook: "str | Path", html_path: "str | Path", title: str, language: str = "en") -> Path:
    """Export an executed notebook to a self-contained HTML page without code cells (``<html lang>``:
    ``language``, so a French page is read, hyphenated and spell-checked as French)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(str(notebook), as_version=4)
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(
        template_name="cpas_offline",
        extra_template_basedirs=[str(TEMPLATES_DIR / "nbconvert")],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, language_code=language,
    )
    # cells tagged notebook-only narrate for the notebook's reader, not for the pack's reader
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"notebook-only"}), enabled=True)
    resources = {
        "cpas_vega_bundle": vega_bundle().replace("</script", "<\\/script"),
        "cpas_pack_css": (TEMPLATES_DIR / "pack.css").read_text(encoding="utf-8"),
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    out = Path(html_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    return out


def run_notebook(name: str, out_dir: "str | Path", parameters: dict, *, what: str) -> Path:
    """Execute ``notebooks/<name>`` with papermill into ``<out_dir>/notebooks/<name>``; return that path.

    ``what`` names the notebook in errors ("the pack notebook"): a missing notebook or a failing cell is a
    ``PackError`` sentence naming the cell and where the executed notebook was kept.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError


    source = notebooks_dir() / name
    if not source.is_file():
        raise PackError(f"{what} {source} is missing; run cpas from the project folder or set CPAS_HOME")
    executed = Path(out_dir) / "notebooks" / name
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(str(source), str(executed), parameters=parameters, kernel_name="python3",
                            progress_bar=False, cwd=str(notebooks_dir()))
    except PapermillExecutionError as exc:
        raise PackError(f"{what} failed at cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
                        f"(the executed notebook is at {executed})") from None
    return executed
