"""Offline datasets and client partitions (IID, Dirichlet, unbalanced sizes).

Only bundled or locally generated data are used: scikit-learn's ``load_digits``,
``mnist1d`` generated with ``make_dataset`` (never its downloader) and a
CIFAR-10-sized synthetic image task for ``--scale paper``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from pipeline.errors import UnknownNameError

DATASETS = ("digits", "mnist1d", "synthetic-cifar10")


def synthetic_cifar10(n: int = 60000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A CIFAR-10-sized task generated offline: 10 classes of 3x32x32 images, 60,000 samples.

    Each class is a smooth random colour template (low-frequency Fourier
    components); a sample is its class template, shifted by up to 4 pixels, with
    a random contrast and pixel noise, so that a CNN needs convolutions (shift)
    and several epochs to separate the classes. For ``--scale paper`` runs on a
    GPU: the paper's data (CelebA, ImageNet) cannot be downloaded here.
    """
    rng = np.random.default_rng(seed)
    freq = np.fft.fftfreq(40)[:, None] ** 2 + np.fft.fftfreq(40)[None, :] ** 2
    lowpass = (freq < 0.01).astype(np.float32)
    templates = np.stack([np.real(np.fft.ifft2(np.fft.fft2(rng.normal(size=(3, 40, 40))) * lowpass))
                          for _ in range(10)]).astype(np.float32)
    templates /= templates.std(axis=(1, 2, 3), keepdims=True)
    y = rng.integers(0, 10, n)
    dx, dy = rng.integers(0, 9, n), rng.integers(0, 9, n)
    x = np.empty((n, 3, 32, 32), np.float32)
    for i in range(n):
        x[i] = templates[y[i], :, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
    x *= rng.uniform(0.5, 1.5, (n, 1, 1, 1)).astype(np.float32)
    x += rng.normal(0, 1.0, x.shape).astype(np.float32)
    return x, y.astype(np.int64)


@dataclass
class Dataset:
    """Pooled data: ``x`` of shape (n, C, *spatial), integer labels ``y``."""

    name: str
    x: torch.Tensor
    y: torch.Tensor
    num_classes: int

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x.shape[1:])


