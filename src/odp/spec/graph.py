"""The step graph: cycles, a topological order, and a Mermaid picture."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["find_cycles", "mermaid", "topological_order"]


def find_cycles(deps: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Every elementary cycle found by a depth-first walk, each reported once.

    Args:
        deps: for each step, the steps it needs.
    """
    cycles: list[list[str]] = []
    seen_sets: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in deps.get(node, ()):
            if nxt not in deps:
                continue
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                key = frozenset(cycle)
                if key not in seen_sets:
                    seen_sets.add(key)
                    # report in dependency order: a needs b needs ... needs a
                    cycles.append(list(cycle))
            elif state.get(nxt) is None:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in deps:
        if node not in state:
            visit(node)
    return cycles


def topological_order(deps: Mapping[str, Sequence[str]]) -> list[str]:
    """Steps ordered so that each comes after what it needs (declaration order breaks ties).

    Raises:
        ValueError: when the graph has a cycle.
    """
    order: list[str] = []
    done: set[str] = set()
    remaining = list(deps)
    while remaining:
        ready = [n for n in remaining if all(d in done or d not in deps for d in deps[n])]
        if not ready:
            raise ValueError("the step graph has a cycle: " + ", ".join(remaining))
        for node in ready:
            order.append(node)
            done.add(node)
        remaining = [n for n in remaining if n not in done]
    return order


def mermaid(deps: Mapping[str, Sequence[str]], labels: Mapping[str, str] | None = None) -> str:
    """The graph as Mermaid ``flowchart`` text (producers point at consumers)."""
    lines = ["flowchart LR"]
    labels = labels or {}
    for node in deps:
        label = labels.get(node, node).replace('"', "'")
        lines.append(f'    {node}["{label}"]')
    for node, needs in deps.items():
        for dep in needs:
            lines.append(f"    {dep} --> {node}")
    return "\n".join(lines) + "\n"
