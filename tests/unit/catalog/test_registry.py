from __future__ import annotations

import types

import pytest
from pydantic import Field

from odp.catalog import (
    Catalog,
    MethodContext,
    MethodKind,
    MethodOutput,
    MethodParams,
    MethodSpec,
    load_catalog,
    method,
)
from odp.errors import CatalogError, DuplicateMethodError, UnknownMethodError


class EchoParams(MethodParams):
    text: str = Field(description="What to echo.")


class EchoOutput(MethodOutput):
    text: str = Field(description="The same text.")


@method("test.echo.say", kind="transform", summary="Echo text back", tags=("repeat",))
async def echo(params: EchoParams, ctx: MethodContext) -> EchoOutput:
    """Say the text again."""
    return EchoOutput(text=params.text)


def test_decorator_builds_a_spec() -> None:
    assert isinstance(echo, MethodSpec)
    assert echo.id == "test.echo.say"
    assert echo.kind is MethodKind.TRANSFORM
    assert echo.params_model is EchoParams
    assert echo.output_model is EchoOutput
    assert echo.description == "Say the text again."
    info = echo.info()
    assert info.params_schema["properties"]["text"]["description"] == "What to echo."
    assert info.available


async def test_spec_is_callable(ctx: MethodContext) -> None:
    assert (await echo(EchoParams(text="hi"), ctx)).text == "hi"


def test_bad_declarations() -> None:
    with pytest.raises(CatalogError, match=r"domain\.provider\.action"):

        @method("bad", kind="source", summary="x")
        async def one(params: EchoParams, ctx: MethodContext) -> EchoOutput:
            return EchoOutput(text="")

    with pytest.raises(CatalogError, match="async def"):

        @method("a.b.c", kind="source", summary="x")  # type: ignore[arg-type]
        def two(params: EchoParams, ctx: MethodContext) -> EchoOutput:
            return EchoOutput(text="")

    with pytest.raises(CatalogError, match="MethodParams"):

        @method("a.b.c", kind="source", summary="x")  # type: ignore[arg-type]
        async def three(params: int, ctx: MethodContext) -> EchoOutput:
            return EchoOutput(text="")

    with pytest.raises(CatalogError, match="MethodOutput"):

        @method("a.b.c", kind="source", summary="x")  # type: ignore[arg-type]
        async def four(params: EchoParams, ctx: MethodContext) -> int:
            return 1

    with pytest.raises(CatalogError, match=r"\(params, ctx\)"):

        @method("a.b.c", kind="source", summary="x")  # type: ignore[arg-type]
        async def five(params: EchoParams) -> EchoOutput:
            return EchoOutput(text="")


def test_catalog_registry() -> None:
    catalog = Catalog([echo])
    assert "test.echo.say" in catalog
    assert len(catalog) == 1
    assert catalog.get("test.echo.say") is echo
    assert catalog.find("nope.nope.nope") is None
    catalog.register(echo)  # the same spec again is harmless
    clone = MethodSpec(**{f: getattr(echo, f) for f in echo.__dataclass_fields__})
    with pytest.raises(DuplicateMethodError):
        catalog.register(clone)
    catalog.register(clone, replace=True)
    with pytest.raises(UnknownMethodError) as info:
        catalog.get("test.echo.sya")
    assert info.value.suggestions == ["test.echo.say"]
    assert "did you mean" in str(info.value)


def test_register_all_accepts_modules_lists_and_callables() -> None:
    module = types.ModuleType("plugin")
    module.echo = echo  # type: ignore[attr-defined]
    assert Catalog().register_all(module) == 1
    assert Catalog().register_all([echo]) == 1
    assert Catalog().register_all(lambda: [echo]) == 1
    with pytest.raises(CatalogError):
        Catalog().register_all(42)