@lru_cache(maxsize=4)
def _load(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "digits":
        from sklearn.datasets import load_digits

        d = load_digits()
        x = (d.images / 16.0).astype(np.float32)[:, None, :, :]
        return x, d.target.astype(np.int64)
    if name == "mnist1d":
        from mnist1d.data import get_dataset_args, make_dataset

        d = make_dataset(get_dataset_args())  # generated offline, deterministic
        x = np.concatenate([d["x"], d["x_test"]]).astype(np.float32)
        y = np.concatenate([d["y"], d["y_test"]]).astype(np.int64)
        x = (x - x.mean()) / x.std()
        return x[:, None, :], y
    if name == "synthetic-cifar10":
        return synthetic_cifar10()
    raise UnknownNameError(f"unknown dataset {name!r}", hint="known: " + ", ".join(DATASETS))


def load_dataset(name: str, max_samples: int | None = None) -> Dataset:
    """The pooled dataset ``name``, optionally truncated (deterministically)."""
    x, y = _load(name)
    if max_samples is not None:
        x, y = x[:max_samples], y[:max_samples]
    return Dataset(name, torch.from_numpy(x.copy()), torch.from_numpy(y.copy()), int(y.max()) + 1)


@dataclass
class ClientData:
    """One client's local data, already split train / validation / test (6:2:2)."""

    cid: int
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    tier: int = 0

    @property
    def n_train(self) -> int:
        return int(self.y_train.numel())

    def to(self, device: str) -> ClientData:
        """A copy with every split on ``device`` (engines keep data there for the whole run)."""
        t = {k: getattr(self, k).to(device) for k in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")}
        return ClientData(self.cid, tier=self.tier, **t)

    def label_distribution(self, num_classes: int) -> np.ndarray:
        """Normalised label counts of all local data (what FedNAS uploads)."""
        y = torch.cat([self.y_train, self.y_val, self.y_test]).cpu().numpy()
        counts = np.bincount(y, minlength=num_classes).astype(float)
        return counts / max(counts.sum(), 1.0)

    @property
    def n_total(self) -> int:
        return int(self.y_train.numel() + self.y_val.numel() + self.y_test.numel())


def iid_partition(y: np.ndarray, n_clients: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Equal-sized random shards."""
    return [np.sort(p) for p in np.array_split(rng.permutation(len(y)), n_clients)]


def dirichlet_partition(y: np.ndarray, n_clients: int, alpha: float, rng: np.random.Generator,
                        min_size: int = 10) -> list[np.ndarray]:
    """Label skew: each class is split over clients by Dirichlet(alpha) proportions.

    Resamples until every client holds at least ``min_size`` samples, as is
    usual (Hsu et al. 2019), so every client can split 6:2:2.
    """
    classes = np.unique(y)
    for _ in range(1000):
        parts: list[list[int]] = [[] for _ in range(n_clients)]
        for c in classes:
            idx = rng.permutation(np.flatnonzero(y == c))
            props = rng.dirichlet(np.full(n_clients, alpha))
            cuts = (np.cumsum(props) * len(idx)).astype(int)[:-1]
            for k, chunk in enumerate(np.split(idx, cuts)):
                parts[k].extend(chunk.tolist())
        if min(len(p) for p in parts) >= min_size:
            return [np.sort(np.array(p, dtype=int)) for p in parts]
    raise ValueError(f"cannot give {n_clients} clients >= {min_size} samples at alpha={alpha}")


def unbalanced_partition(y: np.ndarray, n_clients: int, rng: np.random.Generator,
                         sigma: float = 1.0, min_size: int = 10) -> list[np.ndarray]:
    """IID labels but log-normal client sizes (unbalanced quantity skew)."""
    w = rng.lognormal(0.0, sigma, n_clients)
    sizes = np.maximum(min_size, (w / w.sum() * (len(y) - min_size * n_clients)).astype(int) + min_size)
    while sizes.sum() > len(y):
        sizes[np.argmax(sizes)] -= sizes.sum() - len(y)
    perm = rng.permutation(len(y))
    return [np.sort(p) for p in np.split(perm, np.cumsum(sizes)[:-1])[:n_clients]]


PARTITIONS = ("iid", "dirichlet", "unbalanced")


def partition(y: np.ndarray, n_clients: int, scheme: str, rng: np.random.Generator,
              alpha: float = 0.5) -> list[np.ndarray]:
    """Index sets per client for ``scheme`` in ``PARTITIONS``."""
    if scheme == "iid":
        return iid_partition(y, n_clients, rng)
    if scheme == "dirichlet":
        return dirichlet_partition(y, n_clients, alpha, rng)
    if scheme == "unbalanced":
        return unbalanced_partition(y, n_clients, rng)
    raise UnknownNameError(f"unknown partition {scheme!r}", hint="known: " + ", ".join(PARTITIONS))


def split_622(idx: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split one client's indices 6:2:2 (train / validation / test)."""
    idx = rng.permutation(idx)
    n_val = max(1, int(round(0.2 * len(idx))))
    n_test = max(1, int(round(0.2 * len(idx))))
    n_train = len(idx) - n_val - n_test
    return idx[:n_train], idx[n_train:n_train + n_val], idx[n_train + n_val:]


def make_clients(ds: Dataset, n_clients: int, scheme: str, seed: int, alpha: float = 0.5,
                 n_tiers: int = 1) -> list[ClientData]:
    """Partition ``ds`` over clients and split each client's data 6:2:2."""
    rng = np.random.default_rng(seed)
    parts = partition(ds.y.numpy(), n_clients, scheme, rng, alpha=alpha)
    clients = []
    for cid, idx in enumerate(parts):
        tr, va, te = (torch.from_numpy(a) for a in split_622(idx, rng))
        clients.append(ClientData(cid, ds.x[tr], ds.y[tr], ds.x[va], ds.y[va], ds.x[te], ds.y[te],
                                  tier=cid % n_tiers))
    return clients


def pooled(clients: list[ClientData]) -> ClientData:
    """All clients' data merged into one (the centralised reference)."""
    cat = torch.cat
    return ClientData(-1, cat([c.x_train for c in clients]), cat([c.y_train for c in clients]),
                      cat([c.x_val for c in clients]), cat([c.y_val for c in clients]),
                      cat([c.x_test for c in clients]), cat([c.y_test for c in clients]))
