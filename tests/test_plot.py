"""Plots: PNG files are written, and the figures hold the expected axes, lines and points."""

import sys

import pytest

from autograd_lite.nn import MLP
from autograd_lite.training import History, fit
from autograd_lite.training.data import blobs, moons, xor
from autograd_lite.training.plot import plot_decision_boundary, plot_history

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def trained():
    X, y = moons(40, seed=1)
    model = MLP(2, [6, 1], seed=0)
    history = fit(
        model, X, y, loss="hinge", optimizer="adam", lr=0.05, epochs=5, val=(X[:10], y[:10]), progress=False
    )
    return model, history, X, y


def scatter_sizes(ax):
    return sorted(len(c.get_offsets()) for c in ax.collections if type(c).__name__ == "PathCollection")


def test_plot_history_two_panels_two_lines_each(trained, tmp_path):
    _, history, _, _ = trained
    path = tmp_path / "sub" / "loss.png"
    fig = plot_history(history, path)
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    assert list(loss_ax.lines[0].get_ydata()) == history.train_loss
    assert list(acc_ax.lines[1].get_ydata()) == history.val_acc
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["train loss", "validation loss"]


def test_plot_history_without_validation_and_into_given_axes():
    history = History(
        loss="mse", epoch=[1, 2, 3], train_loss=[3.0, 2.0, 1.0], train_acc=[None] * 3, lr=[0.1] * 3
    )
    fig = plot_history(history)
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1  # regression: no accuracy panel
    from matplotlib.figure import Figure

    other = Figure()
    ax = other.add_subplot()
    assert plot_history(history, ax=ax) is other
    assert len(ax.lines) == 1


def test_decision_boundary_binary(trained, tmp_path):
    model, _, X, y = trained
    path = tmp_path / "boundary.png"
    fig = plot_decision_boundary(model, X, y, path, resolution=20)
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    (ax,) = fig.axes
    assert scatter_sizes(ax) == sorted([y.count(0), y.count(1)])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_decision_boundary_regions_follow_the_model():
    X, y = blobs(30, centers=[[-2.0, 0.0], [2.0, 0.0], [0.0, 3.0]], std=0.3, seed=0)
    model = MLP(2, [3], seed=0)
    for p, v in zip(model.parameters(), [1, 0, 0, -1, 0, 0, 0, 0, 0.5], strict=True):
        p.data = float(v)  # outputs x1, -x1, 0.5: class 0 where x1 > 0.5, class 1 where x1 < -0.5, else 2
    fig = plot_decision_boundary(model, X, y, resolution=11)
    ax = fig.axes[0]
    assert scatter_sizes(ax) == [10, 10, 10]
    filled = ax.collections[0]
    assert sum(len(p.vertices) > 0 for p in filled.get_paths()) == 3  # one filled region per class


def test_decision_boundary_with_transform_sees_transformed_points():
    X, y = xor()
    seen = []

    def transform(points):
        seen.extend(points)
        return [[a - 10.0, b] for a, b in points]

    plot_decision_boundary(MLP(2, [1], seed=0), X, y, transform=transform, resolution=5)
    assert len(seen) == 25
    assert min(p[0] for p in seen) == pytest.approx(-0.1) and max(p[0] for p in seen) == pytest.approx(1.1)


def test_decision_boundary_bad_input():
    with pytest.raises(ValueError, match="2 features"):
        plot_decision_boundary(MLP(3, [1], seed=0), [[0.0, 1.0, 2.0]], [0])
    with pytest.raises(ValueError, match="resolution"):
        plot_decision_boundary(MLP(2, [1]), [[0.0, 1.0]], [0], resolution=1)


def test_plotting_never_opens_pyplot_figures(trained):
    model, history, X, y = trained
    plot_history(history)
    plot_decision_boundary(model, X, y, resolution=5)
    if "matplotlib.pyplot" in sys.modules:  # another test imported pyplot: no figure may be left open
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []
