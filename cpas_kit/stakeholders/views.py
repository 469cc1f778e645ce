"""Views of the context map, shared by the context-mapping app and the impact-assessment pack.

HTML comes from autoescaping Jinja templates (``cpas_kit/templates/context/``), so any text from the store
is shown as text, never run as markup; the one chart (stakeholders per admin-1 area) is Altair, imported
only when a map is drawn so that the app starts fast. :func:`pack_section` and
:func:`framework_versions_html` are the pack's context-mapping section and its table of the framework
version each cycle was assessed against.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from cpas_kit.analysis.charts import simplified
from cpas_kit.analysis.theme import SEQUENTIAL_SCHEME
from cpas_kit.core.errors import NotFoundError
from cpas_kit.core.i18n import t
from cpas_kit.core.periods import Period
from cpas_kit.core.templates import template
from cpas_kit.framework.geography import admin1_areas
from cpas_kit.framework.model import Framework
from cpas_kit.stakeholders.register import ENUMERATED, StakeholderOptions, active, diff_summary, mission_area_names
from cpas_kit.stakeholders.store import StakeholderStore


def render(template_name: str, language: str, **values: Any) -> str:
    """Render one of the context-mapping templates (autoescaped) in ``language``."""
    return template("context/" + template_name).render(t=lambda k: t(k, language), lang=language, **values)


def css() -> str:
    """The styles of every context-mapping view (one ``<style>`` element)."""
    return render("style.html.j2", "en")


def display_name(row: dict[str, Any], language: str = "en") -> str:
    """A stakeholder's name in ``language`` (French falls back to English)."""
    return (row.get("name_fr") or row["name"]) if language == "fr" else row["name"]


def in_language(row: dict[str, Any], field: str, language: str = "en") -> Any:
    """``row[field]`` in ``language``: its ``<field>_fr`` when French is asked and given, else the English text."""
    return (row.get(f"{field}_fr") or row.get(field)) if language == "fr" else row.get(field)


