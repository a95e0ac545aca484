"""The method registry: the ``@method`` decorator, the :class:`Catalog`, plugins."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import importlib
import inspect
import os
import types
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, TypeVar

import structlog

from odp.catalog.context import MethodContext
from odp.catalog.models import (
    MethodExample,
    MethodKind,
    MethodOutput,
    MethodParams,
    MethodSpec,
    RetryDefaults,
    StaticCheck,
    models_from_signature,
)
from odp.catalog.search import SearchIndex
from odp.errors import CatalogError, DuplicateMethodError, UnknownMethodError

__all__ = ["ENTRY_POINT_GROUP", "Catalog", "SearchHit", "load_catalog", "method"]

ENTRY_POINT_GROUP = "odp.methods"
BUILTINS = "odp.methods:builtin_methods"

P = TypeVar("P", bound=MethodParams)
Out = TypeVar("Out", bound=MethodOutput)

_log = structlog.stdlib.get_logger("odp.catalog")


def method(
    id: str,
    *,
    kind: MethodKind | str,
    summary: str,
    examples: Iterable[MethodExample | dict[str, Any]] = (),
    version: str = "1",
    retry: RetryDefaults | None = None,
    timeout: dt.timedelta | float | None = None,
    queue: str | None = None,
    tags: Iterable[str] = (),
    requires: Iterable[str] = (),
    install_hint: str | None = None,
    checks: Iterable[StaticCheck] = (),
    cacheable: bool = True,
    local: bool = False,
) -> Callable[[Callable[[P, MethodContext], Awaitable[Out]]], MethodSpec[P, Out]]:
    """Declare an async function as a catalog method.

    The params and output models are read from the function's annotations and its
    docstring becomes the description::

        @method("data.rows.filter", kind="transform", summary="Keep rows matching a condition")
        async def filter_rows(params: FilterParams, ctx: MethodContext) -> RowsOutput:
            ...

    Returns:
        A decorator that turns the function into a :class:`MethodSpec`.
    """

    def wrap(fn: Callable[[P, MethodContext], Awaitable[Out]]) -> MethodSpec[P, Out]:
        if not inspect.iscoroutinefunction(fn):
            raise CatalogError(f"method {id!r}: the implementation must be `async def`")
        params_model, output_model = models_from_signature(fn)
        timeout_td = (
            timeout
            if isinstance(timeout, dt.timedelta)
            else dt.timedelta(seconds=timeout)
            if timeout is not None
            else dt.timedelta(minutes=10)
        )
        return MethodSpec(
            id=id,
            kind=MethodKind(kind),
            params_model=params_model,  # type: ignore[arg-type]  # narrowed by models_from_signature
            output_model=output_model,  # type: ignore[arg-type]  # narrowed by models_from_signature
            impl=fn,
            summary=summary,
            description=inspect.cleandoc(fn.__doc__ or summary),
            examples=tuple(
                e if isinstance(e, MethodExample) else MethodExample.model_validate(e)
                for e in examples
            ),
            version=version,
            retry=retry or RetryDefaults(),
            timeout=timeout_td,
            queue=queue,
            tags=tuple(tags),
            requires=tuple(requires),
            install_hint=install_hint,
            checks=tuple(checks),
            cacheable=cacheable,
            local=local,
        )

    return wrap


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result."""

    spec: MethodSpec[Any, Any]
    score: float


