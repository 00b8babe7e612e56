"""The dashboard's chart of money held in escrow over time: a small SVG drawn on the
server (no chart library, nothing from a CDN), in the reader's language.

One figure per day (what was held at the end of it), drawn as a filled line; the
highest figure and today's are written in words, as are the first and last days, so
the chart reads without a legend. Every text is escaped: the SVG is shown in an
``<img>`` (no script in it ever runs), and is safe to inline as well.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from axokey import i18n
from axokey.domain.escrow_history import DailyHeld
from axokey.i18n import N_

# Drawn for a phone's width (about 360 px): its words stay readable there.
WIDTH = 360
HEIGHT = 200
LEFT = 8
RIGHT = 8
TOP = 52
BOTTOM = 26

TITLE = N_("Held in escrow, day by day")
TODAY = N_("Today: %(amount)s")
HIGHEST = N_("Highest: %(amount)s")
NOTHING = N_("Nothing held over these days")


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 14) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="#1f2933">{escape(text)}</text>'
    )


def held_chart_svg(days: list[DailyHeld], currency: str, language: str) -> str:
    """The chart of ``days`` (at least one), in ``language``."""
    words = i18n.translations(language)
    highest = max(day.held for day in days)
    today = days[-1].held
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(days) - 1, 1)
    scale = plot_height / highest if highest > 0 else 0.0
    baseline = TOP + plot_height
    points = [
        (LEFT + index * step, baseline - max(day.held, 0) * scale) for index, day in enumerate(days)
    ]
    if len(points) == 1:
        points.append((LEFT + plot_width, points[0][1]))
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    area = f"{LEFT:.1f},{baseline:.1f} {line} {points[-1][0]:.1f},{baseline:.1f}"
    title = words.gettext(TITLE)
    money = i18n.format_money
    summary = (
        words.gettext(TODAY) % {"amount": money(today, currency, language)}
        if highest > 0
        else words.gettext(NOTHING)
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" lang="{escape(language)}" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">',
        f"<title>{escape(title)} — {escape(summary)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        _text(LEFT, 18, title, size=15),
        _text(LEFT, 38, summary, size=14),
        f'<line x1="{LEFT}" y1="{baseline:.1f}" x2="{WIDTH - RIGHT}" y2="{baseline:.1f}" '
        'stroke="#9aa5b1" stroke-width="1"/>',
        f'<polygon points="{area}" fill="#0b6e4f" fill-opacity="0.15"/>',
        f'<polyline points="{line}" fill="none" stroke="#0b6e4f" stroke-width="2.5" '
        'stroke-linejoin="round"/>',
        _text(LEFT, HEIGHT - 8, i18n.format_date(days[0].day, language), size=13),
        _text(
            WIDTH - RIGHT,
            HEIGHT - 8,
            i18n.format_date(days[-1].day, language),
            size=13,
            anchor="end",
        ),
    ]
    if highest > 0:
        parts.append(
            _text(
                WIDTH - RIGHT,
                38,
                words.gettext(HIGHEST) % {"amount": money(highest, currency, language)},
                size=12,
                anchor="end",
            )
        )
    parts.append("</svg>")
    return "\n".join(parts)
