from __future__ import annotations

from odp.spec import Position, SourceMap


def test_find_falls_back_to_the_nearest_ancestor_value() -> None:
    smap = SourceMap(
        values={(): Position(1, 1), ("a",): Position(2, 3), ("a", "b"): Position(3, 5)},
        keys={("a",): Position(2, 1), ("a", "b"): Position(3, 3)},
    )
    assert smap.find(("a", "b")) == Position(3, 5)
    assert smap.find(("a", "b"), key=True) == Position(3, 3)
    assert smap.find(("a", "b", 0, "c")) == Position(3, 5)
    # a key without a recorded position: the nearest ancestor value
    assert smap.find(("a", "x"), key=True) == Position(2, 3)
    assert smap.find(("z",)) == Position(1, 1)
    assert SourceMap().find(("a",)) is None


def test_find_template() -> None:
    smap = SourceMap(values={("q",): Position(1, 4)}, templates={("q",): {2: Position(1, 7)}})
    assert smap.find_template(("q",), 2) == Position(1, 7)
    assert smap.find_template(("q",), 9) == Position(1, 4)
    assert smap.find_template(("r",), 0) is None
