"""Models registered outside ODP (no signature, not scikit-learn) still predict."""

from __future__ import annotations

import polars as pl

from odp.artifacts import ArtifactStore
from odp.config import Settings
from odp.methods.ml_predict import PredictParams, predict
from tests.unit.ml.conftest import make_ctx
from tests.unit.ml.foreign import register_doubler


async def test_a_pyfunc_without_signature_scores_every_column(
    store: ArtifactStore, settings: Settings, model_name: str
) -> None:
    version = register_doubler(settings, model_name)
    data = store.write(pl.DataFrame({"x": [1.0, 2.5], "note": ["a", "b"]}))
    out = await predict(
        PredictParams(model=f"{model_name}:{version}", data=data), make_ctx(store, settings)
    )
    assert out.columns_added == ["prediction"]
    assert store.read(out.data)["prediction"].to_list() == [2.0, 5.0]
