#!/usr/bin/env python3
"""Plots Scripts/bench_peers.py's --json-out records: throughput against accuracy, as a hand-written SVG.

Usage: python3 Scripts/plot_bench.py FILE.json OUT.svg [--floor 1e-10] [--title TEXT]

  .venv/bin/python Scripts/bench_peers.py --model ~/.cache/bert-embed/all-MiniLM-L6-v2 \\
      --bin fp32=.build/release/bert-embed@float32 bf16=.build/release/bert-embed@bfloat16 \\
      --peers st st-bf16 ort ort-int8 --threads 1 2 --json-out bench.json
  python3 Scripts/plot_bench.py bench.json bench.svg

One point per record (pipeline and thread count): y is tokens/s (linear, from 0), x the min cosine of the pipeline's
embeddings against sentence-transformers fp32, on a log scale of 1 - cosine so that 0.85 and 0.9999999 are both
readable (each decade is one grid step: 0.9, 0.99, 0.999, ...; further right is closer to the reference). Cosines
closer to 1 than 1 - FLOOR (fp32 pipelines differ from the reference by rounding only, about 1e-13, and the reference
itself is exactly 1) are drawn at the right edge, labelled "1 - FLOOR or closer". Points are labelled with their
pipeline's label and thread count; a pipeline's colour is the same at every thread count, its points joined by a thin
line, and the marker's shape tells the thread count.

Only the Python standard library is needed (no matplotlib).
"""
import argparse
import html
import json
import math
import os
import sys

WIDTH_PER_DECADE = 78
PLOT_HEIGHT = 460
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 84, 40, 70, 64
FONT = "font-family=\"Helvetica, Arial, sans-serif\""
CHAR_WIDTH = 6.1  # estimated width of one character at font-size 11, for placing labels
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
           "#bcbd22"]


def nice_step(span, target=6):
    raw = span / target
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def cosine_tick_label(decade, floor_decade):
    """The cosine 1 - 10^-decade: 0.9, 0.99, ... up to seven nines, then 1 - 1e-N."""
    if decade == 0:
        return "0"
    if decade >= floor_decade:
        return f"\u2265 1\u22121e-{decade}"
    if decade <= 7:
        return "0." + "9" * decade
    return f"1\u22121e-{decade}"


def marker(shape, x, y, colour):
    r = 5
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>'
    if shape == 1:
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" fill="{colour}"/>'
    if shape == 2:
        pts = [(x, y - r - 1), (x - r - 1, y + r), (x + r + 1, y + r)]
    elif shape == 3:
        pts = [(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)]
    else:
        pts = [(x, y + r + 1), (x - r - 1, y - r), (x + r + 1, y - r)]
    return (f'<polygon points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in pts)}" fill="{colour}" '
            f'stroke="white" stroke-width="0.5"/>')


def overlaps(box, boxes):
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in boxes)


def place_label(text, px, py, taken, bounds):
    """A position (x, y, anchor) for the label of the point at (px, py) whose box overlaps no box in taken and
    stays inside bounds; tries right, left, above, below, then further up and down. Appends the box to taken."""
    width, height = CHAR_WIDTH * len(text), 12
    candidates = []
    for dy in (0, -13, 13, -26, 26, -39, 39, -52, 52):
        candidates.append((px + 8, py + 4 + dy, "start"))
        candidates.append((px - 8, py + 4 + dy, "end"))
    candidates[2:2] = [(px, py - 10, "middle"), (px, py + 18, "middle")]

    def box(x, y, anchor):
        x0 = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
        return (x0, y - height + 2, x0 + width, y + 3)
    for x, y, anchor in candidates:
        b = box(x, y, anchor)
        if bounds[0] <= b[0] and b[2] <= bounds[2] and bounds[1] <= b[1] and b[3] <= bounds[3] and \
                not overlaps(b, taken):
            taken.append(b)
            return x, y, anchor
    x, y, anchor = candidates[0]
    taken.append(box(x, y, anchor))
    return x, y, anchor


