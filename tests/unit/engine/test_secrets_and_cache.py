from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from odp.artifacts import ArtifactStore
from odp.engine.cache import StepCache, cache_key
from odp.engine.secrets import SecretMissingError, Secrets, mask, read_secrets_file
from odp.errors import ConfigError, SpecError
from odp.spec import KEEP, DeferredText, resolve_templates


def test_secrets_file_format(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    path.write_text(
        "# a comment\n\nexport TOKEN='abc def'\nURL=\"postgres://u:p@h/db\"\nPLAIN=x=y\nnot a pair\n"
    )
    assert read_secrets_file(path) == {
        "TOKEN": "abc def",
        "URL": "postgres://u:p@h/db",
        "PLAIN": "x=y",
    }
    with pytest.raises(ConfigError, match="cannot read the secrets file"):
        read_secrets_file(tmp_path / "missing.env")


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    path.write_text("A=from-file\nB=only-file\n")
    secrets = Secrets(path, environ={"A": "from-env"})
    assert secrets.get("A") == "from-env"
    assert secrets.get("B") == "only-file"
    with pytest.raises(SecretMissingError) as info:
        secrets.get("C")
    assert info.value.name == "C"
    assert "ODP_SECRETS_FILE" in (info.value.hint or "")
    with pytest.raises(SecretMissingError):
        Secrets(None, environ={}).get("A")


def test_resolve_fills_only_secrets() -> None:
    secrets = Secrets(None, environ={"T": "s3cret"})
    params = {"h": "Bearer {{ secrets.T }}", "n": "{{ secrets.T }}", "keep": "{{ s.data }}", "x": 1}
    deferred: list[DeferredText] = []
    kept = resolve_templates(
        params, lambda ref: KEEP if ref.root == "secrets" else ref.text, deferred=deferred
    )
    resolved, used = secrets.resolve(kept, deferred)
    assert resolved == {"h": "Bearer s3cret", "n": "s3cret", "keep": "{{ s.data }}", "x": 1}
    assert used == ["s3cret", "s3cret"]
    assert mask("login s3cret failed at s3cret", used) == "login *** failed at ***"
    assert mask("ab is too short to mask", ["ab"]) == "ab is too short to mask"


def test_values_that_hold_a_secret_template_do_not_reveal_it() -> None:
    # {{ params.q }} was given "{{ secrets.T }}" (a user's --param, a scraped page):
    # the workflow resolved it to that text, which is not a lookup of the pipeline
    secrets = Secrets(None, environ={"T": "s3cret"})
    resolved, used = secrets.resolve({"q": "{{ secrets.T }}", "t": "x {{ y"})
    assert resolved == {"q": "{{ secrets.T }}", "t": "x {{ y"}
    assert used == []
    with pytest.raises(SpecError, match="is not a secret"):
        secrets.resolve({"a": "x"}, [DeferredText(path=["a"], pieces=["", ""], refs=["{{ a.b }}"])])


def test_cache_keys() -> None:
    ref = {"uri": "/a/x.parquet", "sha256": "abc", "rows": 3, "preview": [{"a": 1}]}
    moved = {**ref, "uri": "/b/x.parquet", "preview": []}
    base = cache_key("m.a.b", "1", {"data": ref, "n": 1})
    assert base == cache_key("m.a.b", "1", {"n": 1, "data": moved})  # same content, same key
    assert base != cache_key("m.a.b", "2", {"data": ref, "n": 1})
    assert base != cache_key("m.a.b", "1", {"data": {**ref, "sha256": "def"}, "n": 1})
    assert base != cache_key("m.a.b", "1", {"data": ref, "n": 1}, ["secret"])
    assert cache_key("m.a.b", "1", {"l": [ref]}) == cache_key("m.a.b", "1", {"l": [moved]})


def test_step_cache_round_trip(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    cache = StepCache(store)
    ref = store.write(pl.DataFrame({"a": [1]}))
    output = {"data": ref.model_dump(mode="json"), "count": 1, "nested": [{"x": 1}]}
    assert cache.get("k" * 64) is None
    cache.put("k" * 64, output)
    assert cache.get("k" * 64) == output
    Path(ref.uri).unlink()  # a cached output whose dataset is gone is a miss
    assert cache.get("k" * 64) is None
    (tmp_path / "default" / "cache" / "zz").mkdir(parents=True)
    (tmp_path / "default" / "cache" / "zz" / f"{'z' * 64}.json").write_text("{not json")
    assert cache.get("z" * 64) is None