def test_builtin_catalog(catalog: Catalog) -> None:
    for method_id in (
        "file.csv.read",
        "file.parquet.read",
        "file.jsonl.read",
        "data.rows.filter",
        "data.sql.query",
        "file.csv.write",
        "file.parquet.write",
    ):
        spec = catalog.get(method_id)
        assert spec.examples, method_id
        for name, field in {
            **spec.params_model.model_fields,
            **spec.output_model.model_fields,
        }.items():
            assert field.description, f"{method_id}.{name} has no description"


def test_plugins_by_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeEntryPoint:
        def __init__(self, name: str, target: object) -> None:
            self.name = name
            self.value = f"fake:{name}"
            self._target = target

        def load(self) -> object:
            if isinstance(self._target, Exception):
                raise self._target
            return self._target

    def fake_entry_points(group: str) -> list[FakeEntryPoint]:
        assert group == "odp.methods"
        return [FakeEntryPoint("good", [echo]), FakeEntryPoint("broken", ImportError("boom"))]

    monkeypatch.setattr("odp.catalog.registry.entry_points", fake_entry_points)
    catalog = load_catalog()
    assert "test.echo.say" in catalog
    assert "file.csv.read" in catalog
    assert catalog.load_errors == ["plugin 'broken' (fake:broken) failed to load: boom"]


def test_iteration_is_sorted_by_id(catalog: Catalog) -> None:
    assert [s.id for s in catalog] == catalog.ids() == sorted(catalog.ids())
    assert len(list(catalog)) == len(catalog)


@pytest.mark.parametrize(
    ("wrong", "suggested"),
    [
        ("file.csv.reed", ["file.csv.read"]),
        ("zzz.yyy.read", ["file.csv.read", "file.jsonl.read", "file.parquet.read"]),
        ("data.zzz.yyy", ["data.rows.aggregate", "data.rows.dedupe", "data.rows.filter"]),
        ("zzz.yyy.xxx", []),
        ("nodots", []),
    ],
)
def test_suggestions_for_unknown_ids(catalog: Catalog, wrong: str, suggested: list[str]) -> None:
    assert catalog.suggest(wrong) == suggested


def test_plugins_from_modules_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("odp.catalog.registry.entry_points", lambda group: [])
    monkeypatch.setenv("ODP_PLUGINS", f"{__name__}:echo, no_such_module_for_odp")
    catalog = load_catalog()
    assert "test.echo.say" in catalog
    assert catalog.load_errors == [
        "plugin 'no_such_module_for_odp' (no_such_module_for_odp) failed to load: "
        "No module named 'no_such_module_for_odp'"
    ]
    only_builtins = load_catalog(modules=[])
    assert "test.echo.say" not in only_builtins
    assert "test.echo.say" not in load_catalog(plugins=False)
    assert len(load_catalog(builtins=False, modules=[f"{__name__}:echo"])) == 1


class _Needs(MethodParams):
    text: str = Field(default="", description="Text.")


@method(
    "test.needs.extra",
    kind="transform",
    summary="Needs a package that is not installed",
    requires=("odp_package_that_does_not_exist",),
    install_hint="pip install odp-extra",
)
async def needs_extra(params: _Needs, ctx: MethodContext) -> EchoOutput:
    """Never runs here."""
    return EchoOutput(text="")


def test_a_method_with_a_missing_requirement_is_listed_but_unavailable() -> None:
    reason = "needs odp_package_that_does_not_exist: install it with pip install odp-extra"
    assert needs_extra.unavailable_reason == reason
    info = needs_extra.info()
    assert (info.available, info.unavailable_reason) == (False, reason)
    assert echo.unavailable_reason is None


def test_context_keys_and_heartbeat(store: object) -> None:
    from odp.artifacts import ArtifactStore

    assert isinstance(store, ArtifactStore)
    ctx = MethodContext.for_testing(store, step="s", run_id="r")
    assert ctx.idempotency_key == "r:s"
    assert ctx.heartbeat("progress") is None  # outside an activity: nothing to do
