"""What a matplotlib figure draws, for the figure tests (tests/report/test_figures.py, test_plots.py)."""

from __future__ import annotations


def drawn_texts(fig):
    """The texts a figure draws: visible, not empty, and no tick label of a tick outside its axis' view
    (matplotlib keeps those, undrawn)."""
    from matplotlib.text import Text

    undrawn = set()
    for ax in fig.axes:
        for axis, (lo, hi) in ((ax.xaxis, sorted(ax.get_xlim())), (ax.yaxis, sorted(ax.get_ylim()))):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    undrawn |= {id(tick.label1), id(tick.label2)}
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible() and id(t) not in undrawn]
