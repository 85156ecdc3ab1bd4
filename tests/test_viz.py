"""chaingrad.viz: the DOT text names the nodes, values and gradients; SVG where Graphviz is."""

from __future__ import annotations

import re

import pytest

import chaingrad as torch
from chaingrad import viz


def _labels(dot: str) -> dict[str, str]:
    return {m[0]: m[1] for m in re.findall(r'^\s*(\w+) \[(?:shape=\w+, )?.*?label="(.*?)"', dot,
                                           re.M)}


def _seed_add_then_multiply():
    x = torch.tensor(1.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = torch.tensor(-3.0, requires_grad=True)
    p = x + y
    p.retain_grad()
    g = p * z
    g.backward()
    return g, {"x": x, "y": y, "z": z, "p": p}


def test_seed_graph_names_values_and_grads() -> None:
    g, names = _seed_add_then_multiply()
    dot = viz.to_dot(g, names)
    labels = _labels(dot)
    assert labels["out"].startswith("output\\nshape ()") and "value -12" in labels["out"]
    assert labels["n0"] == "MulBackward0"
    by_first = {v.split("\\n")[0]: v for v in labels.values()}
    assert "value 1\\ngrad -3" in by_first["x"]
    assert "value 3\\ngrad -3" in by_first["y"]
    assert "value -3\\ngrad 4" in by_first["z"]
    add = by_first["AddBackward0"]
    assert "\\np\\n" in add and "value 4" in add and "grad -3" in add
    # Edges point from a node to its inputs: Mul -> Add and Mul -> z; Add -> x, y.
    edges = re.findall(r"^\s*(n\d+) -> (n\d+)", dot, re.M)
    ids = {v.split("\\n")[0]: k for k, v in labels.items()}
    assert (ids["MulBackward0"], ids["AddBackward0"]) in edges
    assert (ids["MulBackward0"], ids["z"]) in edges
    assert {(ids["AddBackward0"], ids["x"]), (ids["AddBackward0"], ids["y"])} <= set(edges)


def test_before_backward_no_grads_and_unnamed_leaves() -> None:
    a = torch.tensor([2.0, 3.0], requires_grad=True)
    out = (a * a).sum()
    dot = viz.to_dot(out)
    assert not any("grad" in v for v in _labels(dot).values())
    assert dot.count('label="leaf\\nshape (2,)') == 1
    assert "value [2., 3.]" in dot


def test_shared_leaf_drawn_once_and_big_values_elided() -> None:
    b = torch.ones(100, requires_grad=True)
    e = (b + 1) * (b * 2)
    dot = viz.to_dot(e.sum(), {"b": b})
    b_labels = [v for v in _labels(dot).values() if v.startswith("b\\n")]
    assert len(b_labels) == 1 and "value" not in b_labels[0]
    assert "value 400" in _labels(dot)["out"]


def test_large_graph_capped_with_note() -> None:
    t = torch.tensor([1.0], requires_grad=True)
    for _ in range(5000):
        t = t * 1.0
    dot = viz.to_dot(t, max_nodes=10)
    assert dot.count("MulBackward0") == 10
    assert "4991 more nodes not drawn (max_nodes=10)" in dot
    assert "-> more [style=dashed]" in dot


def test_leaf_root_and_bad_arguments() -> None:
    dot = viz.to_dot(torch.tensor(2.5))
    assert "value 2.5" in dot and "->" not in dot
    with pytest.raises(TypeError, match="expected a Tensor"):
        viz.to_dot([1.0])
    with pytest.raises(ValueError, match="max_nodes"):
        viz.to_dot(torch.tensor(1.0), max_nodes=0)
    with pytest.raises(ValueError, match="suffix"):
        viz.draw(torch.tensor(1.0)).render("picture")


def test_dot_file_and_repr_svg(tmp_path) -> None:
    g, names = _seed_add_then_multiply()
    path = viz.draw(g, names).render(tmp_path / "g.dot")
    assert path.read_text().startswith("digraph chaingrad {")
    assert torch.tensor(1.0)._repr_svg_() is None  # no graph: Jupyter shows the text repr
    svg = g._repr_svg_()
    assert svg is None or "<svg" in svg


def test_missing_graphviz_message(monkeypatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_graphviz(name, *args, **kwargs):
        if name == "graphviz":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_graphviz)
    g, _ = _seed_add_then_multiply()
    with pytest.raises(viz.GraphvizMissing, match=r"pip install 'chaingrad\[viz\]'"):
        viz.draw(g).pipe("svg")
    assert viz.draw(g)._repr_svg_() is None
    assert not viz.graphviz_available()


@pytest.mark.skipif(not viz.graphviz_available(), reason="Graphviz (package and dot) not installed")
def test_svg_renders(tmp_path) -> None:
    g, names = _seed_add_then_multiply()
    svg = viz.draw(g, names).render(tmp_path / "g.svg").read_text()
    assert "<svg" in svg and "MulBackward0" in svg and "grad 4" in svg
    assert g._repr_svg_().lstrip().startswith("<?xml")


def test_readme_example_runs(tmp_path, monkeypatch, capsys) -> None:
    import pathlib

    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = readme.split("### Pictures of the graph", 1)[1].split("```python\n", 1)[1]
    code = block.split("```", 1)[0]
    if not viz.graphviz_available():
        code = code.replace('"g.svg"', '"g.dot"')
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert "MulBackward0" in capsys.readouterr().out
    assert len(list(tmp_path.iterdir())) == 1