def plot(records, floor, title):
    floor_decade = round(-math.log10(floor))
    points = []
    for r in records:
        if r.get("tokens_per_s") is None or r.get("min_cosine") is None:
            print(f"skipping a record without tokens_per_s or min_cosine: {r.get('label')}", file=sys.stderr)
            continue
        gap = max(1.0 - r["min_cosine"], floor)
        points.append({**r, "u": min(-math.log10(gap), floor_decade)})
    if not points:
        sys.exit("no records to plot")

    u_lo = max(0, math.floor(min(p["u"] for p in points) - 0.3))
    u_hi = floor_decade + 0.4  # room for the points at the floor
    plot_width = max(6, u_hi - u_lo) * WIDTH_PER_DECADE
    width = MARGIN_LEFT + plot_width + MARGIN_RIGHT
    height = MARGIN_TOP + PLOT_HEIGHT + MARGIN_BOTTOM
    y_max_data = max(p["tokens_per_s"] for p in points)
    step = nice_step(y_max_data * 1.08)
    y_top = step * math.ceil(y_max_data * 1.08 / step)

    def sx(u):
        return MARGIN_LEFT + (u - u_lo) / (u_hi - u_lo) * plot_width

    def sy(v):
        return MARGIN_TOP + PLOT_HEIGHT - v / y_top * PLOT_HEIGHT

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}" '
           f'viewBox="0 0 {width:.0f} {height}">',
           f'<rect width="{width:.0f}" height="{height}" fill="white"/>']
    # Title and subtitle.
    out.append(f'<text x="{MARGIN_LEFT}" y="24" {FONT} font-size="15" font-weight="bold">{html.escape(title)}</text>')
    facts = []
    for key in ("cpu", "date"):
        values = sorted({str(p[key]) for p in points if p.get(key)})
        if values:
            facts.append(", ".join(values))
    texts = sorted({(p.get("texts"), p.get("tokens"), p.get("batch_size")) for p in points})
    if len(texts) == 1 and texts[0][0]:
        facts.append(f"{texts[0][0]} texts, {texts[0][1]:,} tokens, batches of {texts[0][2]}")
    out.append(f'<text x="{MARGIN_LEFT}" y="42" {FONT} font-size="11" fill="#555">{html.escape("; ".join(facts))}'
               '</text>')

    # Grid, ticks and axis titles.
    x0, x1, y0, y1 = MARGIN_LEFT, MARGIN_LEFT + plot_width, MARGIN_TOP, MARGIN_TOP + PLOT_HEIGHT
    v = 0.0
    while v <= y_top + step / 2:
        y = sy(v)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" {FONT} font-size="11" text-anchor="end">{v:,.0f}</text>')
        v += step
    for decade in range(u_lo, floor_decade + 1):
        x = sx(decade)
        out.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y1}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{x:.1f}" y="{y1 + 16}" {FONT} font-size="11" text-anchor="middle">'
                   f'{html.escape(cosine_tick_label(decade, floor_decade))}</text>')
    out.append(f'<rect x="{x0}" y="{y0}" width="{plot_width}" height="{PLOT_HEIGHT}" fill="none" stroke="#333"/>')
    out.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{y1 + 40}" {FONT} font-size="12" text-anchor="middle">min cosine '
               'against sentence-transformers fp32 (log scale of 1 \u2212 cosine; right: closer)</text>')
    out.append(f'<text transform="translate(20 {(y0 + y1) / 2:.1f}) rotate(-90)" {FONT} font-size="12" '
               'text-anchor="middle">tokens/s (median over rounds)</text>')

    # Points: colour per pipeline label, shape per thread count, a thin line joining a pipeline's points.
    labels = list(dict.fromkeys(p["label"] for p in points))
    colour = {label: COLOURS[i % len(COLOURS)] for i, label in enumerate(labels)}
    threads = sorted({p["threads"] for p in points})
    shape = {t: i for i, t in enumerate(threads)}
    for label in labels:
        mine = sorted((p for p in points if p["label"] == label), key=lambda p: p["threads"])
        if len(mine) > 1:
            path = " ".join(f"{sx(p['u']):.1f},{sy(p['tokens_per_s']):.1f}" for p in mine)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour[label]}" stroke-opacity="0.4"/>')
    taken = [(sx(p["u"]) - 6, sy(p["tokens_per_s"]) - 6, sx(p["u"]) + 6, sy(p["tokens_per_s"]) + 6)
             for p in points]
    bounds = (x0 + 2, y0 + 2, x1 - 2, y1 - 2)
    for p in sorted(points, key=lambda p: -p["tokens_per_s"]):
        px, py = sx(p["u"]), sy(p["tokens_per_s"])
        tip = (f"{p['label']}, {p['threads']} thread(s): {p['tokens_per_s']:,.0f} tokens/s, min cosine "
               f"{p['min_cosine']:.10f}" + (f", mean {p['mean_cosine']:.10f}" if p.get("mean_cosine") else ""))
        out.append(f'<g><title>{html.escape(tip)}</title>{marker(shape[p["threads"]], px, py, colour[p["label"]])}</g>')
        text = f"{p['label']} \u00b7 {p['threads']}t"
        lx, ly, anchor = place_label(text, px, py, taken, bounds)
        if abs(ly - 4 - py) > 1 and anchor != "middle":
            out.append(f'<line x1="{px:.1f}" y1="{py:.1f}" x2="{lx:.1f}" y2="{ly - 4:.1f}" '
                       f'stroke="{colour[p["label"]]}" stroke-opacity="0.5" stroke-width="0.8"/>')
        out.append(f'<text x="{lx:.1f}" y="{ly:.1f}" {FONT} font-size="11" text-anchor="{anchor}" '
                   f'fill="{colour[p["label"]]}">{html.escape(text)}</text>')

    # Legend for the marker shapes, right-aligned above the plot.
    items = [(t, f"{t} thread{'s' if t != 1 else ''}") for t in threads]
    item_widths = [18 + CHAR_WIDTH * len(text) + 14 for _, text in items]
    mx = x1 - sum(item_widths)
    out.append(f'<text x="{mx - 6:.1f}" y="{y0 - 10}" {FONT} font-size="11" text-anchor="end">markers:</text>')
    for (t, text), item_width in zip(items, item_widths):
        out.append(marker(shape[t], mx + 6, y0 - 14, "#555"))
        out.append(f'<text x="{mx + 16:.1f}" y="{y0 - 10}" {FONT} font-size="11">{text}</text>')
        mx += item_width
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json_file", metavar="FILE.json")
    parser.add_argument("svg_file", metavar="OUT.svg")
    parser.add_argument("--floor", type=float, default=1e-10,
                        help="1 - cosine below this is drawn at the right edge (default 1e-10)")
    parser.add_argument("--title", help="default: tokens/s against accuracy, MODEL")
    args = parser.parse_args()
    if not 0 < args.floor < 1:
        parser.error("--floor must be between 0 and 1")
    with open(args.json_file) as f:
        records = json.load(f)
    if not isinstance(records, list):
        sys.exit(f"{args.json_file}: expected a JSON list of records (bench_peers.py --json-out)")
    models = sorted({os.path.basename(os.path.normpath(r["model"])) for r in records if r.get("model")})
    title = args.title or "tokens/s against accuracy" + (f", {', '.join(models)}" if models else "")
    with open(args.svg_file, "w", encoding="utf-8") as f:
        f.write(plot(records, args.floor, title))


if __name__ == "__main__":
    main()
