"""``chaingrad.nn.functional``: the stateless forms of the layers, activations and losses."""

from __future__ import annotations

from ... import _missing
from .activation import (
    celu,
    elu,
    gelu,
    hardtanh,
    leaky_relu,
    log_softmax,
    logsigmoid,
    mish,
    prelu,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    tanh,
)
from .activation_more import (
    celu_,
    elu_,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh_,
    leaky_relu_,
    relu_,
    rrelu,
    rrelu_,
    selu_,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
    threshold_,
)
from .adaptive_max import (
    adaptive_max_pool1d,
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d,
    adaptive_max_pool2d_with_indices,
)
from .attention import multi_head_attention_forward, scaled_dot_product_attention
from .conv import conv1d, conv2d
from .conv_transpose import conv_transpose1d, conv_transpose2d
from .distance import cosine_similarity, pairwise_distance, pdist
from .dropout import dropout, dropout1d, dropout2d
from .embedding import embedding, one_hot
from .fold import fold, unfold
from .interpolate import interpolate, upsample, upsample_bilinear, upsample_nearest
from .linear import bilinear, linear
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .loss_more import (
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_loss,
)
from .norm_more import group_norm, instance_norm, rms_norm
from .normalization import batch_norm, layer_norm, normalize
from .padding import pad
from .pixelshuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle
from .pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from .shape import flatten, unflatten

__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d", "batch_norm",
    "bilinear", "binary_cross_entropy", "binary_cross_entropy_with_logits", "celu", "conv1d",
    "conv2d", "cross_entropy", "dropout", "dropout1d", "dropout2d", "elu", "embedding",
    "flatten", "gelu", "hardtanh", "huber_loss", "kl_div", "l1_loss", "layer_norm", "leaky_relu",
    "linear", "log_softmax", "logsigmoid", "max_pool1d", "max_pool2d", "mish", "mse_loss",
    "multi_head_attention_forward", "nll_loss", "normalize", "one_hot", "pad", "prelu", "relu",
    "relu6", "scaled_dot_product_attention", "selu", "sigmoid", "silu", "smooth_l1_loss",
    "softmax", "softmin", "softplus", "tanh", "unflatten",
    "group_norm", "instance_norm", "rms_norm",
    "celu_", "elu_", "glu", "hardshrink", "hardsigmoid", "hardswish", "hardtanh_", "leaky_relu_",
    "relu_", "rrelu", "rrelu_", "selu_", "softshrink", "softsign", "tanhshrink", "threshold",
    "threshold_",
    "cosine_similarity", "pairwise_distance", "pdist", "cosine_embedding_loss",
    "gaussian_nll_loss", "hinge_embedding_loss", "margin_ranking_loss", "multi_margin_loss",
    "multilabel_soft_margin_loss", "poisson_nll_loss", "soft_margin_loss",
    "triplet_margin_loss", "channel_shuffle", "pixel_shuffle", "pixel_unshuffle",
    "interpolate", "upsample", "upsample_bilinear", "upsample_nearest", "fold", "unfold",
    "conv_transpose1d", "conv_transpose2d", "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices",
]
__getattr__ = _missing.module_getattr("torch.nn.functional", __name__)
