"""Data sets and data plumbing: determinism, shapes, class balance, splits, standardisation, batches."""

import math
import statistics

import pytest

from autograd_lite.training.data import (
    Standardizer,
    batches,
    blobs,
    circles,
    make_dataset,
    moons,
    num_classes,
    one_hot,
    spirals,
    train_val_test_split,
    xor,
)

GENERATORS = {
    "moons": lambda seed: moons(101, noise=0.1, seed=seed),
    "circles": lambda seed: circles(101, noise=0.05, factor=0.5, seed=seed),
    "spirals": lambda seed: spirals(20, classes=4, noise=0.2, seed=seed),
    "blobs": lambda seed: blobs(90, centers=3, std=1.0, seed=seed),
}


def test_xor_is_the_lecture_table():
    X, y = xor()
    assert X == [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    assert y == [0, 1, 1, 0]


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_same_data_other_seed_other_data(name):
    make = GENERATORS[name]
    assert make(3) == make(3)
    assert make(3)[0] != make(4)[0]


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_shapes_and_labels(name):
    X, y = GENERATORS[name](0)
    assert len(X) == len(y)
    assert all(len(row) == 2 and all(isinstance(v, float) for v in row) for row in X)
    assert all(isinstance(label, int) for label in y)
    assert set(y) == set(range(num_classes(y)))


def test_class_balance():
    assert moons(101)[1].count(0) == 50 and moons(101)[1].count(1) == 51
    assert circles(100)[1].count(1) == 50
    _, y = spirals(20, classes=4)
    assert [y.count(k) for k in range(4)] == [20, 20, 20, 20]
    _, y = blobs(90, centers=3)
    assert [y.count(k) for k in range(3)] == [30, 30, 30]


def test_data_is_shuffled():
    _, y = moons(100, seed=0)
    assert y != sorted(y)


def test_noise_free_moons_lie_on_their_half_circles():
    X, y = moons(40, noise=0.0)
    for (a, b), label in zip(X, y):
        if label == 0:  # (cos t, sin t): the upper unit half circle
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:  # (1 - cos t, 1/2 - sin t): the lower half circle around (1, 1/2)
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_noise_free_circles_have_the_two_radii():
    X, y = circles(60, noise=0.0, factor=0.3)
    radii = {
        label: sorted({round(math.hypot(*row), 9) for row, lab in zip(X, y) if lab == label})
        for label in (0, 1)
    }
    assert radii == {0: [1.0], 1: [0.3]}


def test_spiral_radius_grows_to_one():
    X, y = spirals(11, classes=2, noise=0.0)
    radii = sorted(round(math.hypot(*row), 9) for row, label in zip(X, y) if label == 1)
    assert radii == [round(i / 10, 9) for i in range(11)]


def test_blobs_sit_around_given_centres():
    centres = [[-5.0, 0.0], [5.0, 2.0]]
    X, y = blobs(400, centers=centres, std=0.5, seed=1)
    for k, centre in enumerate(centres):
        pts = [row for row, label in zip(X, y) if label == k]
        assert statistics.fmean(p[0] for p in pts) == pytest.approx(centre[0], abs=0.1)
        assert statistics.fmean(p[1] for p in pts) == pytest.approx(centre[1], abs=0.1)
        assert statistics.pstdev(p[0] for p in pts) == pytest.approx(0.5, abs=0.06)


@pytest.mark.parametrize(
    "call",
    [
        lambda: moons(0),
        lambda: moons(10, noise=-1.0),
        lambda: circles(10, factor=1.5),
        lambda: spirals(10, classes=0),
        lambda: blobs(10, centers=[]),
        lambda: make_dataset("swiss roll"),
    ],
)
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_make_dataset_by_name():
    assert make_dataset("moons", 50, seed=2) == moons(50, 0.1, seed=2)
    assert make_dataset("xor") == xor()
    assert len(make_dataset("spirals", 90)[0]) == 90


def test_split_sizes_disjoint_and_complete():
    X = [[float(i), float(-i)] for i in range(100)]
    y = [i % 2 for i in range(100)]
    (Xtr, ytr), (Xv, yv), (Xte, yte) = train_val_test_split(X, y, seed=5)
    assert (len(Xtr), len(Xv), len(Xte)) == (80, 10, 10)
    ids = [row[0] for row in Xtr + Xv + Xte]
    assert sorted(ids) == [float(i) for i in range(100)]  # disjoint and complete
    assert all(label == int(row[0]) % 2 for row, label in zip(Xtr + Xv + Xte, ytr + yv + yte))
    assert train_val_test_split(X, y, seed=5) == train_val_test_split(X, y, seed=5)
    assert train_val_test_split(X, y, seed=5)[0] != train_val_test_split(X, y, seed=6)[0]


def test_split_other_fractions_and_bad_fractions():
    X, y = moons(50)
    train, val, test = train_val_test_split(X, y, fractions=(0.6, 0.2, 0.2))
    assert (len(train[0]), len(val[0]), len(test[0])) == (30, 10, 10)
    with pytest.raises(ValueError, match="fractions"):
        train_val_test_split(X, y, fractions=(0.5, 0.2, 0.2))
    with pytest.raises(ValueError, match="rows"):
        train_val_test_split(X, y[:-1])


def test_standardizer_gives_mean_zero_std_one_on_train():
    X, _ = blobs(200, centers=[[10.0, -3.0], [14.0, 7.0]], std=2.0, seed=3)
    s = Standardizer().fit(X)
    Z = s.transform(X)
    for j in range(2):
        col = [row[j] for row in Z]
        assert statistics.fmean(col) == pytest.approx(0.0, abs=1e-12)
        assert statistics.pstdev(col) == pytest.approx(1.0, abs=1e-12)
    back = s.inverse_transform(Z)
    assert all(a == pytest.approx(b) for ra, rb in zip(back, X) for a, b in zip(ra, rb))


def test_standardizer_uses_training_statistics_for_other_data():
    s = Standardizer().fit([[0.0], [2.0], [4.0]])  # mean 2, population std sqrt(8/3)
    assert s.transform([[6.0]])[0][0] == pytest.approx(4.0 / math.sqrt(8.0 / 3.0))
    s = Standardizer().fit([[5.0, 1.0], [5.0, 3.0]])  # constant column keeps std 1
    assert s.std == [1.0, 1.0] and s.transform([[6.0, 2.0]]) == [[1.0, 0.0]]
    with pytest.raises(ValueError, match="fit"):
        Standardizer().transform([[1.0]])
    with pytest.raises(ValueError, match="features"):
        s.transform([[1.0, 2.0, 3.0]])


def test_one_hot():
    assert one_hot([1, 0], 3) == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    with pytest.raises(ValueError, match="one_hot: every label must be an integer from 0 to 2, got 3"):
        one_hot([3], 3)


@pytest.mark.parametrize("batch_size, sizes", [(1, [1] * 7), (3, [3, 3, 1]), (None, [7]), (100, [7])])
def test_batches_cover_every_row_once(batch_size, sizes):
    X = [[float(i)] for i in range(7)]
    y = list(range(7))
    got = list(batches(X, y, batch_size=batch_size, seed=2))
    assert [len(yb) for _, yb in got] == sizes
    seen = [label for _, yb in got for label in yb]
    assert sorted(seen) == y
    assert all(row[0] == label for Xb, yb in got for row, label in zip(Xb, yb))


def test_batches_shuffle_is_seeded():
    X = [[float(i)] for i in range(50)]
    y = list(range(50))
    order = lambda seed: [label for _, yb in batches(X, y, 10, seed=seed) for label in yb]
    assert order(1) == order(1)
    assert order(1) != order(2)
    assert [label for _, yb in batches(X, y, 10, shuffle=False) for label in yb] == y
    with pytest.raises(ValueError, match="batch_size"):
        list(batches(X, y, 0))
