"""Write the breast cancer example data from scikit-learn's bundled copy (no download).

    python examples/data/make_breast_cancer.py

The Wisconsin diagnostic breast cancer dataset (569 tumours, 30 measurements each) ships
inside scikit-learn. This script shuffles it with a fixed seed and writes three files:

- breast_cancer.csv           369 labelled rows, to train on
- breast_cancer_holdout.csv   100 labelled rows, to evaluate and gate promotions on
- breast_cancer_incoming.csv  100 rows without the label, to score

Running it again writes the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from sklearn.datasets import load_breast_cancer

HERE = Path(__file__).resolve().parent


def main() -> None:
    bunch = load_breast_cancer(as_frame=False)
    columns = [name.replace(" ", "_") for name in bunch.feature_names]
    frame = pl.DataFrame(bunch.data, schema=columns, orient="row").with_columns(
        pl.Series("diagnosis", [bunch.target_names[t] for t in bunch.target])
    )
    frame = frame.with_row_index("patient_id", offset=1)
    order = np.random.default_rng(20240601).permutation(frame.height)
    frame = frame[order.tolist()]
    frame[:369].write_csv(HERE / "breast_cancer.csv")
    frame[369:469].write_csv(HERE / "breast_cancer_holdout.csv")
    frame[469:].drop("diagnosis").write_csv(HERE / "breast_cancer_incoming.csv")


if __name__ == "__main__":
    main()
