"""The three MTCNN networks (Zhang et al. 2016) as torch modules.

Layer names match facenet-pytorch's state dicts (pnet.pt, rnet.pt, onet.pt), so those load with
``load_state_dict(strict=True)``. Inputs are NCHW RGB images scaled as (x - 127.5) / 128 in the
ordinary (not transposed) axis order: the converted weights expect the dense layers to see the
last feature map flattened in (width, height, channel) order, which ``_Trunk.flatten`` does.
Outputs: face probability (softmax, column 1 is "face"), box regression (dx1, dy1, dx2, dy2 as
fractions of the box size) and, for O-Net, 5 landmarks as fractions (x1..x5, y1..y5).

Importing this module imports torch; ``core.mtcnn`` imports it only when building a detector.
"""

from __future__ import annotations

import torch
from torch import nn

# (in channels, out channels, kernel, max-pool (kernel, stride) or None) per conv + PReLU stage
Stages = list[tuple[int, int, int, tuple[int, int] | None]]
PNET_STAGES: Stages = [(3, 10, 3, (2, 2)), (10, 16, 3, None), (16, 32, 3, None)]
RNET_STAGES: Stages = [(3, 28, 3, (3, 2)), (28, 48, 3, (3, 2)), (48, 64, 2, None)]
ONET_STAGES: Stages = [(3, 32, 3, (3, 2)), (32, 64, 3, (3, 2)), (64, 64, 3, (2, 2)), (64, 128, 2, None)]


class _Trunk(nn.Module):
    """Numbered conv / PReLU / max-pool stages registered as conv1, prelu1, pool1, ..."""

    def __init__(self, stages: Stages) -> None:
        super().__init__()
        self._stages: list[list[nn.Module]] = []
        for number, (cin, cout, kernel, pool) in enumerate(stages, start=1):
            layers: list[nn.Module] = [nn.Conv2d(cin, cout, kernel_size=kernel), nn.PReLU(cout)]
            if pool is not None:
                layers.append(nn.MaxPool2d(pool[0], pool[1], ceil_mode=True))
            for kind, layer in zip(("conv", "prelu", "pool"), layers, strict=False):
                self.add_module(f"{kind}{number}", layer)
            self._stages.append(layers)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        for layers in self._stages:
            for layer in layers:
                x = layer(x)
        return x

    @staticmethod
    def flatten(x: torch.Tensor) -> torch.Tensor:
        """Flatten in (width, height, channel) order, as the converted dense weights expect."""
        return x.permute(0, 3, 2, 1).reshape(x.shape[0], -1)


class PNet(_Trunk):
    """Proposal network: fully convolutional, one 12x12 window per output cell (stride 2)."""

    def __init__(self) -> None:
        super().__init__(PNET_STAGES)
        self.conv4_1 = nn.Conv2d(32, 2, kernel_size=1)
        self.conv4_2 = nn.Conv2d(32, 4, kernel_size=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """N x 3 x H x W -> (probabilities N x 2 x h x w, regression N x 4 x h x w)."""
        x = self.features(x)
        return torch.softmax(self.conv4_1(x), dim=1), self.conv4_2(x)


class RNet(_Trunk):
    """Refinement network on 24 x 24 crops."""

    def __init__(self) -> None:
        super().__init__(RNET_STAGES)
        self.dense4 = nn.Linear(576, 128)
        self.prelu4 = nn.PReLU(128)
        self.dense5_1 = nn.Linear(128, 2)
        self.dense5_2 = nn.Linear(128, 4)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """N x 3 x 24 x 24 -> (probabilities N x 2, regression N x 4)."""
        x = self.prelu4(self.dense4(self.flatten(self.features(x))))
        return torch.softmax(self.dense5_1(x), dim=1), self.dense5_2(x)


class ONet(_Trunk):
    """Output network on 48 x 48 crops; also predicts the 5 landmarks."""

    def __init__(self) -> None:
        super().__init__(ONET_STAGES)
        self.dense5 = nn.Linear(1152, 256)
        self.prelu5 = nn.PReLU(256)
        self.dense6_1 = nn.Linear(256, 2)
        self.dense6_2 = nn.Linear(256, 4)
        self.dense6_3 = nn.Linear(256, 10)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """N x 3 x 48 x 48 -> (probabilities N x 2, regression N x 4, landmarks N x 10)."""
        x = self.prelu5(self.dense5(self.flatten(self.features(x))))
        return torch.softmax(self.dense6_1(x), dim=1), self.dense6_2(x), self.dense6_3(x)
