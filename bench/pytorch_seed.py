"""PyTorch's time per epoch for gridsweep's networks: the yardstick for the
wasm backend (`npm run bench` runs this when python3 has torch).

The same networks as src/model/architectures.ts, the same work as
src/bench/train-speed.ts: random uint8 images scaled to [0, 1] per batch,
a seeded shuffle per epoch, batch 32, RMSprop (Keras' rho 0.9 and epsilon
1e-7), categorical cross-entropy, on ONE thread, since gridsweep trains
one trial per core. Prints one JSON object.

    python3 bench/pytorch_seed.py --architecture seed --size 32 --filters 16
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


def seed_net(size, filters, classes):
    side = size
    for _ in range(3):
        side = (side - 2) // 2
    return nn.Sequential(
        nn.Conv2d(3, filters, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(filters, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * side * side, 64), nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(64, classes),
    )


def cifar10_net(size, filters, classes):
    side = ((size - 2) // 2 - 2) // 2
    return nn.Sequential(
        nn.Conv2d(3, filters, 3, padding=1), nn.ReLU(),
        nn.Conv2d(filters, filters, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Conv2d(filters, 2 * filters, 3, padding=1), nn.ReLU(),
        nn.Conv2d(2 * filters, 2 * filters, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(2 * filters * side * side, 512), nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(512, classes),
    )


NETWORKS = {'seed': seed_net, 'cifar10': cifar10_net}


def train_epoch(model, optimizer, loss_fn, pixels, labels, batch, generator):
    order = torch.randperm(len(labels), generator=generator)
    for start in range(0, len(labels), batch):
        rows = order[start:start + batch]
        x = pixels[rows].float().div_(255)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), labels[rows])
        loss.backward()
        optimizer.step()
        # gridsweep reads every batch's loss back to stop on divergence.
        loss.item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--architecture', choices=NETWORKS, default='seed')
    parser.add_argument('--size', type=int, default=32)
    parser.add_argument('--filters', type=int, default=16)
    parser.add_argument('--images', type=int, default=256)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--classes', type=int, default=10)
    parser.add_argument('--epochs', type=int, default=3,
                        help='timed epochs, after one warm-up epoch')
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(1)
    generator = torch.Generator().manual_seed(1)
    pixels = torch.randint(0, 256, (args.images, 3, args.size, args.size),
                           dtype=torch.uint8, generator=generator)
    labels = torch.randint(0, args.classes, (args.images,),
                           generator=generator)
    model = NETWORKS[args.architecture](args.size, args.filters, args.classes)
    model.train()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9,
                                    eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    seconds = []
    for _ in range(args.epochs + 1):
        started = time.perf_counter()
        train_epoch(model, optimizer, loss_fn, pixels, labels,
                    args.batch_size, generator)
        seconds.append(time.perf_counter() - started)

    print(json.dumps({
        'secondsPerEpoch': statistics.median(seconds[1:]),
        'warmupSeconds': seconds[0],
        'epochSeconds': seconds[1:],
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
    }))


if __name__ == '__main__':
    main()
