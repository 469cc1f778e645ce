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
from typing import TYPE_CHECKING

import altair as alt

from cpas_kit.core.paths import TEMPLATES_DIR, cache_dir

if TYPE_CHECKING:
    from cpas_kit.packs.engine import WarmKernel

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


def enable_offline_charts(*, validate: bool = False) -> None:
    """Render Altair charts for the offline pack export (call once at the top of a pack notebook).

    By default the pack skips Altair's JSON-schema validation of every chart (about a third of a pack's chart
    time): the chart builders' specs are validated by their tests (``chart.to_dict()``), and a pack renders the
    same specs. ``validate=True`` keeps Altair's checks (and its detailed errors) while writing a new chart.
    """
    alt.renderers.enable(RENDERER)
    if validate:
        alt.utils.schemapi.enable_debug_mode()
        return
    alt.utils.schemapi.disable_debug_mode()  # no validation of each part at creation
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with every kernel
        return
    shell = get_ipython()
    if shell is not None:  # the whole chart, at display: as Altair's own display, without the validation
        shell.display_formatter.mimebundle_formatter.for_type(alt.TopLevelMixin, _unvalidated_bundle)


def _unvalidated_bundle(chart: alt.TopLevelMixin, include: object = None, exclude: object = None) -> dict:
    return _render(chart.to_dict(validate=False, context={"pre_transform": False}))


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


@lru_cache(maxsize=2)
def _exporter(language: str = "en") -> object:
    """The pack's nbconvert HTML exporter for a language, built once per process (templates load and compile once)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="cpas_offline",
        extra_template_basedirs=[str(TEMPLATES_DIR / "nbconvert")],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, language_code=language,
    )
    # cells tagged notebook-only narrate for the notebook's reader, not for the pack's reader
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"notebook-only"}), enabled=True)
    return exporter


def export_html(notebook: "str | Path", html_path: "str | Path", title: str, language: str = "en") -> Path:
    """Export an executed notebook to a self-contained HTML page without code cells, written atomically
    (``<html lang>``: ``language``, so a French page is read, hyphenated and spell-checked as French)."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    resources = {
        "cpas_vega_bundle": vega_bundle().replace("</script", "<\\/script"),
        "cpas_pack_css": (TEMPLATES_DIR / "pack.css").read_text(encoding="utf-8"),
    }
    body, _ = _exporter(language).from_notebook_node(nb, resources=resources)
    return write_atomically(Path(html_path), body.encode("utf-8"))


def partial_path(final: Path) -> Path:
    """A hidden temporary name beside ``final`` (same folder, so renaming it into place is atomic)."""
    return final.with_name(f".{final.stem}.{uuid.uuid4().hex[:8]}.partial{final.suffix}")


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(path)
    try:
        partial.write_bytes(data)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def run_notebook(name: str, out_dir: "str | Path", parameters: dict, *, what: str,
                 kernel: "WarmKernel | None" = None, executed: "Path | None" = None) -> Path:
    """Execute ``notebooks/<name>`` with papermill into ``<out_dir>/notebooks/<name>``; return that path.

    ``what`` names the notebook in errors ("the pack notebook"): a missing notebook or a failing cell is a
    ``PackError`` sentence naming the cell and where the executed notebook was kept. ``kernel``: a warm kernel
    to reuse (a batch keeps one per worker); without it a kernel is started for this run and stopped after.
    ``executed``: another place for the executed notebook. The kernel's console chatter goes to
    ``outputs/logs/notebooks.log``, not to the terminal.
    """
    from cpas_kit.packs.engine import WarmKernel, notebook_log  # engine imports jupyter_client: only here

    executed = executed or Path(out_dir) / "notebooks" / name
    if kernel is not None:
        return kernel.run(name, executed, parameters, what=what)
    with notebook_log() as log:
        own = WarmKernel(log)
        try:
            return own.run(name, executed, parameters, what=what)
        finally:
            own.shutdown()
