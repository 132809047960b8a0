"""Byte and MAC accounting against hand-computed values."""

import torch

from eval_fednas.accounting import Ledger, payload_bytes
from eval_fednas.clock import Tier, WallClock
from eval_fednas.engines import make_engine
from eval_fednas.models import PrunableCNN, init_model, macs_per_sample
from eval_fednas.strategy import FedAvg, FederatedRun, TrainConfig, weighted_average

ARCH = PrunableCNN.default_arch((1, 8, 8), 10, (16, 32, 32, 64))
# conv0 16*1*9*64 + conv1 32*16*9*64 + conv2 32*32*9*16 + fc0 64*(32*2*2) + fc1 10*64
HAND_MACS = 9216 + 294912 + 147456 + 8192 + 640
# weights + biases of the same five layers, float32
HAND_PARAMS = (16 * 9 + 16) + (32 * 16 * 9 + 32) + (32 * 32 * 9 + 32) + (64 * 128 + 64) + (10 * 64 + 10)


def test_macs_counted_match_hand_computation():
    assert macs_per_sample(ARCH) == HAND_MACS == 460416


def test_payload_bytes():
    assert payload_bytes({"a": torch.zeros(3, 4), "b": torch.zeros(5, dtype=torch.float64)}) == 48 + 40
    assert payload_bytes(scalars=2) == 16
    p, _ = init_model(ARCH, 0)
    assert payload_bytes(p) == 4 * HAND_PARAMS == 91816


def test_fedavg_round_accounting(digits_clients):
    _, clients = digits_clients
    p, b = init_model(ARCH, 0)
    run = FederatedRun(make_engine("builtin", clients), FedAvg(1.0, TrainConfig(epochs=2, batch_size=16)),
                       Ledger(len(clients)), seed=0)
    run.run(ARCH, p, b, rounds=1)
    for c in clients:
        assert run.ledger.downlink[c.cid] == 4 * HAND_PARAMS
        assert run.ledger.uplink[c.cid] == 4 * HAND_PARAMS + 8 * 3  # weights + acc, test count, train count
        assert run.ledger.train_macs[c.cid] == HAND_MACS * c.n_train * 2  # MACs x samples x epochs
        assert run.ledger.eval_macs[c.cid] == HAND_MACS * len(c.y_val)


def test_weighted_average():
    out = weighted_average([({"w": torch.tensor([1.0])}, 1), ({"w": torch.tensor([4.0])}, 3)])
    assert torch.allclose(out["w"], torch.tensor([3.25]))


def test_wall_clock_takes_slowest():
    clock = WallClock((Tier("fast", 10.0, 1.0), Tier("slow", 1.0, 1.0)))
    assert clock.round([(0, 100.0, 0.0), (1, 20.0, 5.0)]) == 25.0
    assert clock.elapsed == 25.0
