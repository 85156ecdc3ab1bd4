"""Bad input: every misuse raises an exception that names the problem (shapes, dims,
arguments), of the type torch raises (shape errors are both RuntimeError and ValueError)."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad.autograd import Function

from .conftest import t64


def _x():
    return cg.tensor(np.arange(6.0).reshape(2, 3))


DIM_ERRORS = {
    "sum": lambda x: x.sum(2),
    "mean": lambda x: x.mean(-3),
    "max": lambda x: x.max(3),
    "amax": lambda x: x.amax((0, 2)),
    "argmax": lambda x: x.argmax(2),
    "var": lambda x: x.var(5),
    "logsumexp": lambda x: x.logsumexp(2),
    "norm": lambda x: x.norm(dim=2),
    "cumsum": lambda x: x.cumsum(2),
    "prod": lambda x: x.prod(2),
    "transpose": lambda x: x.transpose(0, 5),
    "squeeze": lambda x: x.squeeze(4),
    "unsqueeze": lambda x: x.unsqueeze(4),
    "flatten": lambda x: x.flatten(0, 3),
    "narrow": lambda x: x.narrow(2, 0, 1),
    "select": lambda x: x.select(-3, 0),
    "cat": lambda x: cg.cat([x, x], 2),
    "stack": lambda x: cg.stack([x, x], 4),
    "split": lambda x: x.split(1, 2),
    "gather": lambda x: x.gather(2, cg.zeros(2, 3, dtype=cg.int64)),
    "index_select": lambda x: x.index_select(2, cg.tensor([0])),
    "flip": lambda x: x.flip(2),
    "size": lambda x: x.size(2),
}


@pytest.mark.parametrize("op", sorted(DIM_ERRORS))
def test_wrong_dim_names_the_range_and_the_dim(op):
    with pytest.raises(IndexError, match=r"out of range.*\[-\d, \d\].*got -?\d"):
        DIM_ERRORS[op](_x())


def test_dim_of_wrong_type_and_repeated_dims():
    with pytest.raises(TypeError, match="dim must be an int or a tuple of ints, got 1.5"):
        _x().sum(1.5)
    with pytest.raises(RuntimeError, match="dim 1 appears multiple times"):
        _x().sum((1, -1))


BROADCAST = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: cg.mul(a, b),
    "pow": lambda a, b: a ** b,
    "maximum": lambda a, b: cg.maximum(a, b),
    "minimum": lambda a, b: cg.minimum(a, b),
    "eq": lambda a, b: cg.eq(a, b),
    "lt": lambda a, b: a < b,
    "logical_and": lambda a, b: cg.logical_and(a, b),
    "where": lambda a, b: cg.where(a > 0, a, b),
    "clamp": lambda a, b: a.clamp(min=b),
}


@pytest.mark.parametrize("op", sorted(BROADCAST))
def test_incompatible_broadcast_names_both_shapes(op):
    with pytest.raises(RuntimeError, match=r"\(2, 3\).*\(4,\)") as info:
        BROADCAST[op](_x(), cg.ones(4))
    assert isinstance(info.value, ValueError)  # both, for NumPy users and torch users


@pytest.mark.parametrize("shapes", [((2, 3), (4, 2)), ((3,), (2,)), ((2, 2, 3), (3, 3, 1)),
                                    ((2, 3), (2, 4, 4)), ((3, 2, 3), (2, 3, 1))])
def test_matmul_shape_errors_name_the_shapes(shapes):
    a, b = cg.ones(*shapes[0]), cg.ones(*shapes[1])
    with pytest.raises(RuntimeError, match=r"matmul: shapes .* cannot be multiplied"):
        a @ b


def test_matmul_family_shape_errors():
    with pytest.raises(RuntimeError, match="at least 1D"):
        cg.ones(2) @ cg.tensor(1.0)
    with pytest.raises(RuntimeError, match=r"dot: expected 1-D and 1-D tensors, got shapes"):
        cg.dot(cg.ones(2, 2), cg.ones(2))
    with pytest.raises(RuntimeError, match=r"dot: inconsistent tensor size.*\(2,\) and \(3,\)"):
        cg.dot(cg.ones(2), cg.ones(3))
    with pytest.raises(RuntimeError, match="mm: expected 2-D"):
        cg.mm(cg.ones(2), cg.ones(2, 2))
    with pytest.raises(RuntimeError, match="bmm: batch sizes differ"):
        cg.bmm(cg.ones(2, 2, 3), cg.ones(3, 3, 2))
    with pytest.raises(RuntimeError, match="outer: expected 1-D"):
        cg.outer(cg.ones(2, 1), cg.ones(2))


INDEX_ERRORS = {
    "int": lambda x: x[5],
    "negative": lambda x: x[-3],
    "second_dim": lambda x: x[:, 3],
    "array": lambda x: x[:, [0, 7]],
    "tensor": lambda x: x[cg.tensor([2])],
    "gather": lambda x: x.gather(1, cg.tensor([[0, 3]])),
    "gather_negative": lambda x: x.gather(1, cg.tensor([[-1]])),
    "index_select": lambda x: x.index_select(0, cg.tensor([2])),
    "scatter_add": lambda x: x.scatter_add(1, cg.tensor([[5]]), cg.ones(1, 1)),
    "scatter": lambda x: x.scatter(0, cg.tensor([[2]]), 1.0),
    "narrow": lambda x: x.narrow(1, 2, 2),
    "select": lambda x: x.select(0, 2),
    "setitem": lambda x: x.__setitem__(4, 1.0),
}


@pytest.mark.parametrize("op", sorted(INDEX_ERRORS))
def test_index_out_of_range_names_index_and_size(op):
    with pytest.raises(IndexError, match=r"out of (range|bounds).*(size|shape) \(?\d"):
        INDEX_ERRORS[op](_x())


def test_index_of_wrong_type():
    with pytest.raises(IndexError, match="must be long, int, byte or bool tensors"):
        _x()[cg.tensor([0.5])]
    with pytest.raises(TypeError, match="valid indices"):
        _x()["a"]
    with pytest.raises(TypeError, match="Expected dtype int64 for index"):
        _x().gather(1, cg.tensor([[0.0]]))


SHAPE_ERRORS = {
    "reshape": (lambda x: x.reshape(4, 2), r"shape '\[4, 2\]' is invalid for input of size 6"),
    "view": (lambda x: x.T.view(6), r"view size \[6\] is not compatible.*Use .reshape"),
    "expand": (lambda x: x.expand(3, 3), r"expand: shape \(2, 3\) cannot be expanded to"),
    "expand_fewer": (lambda x: x.expand(3), "number of sizes provided"),
    "permute": (lambda x: x.permute(0), r"number of dims \(1\) doesn't match.*\(2, 3\)"),
    "cat": (lambda x: cg.cat([x, cg.ones(3, 3)], 1),
            r"sizes of tensors must match except in dimension 1.*\(2, 3\), \(3, 3\)"),
    "cat_ndim": (lambda x: cg.cat([x, cg.ones(3)]), r"sizes of tensors must match"),
    "cat_0d": (lambda x: cg.cat([cg.tensor(1.0)]), "zero-dimensional"),
    "stack": (lambda x: cg.stack([x, cg.ones(3, 3)]), r"equal size.*\(2, 3\), \(3, 3\)"),
    "split_sizes": (lambda x: x.split([1, 1], 1), r"sum to the size 3 of dimension 1"),
    "gather_ndim": (lambda x: x.gather(0, cg.tensor([0])), "same number of dimensions"),
    "masked_fill": (lambda x: x.masked_fill(cg.ones(4, dtype=cg.bool), 0.0),
                    r"mask of shape \(4,\) cannot be broadcast to.*\(2, 3\)"),
    "masked_fill_value": (lambda x: x.masked_fill(x > 1, cg.ones(2)), "0-dimensional value"),
    "einsum_sizes": (lambda x: cg.einsum("ij,jk->ik", x, x), r"shapes \(2, 3\), \(2, 3\)"),
    "einsum_rank": (lambda x: cg.einsum("ijk->i", x), r"has 3 dimensions.*\(2, 3\)"),
    "pad_reflect": (lambda x: cg.ops.pad(x, (3, 3), mode="reflect"), "must be smaller"),
    "pad_length": (lambda x: cg.ops.pad(x, (1, 1, 1, 1, 1, 1)), "too large"),
    "pad_odd": (lambda x: cg.ops.pad(x, (1,)), "divisible by 2"),
    "repeat": (lambda x: x.repeat(2), "can not be smaller"),
    "inplace_broadcast": (lambda x: x.add_(cg.ones(3, 3)), r"\(3, 3\).*\(2, 3\)"),
    "where_shapes": (lambda x: cg.where(cg.ones(4, dtype=cg.bool), x, 0.0),
                     r"condition \(4,\), input \(2, 3\)"),
    "clamp_tensor": (lambda x: x.clamp(min=cg.ones(3, 1, 2)), r"\(2, 3\) and \(3, 1, 2\)"),
}


@pytest.mark.parametrize("op", sorted(SHAPE_ERRORS))
def test_shape_errors_name_the_shapes(op):
    fn, pattern = SHAPE_ERRORS[op]
    with pytest.raises((RuntimeError, ValueError), match=pattern):
        fn(_x())


ARG_ERRORS = {
    "clamp_none": (lambda x: x.clamp(), ValueError, "at least one of 'min' or 'max'"),
    "clamp_str": (lambda x: x.clamp("a"), TypeError, "clamp: min must be a number"),
    "norm_str": (lambda x: x.norm(p="abc"), RuntimeError, "p='abc' is not supported"),
    "norm_nuc_3d": (lambda x: x[None].norm(p="nuc"), RuntimeError, "dim must be a 2-tuple"),
    "norm_nuc_1d": (lambda x: x[0].norm(p="nuc"), RuntimeError, "at least 2 dimensions"),
    "norm_nuc_one_dim": (lambda x: x.norm(p="nuc", dim=1), RuntimeError, "2-tuple"),
    "norm_nuc_same_dims": (lambda x: x.norm(p="nuc", dim=(1, -1)), RuntimeError,
                           "dims must be different"),
    "matrix_norm_ord": (lambda x: cg.linalg.matrix_norm(x, 3), RuntimeError,
                        "Order 3 not supported"),
    "matrix_norm_ord_str": (lambda x: cg.linalg.matrix_norm(x, "abc"), RuntimeError,
                            "Order 'abc' not supported"),
    "matrix_norm_1d": (lambda x: cg.linalg.matrix_norm(x[0]), RuntimeError,
                       "at least 2 dimensions"),
    "matrix_norm_dims_equal": (lambda x: cg.linalg.matrix_norm(x, dim=(0, -2)), RuntimeError,
                               r"dims must be different. Got \(0, -2\)"),
    "matrix_norm_dim_int": (lambda x: cg.linalg.matrix_norm(x, dim=1), RuntimeError,
                            "dim must be a 2-tuple"),
    "matrix_norm_dim_range": (lambda x: cg.linalg.matrix_norm(x, dim=(0, 2)), IndexError,
                              "out of range"),
    "matrix_norm_int": (lambda x: cg.linalg.matrix_norm(x.long()), RuntimeError,
                        "Expected a floating point tensor"),
    "matrix_norm_narrowing": (lambda x: cg.linalg.matrix_norm(x, dtype=cg.float32),
                              RuntimeError, "without narrowing"),
    "matrix_norm_half_nuc": (lambda x: cg.linalg.matrix_norm(x.to(cg.float16), "nuc"), RuntimeError,
                             "Low precision"),
    "matrix_norm_neg_empty": (lambda x: cg.linalg.matrix_norm(cg.zeros(2, 0), -2),
                              IndexError, "non-zero size"),
    "vector_norm_ord": (lambda x: cg.linalg.vector_norm(x, "fro"), TypeError,
                        "ord must be a number"),
    "vector_norm_dtype": (lambda x: cg.linalg.vector_norm(x, dtype=cg.int64), RuntimeError,
                          "dtype should be floating point"),
    "linalg_norm_dims": (lambda x: cg.linalg.norm(x[None], dim=(0, 1, 2)), RuntimeError,
                         "must be of length 1 or 2"),
    "linalg_norm_3d_ord": (lambda x: cg.linalg.norm(x[None], 2), RuntimeError,
                           "must be 1D or 2D. Got 3D"),
    "svdvals_nan": (lambda x: cg.linalg.svdvals(x * float("nan")), RuntimeError, "non-finite"),
    "svdvals_1d": (lambda x: cg.linalg.svdvals(x[0]), RuntimeError, "at least 2 dimensions"),
    "where_cond": (lambda x: cg.where(x, x, x), TypeError, "condition must be a bool tensor"),
    "where_half": (lambda x: cg.where(x > 0, x), TypeError, "both input and other"),
    "pad_mode": (lambda x: cg.ops.pad(x, (1, 1), mode="wrap"), NotImplementedError, "wrap"),
    "var_both": (lambda x: x.var(unbiased=True, correction=1), TypeError, "either unbiased"),
    "var_int": (lambda x: x.long().var(), RuntimeError, "must be floating point"),
    "mean_int": (lambda x: x.long().mean(), RuntimeError, "floating point"),
    "max_empty": (lambda x: cg.zeros(0).max(), RuntimeError, "numel\\(\\) == 0"),
    "max_dim_empty": (lambda x: cg.zeros(0, 3).max(0), IndexError, "non-zero size"),
    "norm_inf_empty": (lambda x: cg.zeros(0).norm(p=float("inf")), RuntimeError, "empty"),
    "to_cuda": (lambda x: x.to("cuda"), RuntimeError, "CPU only"),
    "einsum_eq": (lambda x: cg.einsum("ij,jk", x), ValueError, "2 operand subscripts but 1"),
    "einsum_out": (lambda x: cg.einsum("ij->k", x), ValueError, "'k' does not appear"),
    "einsum_chars": (lambda x: cg.einsum("i1->i", x), ValueError, "invalid subscript"),
    "einsum_sublist_range": (lambda x: cg.einsum(x, [0, 52]), ValueError,
                             r"subscript 52 in the subscript list of operand 0.*\[0, 52\)"),
    "einsum_sublist_negative": (lambda x: cg.einsum(x, [-1, 0]), ValueError, "subscript -1"),
    "einsum_sublist_type": (lambda x: cg.einsum(x, [0, "a"]), TypeError,
                            "subscript list of operand 0 must hold ints"),
    "einsum_sublist_bool": (lambda x: cg.einsum(x, [0, True]), TypeError, "got True"),
    "einsum_sublist_not_list": (lambda x: cg.einsum(x, 0), TypeError,
                                "subscript list of operand 0 must be a list"),
    "einsum_sublist_missing": (lambda x: cg.einsum(x, [0, 1], x), TypeError,
                               "output subscript list .* must be a list, got Tensor"),
    "einsum_sublist_alone": (lambda x: cg.einsum(x), ValueError, "at least one operand and"),
    "einsum_sublist_out": (lambda x: cg.einsum(x, [0, 1], [0, 5]), ValueError,
                           "'F' does not appear"),
    "einsum_sublist_two_ellipses": (lambda x: cg.einsum(x, [..., 0, ...]), ValueError,
                                    "at most one '...'"),
    "split_size": (lambda x: x.split(0), ValueError, "split_size must be positive"),
    "chunk": (lambda x: x.chunk(0), ValueError, "chunks must be positive"),
    "pow_int_negative": (lambda x: x.long() ** -1, ValueError, "negative integer powers"),
    "bitwise_float": (lambda x: x & x, TypeError, "bitwise"),
    "neg_bool": (lambda x: -(x > 1), TypeError, "bool"),
    "cat_not_sequence": (lambda x: cg.cat(x), TypeError, "sequence of Tensors"),
    "shape_args": (lambda x: x.reshape(2.0, 3), TypeError, "sequence of ints"),
    "flatten_order": (lambda x: x.flatten(1, 0), ValueError, "cannot come after"),
    "scatter_src_value": (lambda x: cg.scatter(x, 0, cg.tensor([[0]])), TypeError,
                          "exactly one of src and value"),
    "requires_grad_int": (lambda x: cg.tensor([1, 2]).requires_grad_(), RuntimeError,
                          "floating point"),
}


@pytest.mark.parametrize("op", sorted(ARG_ERRORS))
def test_argument_errors(op):
    fn, exc, pattern = ARG_ERRORS[op]
    with pytest.raises(exc, match=pattern):
        fn(_x())


# ------------------------------------------------------------------ autograd misuse
class _WrongCount(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        return g  # two inputs, one gradient


class _WrongShape(Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, g):
        return cg.ones(5, dtype=g.dtype)


class _WrongType(Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, g):
        return "gradient"


def test_function_returning_the_wrong_number_of_gradients():
    a, b = t64([1.0, 2.0]), t64([3.0, 4.0])
    with pytest.raises(RuntimeError, match=r"incorrect number of gradients \(expected 2, got 1"):
        _WrongCount.apply(a, b).sum().backward()


def test_function_returning_a_gradient_of_the_wrong_shape():
    a = t64([1.0, 2.0])
    # (The engines print the shapes as a list or a tuple.)
    with pytest.raises(RuntimeError, match=r"invalid gradient at index 0 - got .5,?. .*2,?.$"):
        _WrongShape.apply(a).sum().backward()


def test_function_returning_a_non_tensor_gradient():
    with pytest.raises(TypeError, match="gradient of type str at index 0"):
        _WrongType.apply(t64([1.0])).sum().backward()


def test_grad_of_an_input_not_in_the_graph():
    a, b = t64([1.0]), t64([2.0])
    with pytest.raises(RuntimeError, match=r"inputs\[1\].*not have been used in the graph.*"
                                           r"allow_unused=True"):
        cg.autograd.grad((a * 2).sum(), [a, b])
    ga, gb = cg.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)
    assert gb is None and ga.item() == 2.0


def test_grad_of_a_non_differentiable_integer_output():
    a = t64([1.5, 2.5])
    idx = a.argmax()
    with pytest.raises(RuntimeError, match="does not require grad"):
        idx.backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        cg.autograd.grad(a.long().sum(), a)
    with pytest.raises(RuntimeError, match="does not require grad"):
        cg.autograd.grad((a > 1).sum(), a)


def test_grad_wrt_an_input_that_does_not_require_grad():
    a = cg.tensor([1.0])
    with pytest.raises(RuntimeError, match=r"inputs\[0\]\) does not require grad"):
        cg.autograd.grad((t64([1.0]) * 2).sum(), a)


def test_backward_of_non_scalar_without_gradient():
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*\(2,\)"):
        (t64([1.0, 2.0]) * 2).backward()


def test_grad_outputs_of_the_wrong_shape():
    a = t64([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"Mismatch in shape.*\(3,\).*\(2,\)"):
        cg.autograd.grad(a * 2, a, cg.ones(3))


# ---------------------------------------------------------------- issue 9: more torch ops
MORE_DIM_ERRORS = {
    "sort": lambda x: x.sort(2),
    "argsort": lambda x: x.argsort(-3),
    "topk": lambda x: x.topk(1, 2),
    "kthvalue": lambda x: x.kthvalue(1, 2),
    "cummax": lambda x: x.cummax(2),
    "cumprod": lambda x: x.cumprod(2),
    "logcumsumexp": lambda x: x.logcumsumexp(2),
    "diagonal": lambda x: x.diagonal(0, 0, 2),
    "diag_embed": lambda x: x.diag_embed(0, 0, 3),
    "repeat_interleave": lambda x: x.repeat_interleave(2, 2),
    "take_along_dim": lambda x: x.take_along_dim(cg.zeros(2, 3, dtype=cg.int64), 2),
    "diff": lambda x: x.diff(dim=2),
    "cross": lambda x: cg.cross(cg.ones(2, 3), cg.ones(2, 3), dim=2),
    "rot90": lambda x: x.rot90(1, (0, 2)),
    "count_nonzero": lambda x: x.count_nonzero(2),
}


@pytest.mark.parametrize("op", sorted(MORE_DIM_ERRORS))
def test_more_ops_wrong_dim(op):
    with pytest.raises(IndexError, match=r"out of range.*\[-\d, \d\].*got -?\d"):
        MORE_DIM_ERRORS[op](_x())


MORE_ERRORS = {
    # op: (call, exception type, message pattern)
    "softmax_no_dim": (lambda x: cg.softmax(x, None), TypeError, "argument 'dim' must be int"),
    "softmax_not_tensor": (lambda x: cg.softmax([1.0], 0), TypeError, "must be Tensor, not list"),
    "topk_k": (lambda x: x.topk(4), RuntimeError, r"k=4 out of range.*size 3"),
    "topk_k_type": (lambda x: x.topk(1.5), TypeError, "'k' must be int"),
    "kthvalue_zero": (lambda x: x.kthvalue(0), RuntimeError, r"k=0 out of range"),
    "sort_descending_type": (lambda x: x.sort(0, "yes"), TypeError, "'descending' must be bool"),
    "tril_1d": (lambda x: x[0].tril(), RuntimeError, r"at least 2 dimensions.*\(3,\)"),
    "tril_diagonal_type": (lambda x: x.tril(0.5), TypeError, "'diagonal' must be int"),
    "tril_indices_negative": (lambda x: cg.tril_indices(-1, 2), RuntimeError, "non-negative"),
    "tril_indices_dtype": (lambda x: cg.tril_indices(2, 2, dtype=cg.float32), RuntimeError,
                           "integer type"),
    "diagonal_same_dims": (lambda x: x.diagonal(0, 1, -1), RuntimeError, "cannot be identical"),
    "diagonal_1d": (lambda x: x[0].diagonal(), RuntimeError, "at least 2 dimensions"),
    "diag_3d": (lambda x: cg.diag(cg.ones(2, 2, 2)), RuntimeError, r"1-D or 2-D.*\(2, 2, 2\)"),
    "trace_1d": (lambda x: x[0].trace(), RuntimeError, r"expected a matrix.*\(3,\)"),
    "addmm_mat1": (lambda x: cg.addmm(x, x[0], x.T), RuntimeError, r"mat1 must be a 2-D.*\(3,\)"),
    "addmm_input": (lambda x: cg.addmm(cg.ones(3), x, x.T), RuntimeError,
                    r"input of shape \(3,\) cannot be broadcast.*\(2, 2\)"),
    "addmm_inner": (lambda x: cg.addmm(cg.ones(2, 2), x, x), RuntimeError, "cannot be multiplied"),
    "baddbmm_2d": (lambda x: cg.baddbmm(x, x, x.T), RuntimeError, "batch1 must be a 3-D"),
    "addmv_vec": (lambda x: cg.addmv(cg.ones(2), x, x), RuntimeError, "vec must be a 1-D"),
    "cross_size": (lambda x: cg.cross(cg.ones(2, 4), cg.ones(2, 4)), RuntimeError,
                   r"no dimension of size 3 in shape \(2, 4\)"),
    "cross_dim_size": (lambda x: cg.cross(cg.ones(3, 2), cg.ones(3, 2), dim=1), RuntimeError,
                       "dimension 1 must have size 3"),
    "cross_broadcast": (lambda x: cg.cross(cg.ones(2, 3), cg.ones(4, 3)), RuntimeError,
                        r"\(2, 3\) and \(4, 3\) cannot be broadcast"),
    "block_diag_3d": (lambda x: cg.block_diag(x, cg.ones(1, 1, 1)), RuntimeError,
                      r"input 1 must have 2 or fewer dimensions"),
    "rot90_dims": (lambda x: x.rot90(1, (0, 0)), RuntimeError, "rotation dims to be different"),
    "rot90_ndims": (lambda x: x.rot90(1, (0,)), RuntimeError, "rotation dims == 2"),
    "repeat_interleave_counts": (lambda x: x.repeat_interleave(cg.tensor([1, 2]), dim=1),
                                 RuntimeError, r"same size as input along dim \(3\), got 2"),
    "repeat_interleave_negative": (lambda x: x.repeat_interleave(-1), RuntimeError,
                                   "can not be negative"),
    "repeat_interleave_float": (lambda x: x.repeat_interleave(1.5), TypeError,
                                "repeats must be an int or a Tensor"),
    "take_along_dim_float": (lambda x: x.take_along_dim(x, 1), TypeError,
                             "dtype of indices should be int64"),
    "take_along_dim_ndim": (lambda x: x.take_along_dim(cg.zeros(3, dtype=cg.int64), 1),
                            RuntimeError, "same number of dimensions"),
    "take_along_dim_range": (lambda x: x.take_along_dim(cg.full((2, 1), 3, dtype=cg.int64), 1),
                             IndexError, "out of bounds"),
    "hstack_tensor": (lambda x: cg.hstack(x), TypeError, "must be a tuple or list of Tensors"),
    "vstack_empty": (lambda x: cg.vstack([]), RuntimeError, "non-empty"),
    "vstack_shapes": (lambda x: cg.vstack([x, cg.ones(2)]), RuntimeError, "cat"),
    "meshgrid_2d": (lambda x: cg.meshgrid(x, indexing="ij"), RuntimeError, "0D or 1D tensor"),
    "meshgrid_indexing": (lambda x: cg.meshgrid(x[0], indexing="yx"), ValueError,
                          "indexing must be one of"),
    "broadcast_shapes": (lambda x: cg.broadcast_shapes((2, 3), (4,)), RuntimeError,
                         r"\(2, 3\), \(4,\) cannot be broadcast"),
    "broadcast_tensors": (lambda x: cg.broadcast_tensors(x, cg.ones(4)), RuntimeError,
                          "cannot be broadcast"),
    "cartesian_prod_2d": (lambda x: cg.cartesian_prod(x, x), RuntimeError, "expects 1-D"),
    "combinations_2d": (lambda x: cg.combinations(x), RuntimeError, "Expect a 1D vector"),
    "combinations_r": (lambda x: cg.combinations(x[0], -1), RuntimeError, "non-negative int"),
    "diff_0d": (lambda x: cg.diff(x.sum()), RuntimeError, "at least one-dimensional"),
    "diff_order": (lambda x: x.diff(-1), RuntimeError, "order must be non-negative"),
    "nanmean_int": (lambda x: cg.nanmean(cg.ones(2, dtype=cg.int64)), RuntimeError,
                    "floating point dtype"),
    "logcumsumexp_int": (lambda x: cg.logcumsumexp(cg.ones(2, dtype=cg.int64), 0), TypeError,
                         "floating-point"),
    "fmod_broadcast": (lambda x: cg.fmod(x, cg.ones(4)), RuntimeError, r"\(2, 3\) and \(4,\)"),
    "fmod_int_zero": (lambda x: cg.fmod(cg.tensor([3]), 0), ZeroDivisionError,
                      "integer division by zero"),
    "remainder_bool": (lambda x: cg.remainder(x > 0, True), TypeError, "bool"),
    "atan2_numbers": (lambda x: cg.atan2(1.0, 2.0), TypeError, "must be Tensor"),
    "logit_eps": (lambda x: cg.logit(x, "a"), TypeError, "'eps' must be float"),
    "round_decimals": (lambda x: x.round(decimals=1.5), TypeError, "'decimals' must be int"),
    "round_decimals_int": (lambda x: cg.tensor([1]).round(decimals=1), TypeError,
                           "floating-point"),
    "floor_bool": (lambda x: (x > 0).floor(), TypeError, "bool"),
    "frac_int": (lambda x: cg.tensor([1]).frac(), TypeError, "floating only"),
    "sinh_not_tensor": (lambda x: cg.sinh(1.0), TypeError, "must be Tensor, not float"),
    "cuda": (lambda x: x.cuda(), RuntimeError, "CPU only"),
    "new_zeros_negative": (lambda x: x.new_zeros(2, -1), RuntimeError, "negative dimension"),
    "new_ones_type": (lambda x: x.new_ones(2.5), TypeError, "size must be a tuple of ints"),
    "is_nonzero": (lambda x: x.is_nonzero(), RuntimeError, "with 6 values is ambiguous"),
    "stride_dim": (lambda x: x.stride(2), IndexError, "out of range"),
    "floor_inplace_int": (lambda x: cg.ones(2, dtype=cg.int64).sinh_(), RuntimeError,
                          "can't be cast"),
    "inplace_leaf": (lambda x: cg.ones(2, requires_grad=True).floor_(), RuntimeError,
                     "leaf Variable that requires grad"),
}


@pytest.mark.parametrize("case", sorted(MORE_ERRORS))
def test_more_ops_errors_name_the_problem(case):
    fn, exc, pattern = MORE_ERRORS[case]
    with pytest.raises(exc, match=pattern):
        fn(_x())


SEARCH_INDEX_ERRORS = {
    "searchsorted_side": (lambda x: cg.searchsorted(x[0], 1.0, side="middle"), ValueError,
                          "side can only be"),
    "searchsorted_opposite": (lambda x: cg.searchsorted(x[0], 1.0, right=True, side="left"),
                              RuntimeError, "opposites"),
    "searchsorted_dims": (lambda x: cg.searchsorted(x, cg.ones(3, 2)), RuntimeError,
                          r"boundaries tensor \[2, 3\] and input value tensor \[3, 2\]"),
    "searchsorted_0d": (lambda x: cg.searchsorted(x.sum(), 1.0), RuntimeError, "1 dimension"),
    "bucketize_2d": (lambda x: cg.bucketize(cg.ones(2), x), RuntimeError, "must be 1 dimension"),
    "unique_dim": (lambda x: x.unique(dim=2), IndexError, "out of range"),
    "histc_int": (lambda x: cg.histc(cg.ones(2, dtype=cg.int64)), RuntimeError,
                  "floating point only"),
    "histc_bins": (lambda x: x.histc(0), RuntimeError, "bins must be > 0"),
    "histc_range": (lambda x: x.histc(4, 2.0, 1.0), RuntimeError, "max must be larger than min"),
    "median_empty": (lambda x: cg.median(cg.ones(0)), RuntimeError, "must not be empty"),
    "median_dim": (lambda x: x.median(2), IndexError, "out of range"),
    "median_empty_dim": (lambda x: cg.ones(2, 0).median(1), IndexError, "non-zero size"),
    "mode_dim": (lambda x: x.mode(3), IndexError, "out of range"),
    "quantile_q": (lambda x: x.quantile(1.5), RuntimeError, r"in the range \[0, 1\]"),
    "quantile_q_dtype": (lambda x: x.quantile(cg.tensor([0.5])), RuntimeError,
                         "same dtype as the input"),
    "quantile_q_2d": (lambda x: x.quantile(cg.ones(2, 2, dtype=cg.float64) * 0.5),
                      RuntimeError, "scalar or 1D tensor"),
    "quantile_interp": (lambda x: x.quantile(0.5, interpolation="cubic"), ValueError,
                        "interpolation must be one of"),
    "quantile_int": (lambda x: cg.ones(3, dtype=cg.int64).quantile(0.5), RuntimeError,
                     "float or double"),
    "quantile_q_type": (lambda x: x.quantile("a"), TypeError, "q must be a float or a Tensor"),
    "index_add_shape": (lambda x: x.index_add(1, cg.tensor([0]), cg.ones(2, 2,
                                                                          dtype=cg.float64)),
                        RuntimeError, r"source of shape \(2, 2\).*\(2, 1\)"),
    "index_add_range": (lambda x: x.index_add(1, cg.tensor([3]), cg.ones(2, 1,
                                                                          dtype=cg.float64)),
                        IndexError, "out of bounds for dimension 1 with size 3"),
    "index_add_2d_index": (lambda x: x.index_add(1, cg.tensor([[0]]), x), RuntimeError,
                           "supposed to be a vector"),
    "index_fill_value": (lambda x: x.index_fill(1, cg.tensor([0]), cg.ones(2)), RuntimeError,
                         "0-dimensional value"),
    "index_fill_float_index": (lambda x: x.index_fill(1, cg.tensor([0.0]), 1.0), TypeError,
                               "Expected dtype int64"),
    "masked_scatter_mask": (lambda x: x.masked_scatter(x, x), TypeError, "bool mask"),
    "masked_scatter_short": (lambda x: x.masked_scatter(x > -1, x[0]), RuntimeError,
                             r"source < number of ones in mask \(3 < 6\)"),
    "masked_scatter_shape": (lambda x: x.masked_scatter(cg.ones(4, dtype=cg.bool), x),
                             RuntimeError, "cannot be broadcast"),
    "take_range": (lambda x: x.take(cg.tensor([6])), IndexError, "index 6 is out of bounds"),
    "take_float": (lambda x: x.take(cg.tensor([0.0])), TypeError, "long tensor for index"),
    "scatter_reduce_op": (lambda x: x.scatter_reduce(0, cg.tensor([[0]]), x, "max"),
                          RuntimeError, "reduce argument must be one of"),
    "scatter_reduce_dtype": (lambda x: x.scatter_reduce(0, cg.tensor([[0]]), x.float(), "sum"),
                             RuntimeError, "expected src dtype"),
    "scatter_reduce_range": (lambda x: x.scatter_reduce(0, cg.tensor([[2]]), x, "sum"),
                             IndexError, "out of bounds"),
    "cdist_cols": (lambda x: cg.cdist(x, cg.ones(2, 4, dtype=cg.float64)), RuntimeError,
                   "same number of columns"),
    "cdist_1d": (lambda x: cg.cdist(x[0], x), RuntimeError, "at least 2 dimensions"),
    "cdist_p": (lambda x: cg.cdist(x, x, p=-1.0), RuntimeError, "non-negative p"),
    "movedim_len": (lambda x: x.movedim((0, 1), 0), RuntimeError, "same number of dims"),
    "movedim_repeat": (lambda x: x.movedim((0, 0), (0, 1)), RuntimeError, "repeated dim"),
    "movedim_range": (lambda x: x.movedim(2, 0), IndexError, "out of range"),
}


@pytest.mark.parametrize("case", sorted(SEARCH_INDEX_ERRORS))
def test_search_and_index_errors_name_the_problem(case):
    fn, exc, pattern = SEARCH_INDEX_ERRORS[case]
    with pytest.raises(exc, match=pattern):
        fn(_x())


def test_lerp_refuses_mixed_dtypes_like_torch():
    with pytest.raises(RuntimeError, match="dtype float32 for `end` but got dtype float64"):
        cg.lerp(cg.ones(2), cg.zeros(2, dtype=cg.float64), 0.5)
    with pytest.raises(RuntimeError, match="for `weight`"):
        cg.lerp(cg.ones(2), cg.zeros(2), cg.full((2,), 0.5, dtype=cg.float64))


BATCH2_ERRORS = {
    "floor_divide_zero": (lambda x: cg.tensor([3]) // 0, ZeroDivisionError, "division by zero"),
    "floor_divide_bool": (lambda x: cg.floor_divide(x > 0, x > 1), TypeError, "bool"),
    "logaddexp_shapes": (lambda x: cg.logaddexp(x, cg.ones(4)), RuntimeError,
                         r"\(2, 3\) and \(4,\)"),
    "heaviside_dtype": (lambda x: cg.heaviside(x, cg.tensor([0.5])), RuntimeError,
                        "same dtype"),
    "positive_bool": (lambda x: cg.positive(x > 0), TypeError, "bool"),
    "fliplr_1d": (lambda x: cg.fliplr(x[0]), RuntimeError, ">= 2-d"),
    "bincount_2d": (lambda x: cg.bincount(cg.zeros(2, 2, dtype=cg.int64)), RuntimeError,
                    "only 1-d integer tensors"),
    "bincount_negative": (lambda x: cg.bincount(cg.tensor([-1, 2])), RuntimeError,
                          "non-negative"),
    "bincount_weights": (lambda x: cg.bincount(cg.tensor([1, 2]), cg.ones(3)), RuntimeError,
                         "same length"),
    "isin_numbers": (lambda x: cg.isin(1, [1, 2]), TypeError, "at least one Tensor"),
    "tensordot_sizes": (lambda x: cg.tensordot(x, x, 1), RuntimeError,
                        "contracted dimensions need to match"),
    "tensordot_lists": (lambda x: cg.tensordot(x, x, ([0, 1], [0])), RuntimeError,
                        "same length"),
    "tensordot_dims": (lambda x: cg.tensordot(x, x, 3), RuntimeError, "dims must be between"),
    "inner_sizes": (lambda x: cg.inner(x, cg.ones(2, 2, dtype=cg.float64)), RuntimeError,
                    "last dimensions must match"),
    "aminmax_empty": (lambda x: cg.aminmax(cg.ones(0)), RuntimeError, "empty"),
    "tensor_split_zero": (lambda x: x.tensor_split(0), RuntimeError, "larger than 0"),
    "tensor_split_0d": (lambda x: x.sum().tensor_split(2), RuntimeError, "1-dimensional"),
    "hsplit_divisible": (lambda x: x.hsplit(2), RuntimeError, "not divisible"),
    "vsplit_1d": (lambda x: x[0].vsplit(1), RuntimeError, "at least 2 dimension"),
    "cov_3d": (lambda x: cg.cov(cg.ones(2, 2, 2)), RuntimeError, "two or fewer dimensions"),
    "trapezoid_dim": (lambda x: cg.trapezoid(x, dim=2), IndexError, "out of range"),
}


@pytest.mark.parametrize("case", sorted(BATCH2_ERRORS))
def test_second_batch_errors_name_the_problem(case):
    fn, exc, pattern = BATCH2_ERRORS[case]
    with pytest.raises(exc, match=pattern):
        fn(_x())