class Catalog:
    """The registered methods, by id.

    Args:
        specs: methods to register at once.
    """

    def __init__(self, specs: Iterable[MethodSpec[Any, Any]] = ()) -> None:
        self._specs: dict[str, MethodSpec[Any, Any]] = {}
        self._index: SearchIndex | None = None
        self.load_errors: list[str] = []
        for spec in specs:
            self.register(spec)

    # ------------------------------------------------------------------ registry
    def register(self, spec: MethodSpec[Any, Any], *, replace: bool = False) -> None:
        """Add a method. Registering an id twice is an error unless ``replace``."""
        if spec.id in self._specs and not replace and self._specs[spec.id] is not spec:
            raise DuplicateMethodError(spec.id)
        self._specs[spec.id] = spec
        self._index = None

    def register_all(self, obj: object) -> int:
        """Register what an entry point gives.

        That is a spec, an iterable of specs, a module (every spec among its
        attributes), or a callable returning any of these.

        Returns:
            How many methods were registered.
        """
        specs = list(_collect(obj))
        for spec in specs:
            self.register(spec)
        return len(specs)

    def get(self, method_id: str) -> MethodSpec[Any, Any]:
        """The method with this id.

        Raises:
            UnknownMethodError: with the nearest ids as suggestions.
        """
        try:
            return self._specs[method_id]
        except KeyError:
            raise UnknownMethodError(method_id, self.suggest(method_id)) from None

    def find(self, method_id: str) -> MethodSpec[Any, Any] | None:
        """The method with this id, or None."""
        return self._specs.get(method_id)

    def __contains__(self, method_id: object) -> bool:
        return method_id in self._specs

    def __iter__(self) -> Iterator[MethodSpec[Any, Any]]:
        return iter(sorted(self._specs.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self._specs)

    def ids(self) -> list[str]:
        """Every registered id, sorted."""
        return sorted(self._specs)

    def suggest(self, method_id: str, n: int = 3) -> list[str]:
        """The registered ids closest to ``method_id`` (for 'did you mean')."""
        parts = method_id.split(".")
        scored: list[tuple[float, str]] = []
        for candidate in self._specs:
            other = candidate.split(".")
            if len(parts) == 3 and parts[:2] == other[:2]:
                # same domain and provider: only the action tells them apart
                score = difflib.SequenceMatcher(None, parts[2], other[2]).ratio()
                cutoff = 0.6
            else:
                score = difflib.SequenceMatcher(None, method_id, candidate).ratio()
                cutoff = 0.8  # whole ids share dots and common words: ask for more
            if score >= cutoff:
                scored.append((score, candidate))
        if scored:
            scored.sort(key=lambda item: (-item[0], item[1]))
            return [candidate for _, candidate in scored[:n]]
        # fall back to ids with the same action, then to ids of the same domain
        for position in (-1, 0):
            same = sorted(i for i in self._specs if i.split(".")[position] == parts[position])
            if same:
                return same[:n]
        return []

    # ------------------------------------------------------------------ search
    def _build_index(self) -> SearchIndex:
        index = SearchIndex()
        for spec in self._specs.values():
            id_words = spec.id.replace(".", " ").replace("_", " ")
            fields: list[tuple[str, int]] = [
                (id_words, 4),
                (" ".join(spec.tags), 3),
                (spec.summary, 3),
                (spec.description, 1),
                (" ".join(spec.params_model.model_fields), 1),
                (spec.kind.value, 1),
            ]
            for example in spec.examples:
                fields.append((example.description, 2))
            index.add(spec.id, fields)
        return index

    def search(
        self, text: str, *, kind: MethodKind | str | None = None, limit: int = 10
    ) -> list[SearchHit]:
        """Methods matching free text, best first.

        An exact id ranks first; otherwise BM25 over ids, tags, summaries,
        descriptions, param names and examples.
        """
        if self._index is None:
            self._index = self._build_index()
        keys = (
            [s.id for s in self._specs.values() if s.kind == MethodKind(kind)]
            if kind is not None
            else None
        )
        hits = [SearchHit(self._specs[k], s) for k, s in self._index.search(text, keys=keys)]
        exact = text.strip()
        if exact in self._specs and (keys is None or exact in keys):
            hits = [SearchHit(self._specs[exact], float("inf"))] + [
                h for h in hits if h.spec.id != exact
            ]
        return hits[:limit]


def _collect(obj: object) -> Iterator[MethodSpec[Any, Any]]:
    if isinstance(obj, MethodSpec):
        yield obj
    elif isinstance(obj, types.ModuleType):
        for value in vars(obj).values():
            if isinstance(value, MethodSpec):
                yield value
    elif callable(obj):
        yield from _collect(obj())
    elif isinstance(obj, Iterable) and not isinstance(obj, str | bytes):
        for item in obj:
            yield from _collect(item)
    else:
        raise CatalogError(f"cannot register methods from {obj!r}")


def _load_reference(ref: str) -> object:
    module_name, _, attr = ref.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr) if attr else module


def load_catalog(
    *, builtins: bool = True, plugins: bool = True, modules: Iterable[str] | None = None
) -> Catalog:
    """Build the catalog: ODP's built-in methods and those of installed plugins.

    Plugins are packages that declare an entry point in the group ``odp.methods``
    pointing at a module, a spec, a list of specs or a function returning them. Plain
    modules can be added without packaging through ``modules`` (by default the
    comma-separated ``ODP_PLUGINS`` environment variable, e.g. ``mycompany.methods``
    or ``pkg.module:specs``). A plugin that fails to load is reported in
    :attr:`Catalog.load_errors` and logged; it does not break the catalog.
    """
    catalog = Catalog()
    if builtins:
        catalog.register_all(_load_reference(BUILTINS))
    if not plugins:
        return catalog
    sources: list[tuple[str, str, Callable[[], object]]] = [
        (ep.name, ep.value, ep.load) for ep in entry_points(group=ENTRY_POINT_GROUP)
    ]
    if modules is None:
        modules = [m.strip() for m in os.environ.get("ODP_PLUGINS", "").split(",") if m.strip()]
    sources += [(ref, ref, functools.partial(_load_reference, ref)) for ref in modules]
    for name, value, load in sources:
        try:
            catalog.register_all(load())
        except Exception as e:  # a broken plugin must not break ODP
            message = f"plugin {name!r} ({value}) failed to load: {e}"
            catalog.load_errors.append(message)
            _log.warning("plugin_load_failed", plugin=name, error=str(e))
    return catalog
