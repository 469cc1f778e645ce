"""The one Altair theme of CPAS Workbench (UN blue, readable in print and on small screens)."""

from __future__ import annotations

import altair as alt

UN_BLUE = "#009EDB"
STATUS_COLOURS = {"on track": "#2E7D32", "off track": "#C62828", "no data": "#9E9E9E", "not rated": "#6D6D6D"}
TARGET_COLOUR = "#F57C00"
BASELINE_COLOUR = "#616161"
SEQUENTIAL_SCHEME = "blues"
FONT = "Helvetica, Arial, sans-serif"
# one colour per mission in cross-mission charts: Kelly's colours of maximum contrast (20, without white and
# black), so 12+ missions stay told apart; missions keep their colour from chart to chart (sorted codes)
MISSION_COLOURS = ["#0067A5", "#F38400", "#008856", "#BE0032", "#875692", "#F3C300", "#882D17", "#A1CAF1",
                   "#8DB600", "#E68FAC", "#604E97", "#C2B280", "#2B3D26", "#F99379", "#848482", "#DCD300",
                   "#B3446C", "#654522", "#E25822", "#F6A600"]
MISSION_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]  # a second cue
# agreed ratings, most favourable first, then "insufficient data"/"unclear" in grey: saturated enough to read
# on any background
RATING_COLOURS = ["#0B5394", "#3D85C6", "#E69138", "#CC0000"]
UNKNOWN_COLOUR = "#757575"
THEME_NAME = "cpas"


@alt.theme.register(THEME_NAME, enable=False)
def cpas_theme() -> alt.theme.ThemeConfig:
    """Theme config: fonts, sizes and the UN-blue category palette."""
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": 420, "continuousHeight": 180},
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "gridColor": "#E6E6E6", "domainColor": "#9E9E9E"},
            "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
            "title": {"fontSize": 13, "anchor": "start", "subtitleFontSize": 11, "subtitleColor": "#555555"},
            "range": {"category": [UN_BLUE, "#F57C00", "#7B1FA2", "#2E7D32", "#C62828", "#5D4037", "#455A64"]},
            "line": {"strokeWidth": 2.5},
        }
    }


def use_theme() -> None:
    """Enable the CPAS theme for charts built after this call."""
    alt.theme.enable(THEME_NAME)
