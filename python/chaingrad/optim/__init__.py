"""``chaingrad.optim``: optimizers with torch's update rules and state, plus lr schedulers."""

from __future__ import annotations

from .. import _missing
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adam_variants import Adamax, NAdam, RAdam
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Optimizer",
           "lr_scheduler", "NAdam", "RAdam", "Adamax", "Rprop", "ASGD",
           "LBFGS"]
__getattr__ = _missing.module_getattr("torch.optim", __name__)