def matrix_cells(rows: list[dict[str, Any]], options: StakeholderOptions,
                 language: str = "en") -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Influence × stance: ``{(influence, stance): [entries]}`` for every pair of options (empty cells too)."""
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {
        (i, s): [] for i in options.codes("influence") for s in options.codes("stance")}
    for r in active(rows):
        cells.setdefault((r["influence"], r["stance"]), []).append(r)
    for members in cells.values():
        members.sort(key=lambda r: display_name(r, language).casefold())
    return cells


def matrix_html(rows: list[dict[str, Any]], options: StakeholderOptions, language: str = "en") -> str:
    """The influence × stance matrix as an HTML table: each cell lists its stakeholders."""
    return render("matrix.html.j2", language, cells=matrix_cells(rows, options, language),
                  influence=[(c, options.label("influence", c, language)) for c in options.codes("influence")],
                  stance=[(c, options.label("stance", c, language)) for c in options.codes("stance")],
                  type_label=lambda c: options.label("type", c, language), name=lambda r: display_name(r, language))


def per_outcome_html(rows: list[dict[str, Any]], fw: Framework, options: StakeholderOptions,
                     language: str = "en") -> str:
    """For each intended outcome, the stakeholders who matter for it, with stance and influence."""
    on_map = active(rows)
    groups = [{"code": o.code, "label": o.label(language),
               "members": sorted((r for r in on_map if o.code in (r.get("outcomes") or [])),
                                 key=lambda r: (options.rank("influence", r["influence"]),
                                                display_name(r, language).casefold()))}
              for _, o in fw.outcomes()]
    return render("per_outcome.html.j2", language, groups=groups, opt=lambda f, c: options.label(f, c, language),
                  name=lambda r: display_name(r, language))


def register_html(rows: list[dict[str, Any]], options: StakeholderOptions, area_names: dict[str, str] | None,
                  language: str = "en") -> str:
    """The register of one cycle as a table (every field)."""
    names = area_names or {}
    return render("register.html.j2", language, rows=active(rows), opt=lambda f, c: options.label(f, c, language),
                  areas=lambda codes: ", ".join(names.get(c, c) for c in codes or []),
                  name=lambda r: display_name(r, language))


def changes_html(changes: list[dict[str, Any]], options: StakeholderOptions, area_names: dict[str, str] | None,
                 before: str, after: str, language: str = "en") -> str:
    """The changes between two cycles, each with its note (why)."""
    names = area_names or {}

    def value(field: str, v: Any) -> str:
        if v is None or v == [] or v == "":
            return "—"
        if field in ENUMERATED:
            return options.label(field, v, language)
        if field == "areas":
            return ", ".join(names.get(c, c) for c in v)
        return ", ".join(v) if isinstance(v, list) else str(v)

    return render("changes.html.j2", language, changes=changes, before=before, after=after, value=value,
                  name=lambda c: display_name(c, language), note=lambda c: in_language(c, "note", language),
                  summary=diff_summary(changes), field_label=lambda f: t(f"sh_{f}", language))


def area_counts(rows: list[dict[str, Any]], options: StakeholderOptions, area_codes: Iterable[str],
                language: str = "en") -> list[dict[str, Any]]:
    """Per admin-1 area: how many stakeholders act there, how many are opposed (the last stance option), who.

    Stakeholders with no areas are national or regional and counted in no area.
    """
    opposed = options.codes("stance")[-1]
    on_map = active(rows)
    out = []
    for code in area_codes:
        here = [r for r in on_map if code in (r.get("areas") or [])]
        out.append({"area_code": code, "stakeholders": len(here), "opposed": sum(r["stance"] == opposed for r in here),
                    "names": ", ".join(sorted(display_name(r, language) for r in here))})
    return out


def without_area(rows: list[dict[str, Any]], language: str = "en") -> str:
    """The names of the stakeholders on the map with no admin-1 area (national or regional actors)."""
    return ", ".join(sorted(display_name(r, language) for r in active(rows) if not r.get("areas")))


def area_map(areas: Any, counts: list[dict[str, Any]], cycle: str, language: str = "en",
             synthetic: bool = False) -> Any:
    """Admin-1 areas shaded by how many stakeholders of the register act there (an Altair chart).

    ``areas``: :func:`cpas_kit.framework.geography.admin1_areas`; ``counts``: :func:`area_counts`.
    """
    import altair as alt
    import pandas as pd


    merged = simplified(areas).merge(pd.DataFrame(counts), on="area_code", how="left")
    merged["stakeholders"] = merged["stakeholders"].fillna(0).astype(int)
    merged["opposed"] = merged["opposed"].fillna(0).astype(int)
    merged["names"] = merged["names"].fillna("")
    return alt.Chart(merged).mark_geoshape(stroke="white", strokeWidth=0.8).encode(
        color=alt.Color("stakeholders:Q", title=t("sh_count", language), scale=alt.Scale(scheme=SEQUENTIAL_SCHEME)),
        tooltip=[alt.Tooltip("area_name:N", title=t("by_area", language)),
                 alt.Tooltip("stakeholders:Q", title=t("sh_count", language)),
                 alt.Tooltip("opposed:Q", title=t("sh_opposed_count", language)),
                 alt.Tooltip("names:N", title=t("sh_register", language))],
    ).project("mercator").properties(
        width=320, height=230,
        title=alt.TitleParams(f"{t('sh_map_title', language)} — {cycle}",
                              subtitle=[t("synthetic", language).upper()] if synthetic else []),
    )


# -- the pack ---------------------------------------------------------------------------------------------
def previous_cycle(store: Any, mission: str, cycle: str) -> str | None:
    """The latest mapped cycle before ``cycle`` (None when ``cycle`` holds the first map)."""
    cycles = [c for c in StakeholderStore(store).context_cycles(mission)["cycle"]
              if Period.parse(c) < Period.parse(cycle)]
    return cycles[-1] if cycles else None


def pack_section(store: Any, fw: Framework, cycle: str, language: str = "en") -> tuple[str, Any]:
    """The pack's context-mapping section for ``cycle``: (HTML, the per-area map or None).

    The map in force for the cycle is the latest one at or before it; the changes shown are those since
    the map before that one, each with its reason.
    """
    mission = fw.mission.code
    try:
        cmap = StakeholderStore(store).context_map(mission, cycle)
    except NotFoundError:
        return render("pack_section.html.j2", language, mapped=None, style=Markup(css())), None
    rows, options = cmap["entries"], StakeholderStore(store).stakeholder_options(mission)
    area_names = None
    if fw.mission.geography is not None:

        area_names = mission_area_names(fw)
    before = previous_cycle(store, mission, cmap["cycle"])
    changes = None
    if before is not None:
        diff = StakeholderStore(store).stakeholder_diff(mission, before, cmap["cycle"])
        changes = Markup(changes_html(diff["changes"], options, area_names, before, cmap["cycle"], language))
    html = render("pack_section.html.j2", language, style=Markup(css()), cycle=cycle, mapped=cmap["cycle"],
                  n=len(active(rows)), synthetic=bool(cmap["is_synthetic"]),
                  summary=in_language(cmap, "summary", language),
                  matrix=Markup(matrix_html(rows, options, language)), changes=changes,
                  per_outcome=Markup(per_outcome_html(rows, fw, options, language)),
                  geography=area_names is not None, national=without_area(rows, language))
    chart = None
    if area_names is not None:

        chart = area_map(admin1_areas(fw.mission.geography), area_counts(rows, options, area_names, language),
                         cmap["cycle"], language, synthetic=bool(cmap["is_synthetic"]))
    return html, chart


def version_cycles(versions: Any, cycles: Iterable[str]) -> dict[int, list[str]]:
    """Version number → the cycles (of ``cycles``) it was in force for: the latest version whose
    ``effective_from`` is at or before the cycle (cycles before every version use the first)."""
    rows = sorted(((Period.parse(v["effective_from"]).start, int(v["version"])) for v in versions), reverse=True)
    out: dict[int, list[str]] = {v: [] for _, v in sorted(rows, key=lambda r: r[1])}
    for c in sorted(set(cycles), key=lambda c: Period.parse(c).start):
        start = Period.parse(c).start
        chosen = next((v for s, v in rows if s <= start), min(out) if out else None)
        if chosen is not None:
            out[chosen].append(c)
    return out


def framework_versions_html(store: Any, mission: str, cycles: Iterable[str], cycle: str, language: str = "en") -> str:
    """Which results framework version each cycle (``cycles`` and ``cycle``) was assessed against."""
    versions = store.framework_versions(mission).to_dict("records")
    last = Period.parse(cycle).start
    shown = [c for c in {*cycles, cycle} if Period.parse(c).start <= last]
    assigned = version_cycles(versions, shown)
    current = store.framework_version_for(mission, cycle)["version"]
    rows = []
    for v in versions:
        mine = assigned.get(int(v["version"]), [])
        if not mine and Period.parse(v["effective_from"]).start > last:
            continue  # takes effect after this pack's cycle
        span = "—" if not mine else mine[0] if len(mine) == 1 else f"{mine[0]} – {mine[-1]} ({len(mine)})"
        rows.append({**v, "cycles": span, "current": int(v["version"]) == int(current),
                     "saved": f"{v['created_by']} · {str(v['created_at'])[:10]}"})
    return render("framework_versions.html.j2", language, versions=rows, style=Markup(css()))
