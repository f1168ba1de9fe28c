"""Chart of `convgen bench --format json`: per network and thread count, the total conv time of
each schedule next to oneDNN's. usage: plot.py REPORT.json OUT.png"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(report_path, png_path):
    with open(report_path) as f:
        totals = json.load(f)["totals"]
    nets = sorted({t["net"] for t in totals})
    threads = sorted({t["threads"] for t in totals})
    schedules = sorted({t["schedule"] for t in totals}, key=lambda s: (s.startswith("onednn"), s))
    fig, axes = plt.subplots(len(threads), len(nets), figsize=(4.2 * len(nets), 3.6 * len(threads)), squeeze=False)
    for row, thread_count in enumerate(threads):
        for col, net in enumerate(nets):
            ax = axes[row][col]
            values = {t["schedule"]: t["ms"] for t in totals if t["net"] == net and t["threads"] == thread_count}
            names = [s for s in schedules if s in values]
            colors = ["tab:gray" if s.startswith("onednn") else "tab:green" if s.startswith("best") else "tab:blue"
                      for s in names]
            ax.barh(names, [values[s] for s in names], color=colors)
            ax.set_title(f"{net}, {thread_count} thread(s)")
            ax.set_xlabel("total conv time, ms (lower is better)")
            ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
