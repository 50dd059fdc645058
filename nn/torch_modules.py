"""PyTorch modules for what torch.nn lacks: stepgrad's step activation. Imports torch."""

from __future__ import annotations

import torch

__all__ = ["Step"]


class _StepFunction(torch.autograd.Function):
    """(x ≥ 0) as x's dtype, with a zero gradient (not none) flowing back."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:  # noqa: ANN001 - torch's signature
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:  # noqa: ANN001
        return torch.zeros_like(grad)


class Step(torch.nn.Module):
    """1 where x ≥ 0, else 0, with gradient 0 everywhere (the logic-gate neuron's threshold).

    The gradient is zeros rather than none, so layers before a step get ``.grad`` 0 as
    in stepgrad instead of ``None``.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The threshold of ``x``, element-wise."""
        return _StepFunction.apply(x)
