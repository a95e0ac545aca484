"""Clusters: the step asked for, after the embedding, not the goal said first."""

from __future__ import annotations

from odp.agent.offline import OfflinePlanner
from tests.unit.agent.offline.conftest import methods, step


def test_topics_said_first_and_clustering_asked_later(planner: OfflinePlanner) -> None:
    draft = planner.plan(
        "I want to see which topics come up in data/notes.csv: embed the text, "
        "make 8 clusters, save to out/n.parquet"
    )
    assert methods(draft) == [
        "file.csv.read",
        "ml.text.embed",
        "ml.text.cluster",
        "file.parquet.write",
    ]
    assert step(draft, "ml.text.cluster") == {
        "data": "{{ embedded.data }}",
        "column": "embedding",
        "k": 8,
    }


def test_topics_alone_still_ask_for_clusters(planner: OfflinePlanner) -> None:
    draft = planner.plan("read data/notes.csv and find the 4 main topics, then save to out/n.csv")
    assert methods(draft) == ["file.csv.read", "ml.text.cluster", "file.csv.write"]
    assert step(draft, "ml.text.cluster")["k"] == 4
