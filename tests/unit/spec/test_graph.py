from __future__ import annotations

import pytest

from odp.spec import find_cycles, mermaid, topological_order


def test_no_cycles_in_a_dag_with_shared_and_unknown_dependencies() -> None:
    deps = {"a": [], "b": ["a"], "c": ["a", "b"], "d": ["c", "ghost"]}
    assert find_cycles(deps) == []
    assert topological_order(deps) == ["a", "b", "c", "d"]


def test_cycles_are_found_once_each_in_dependency_order() -> None:
    deps = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["d"], "e": ["a"]}
    assert find_cycles(deps) == [["a", "b", "c"], ["d"]]


def test_a_cycle_reached_twice_is_reported_once() -> None:
    # b → c → b is reached from a and from d
    assert find_cycles({"a": ["b"], "b": ["c"], "c": ["b"], "d": ["c"]}) == [["b", "c"]]


def test_topological_order_keeps_declaration_order_between_independent_steps() -> None:
    assert topological_order({"z": [], "y": ["z"], "x": []}) == ["z", "x", "y"]


def test_topological_order_refuses_a_cycle() -> None:
    with pytest.raises(ValueError, match="the step graph has a cycle: a, b"):
        topological_order({"a": ["b"], "b": ["a"], "c": []})


def test_mermaid() -> None:
    text = mermaid({"read": [], "save": ["read"]}, {"read": 'read<br/>"file"'})
    assert text == (
        'flowchart LR\n    read["read<br/>\'file\'"]\n    save["save"]\n    read --> save\n'
    )
    assert mermaid({}) == "flowchart LR\n"
