"""Text analysis: sentiment (VADER), language (lingua), hashtags, mentions, URLs and emails.

Each method reads the text column once, works on the distinct non-empty texts only (a
retweet is scored once), and maps the results back with a vectorised lookup. The
analyzers are built once per process and reused: lingua's models take seconds and
about 1 GB to load.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
from pydantic import Field

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext, MethodKind, MethodParams, ParamIssue, method
from odp.errors import MethodError
from odp.methods.tabular import (
    RowsOutput,
    check_columns,
    frame_errors,
    in_thread,
    rows_output,
    scan_data,
)

if TYPE_CHECKING:
    from lingua import LanguageDetector

    from odp.methods._vader import FastAnalyzer

__all__ = [
    "TextParams",
    "check_text_column",
    "detect_language",
    "extract_entities",
    "score_sentiment",
]

POSITIVE_THRESHOLD = 0.05
"""VADER's standard cut-offs: compound >= 0.05 is positive, <= -0.05 negative."""


class TextParams(MethodParams):
    """Which text to analyse."""

    data: DatasetRef = Field(description="The rows holding the text.")
    column: str = Field(default="text", min_length=1, description="The column holding the text.")


def check_text_column(ref: DatasetRef, column: str) -> None:
    """Fail clearly unless ``column`` exists and holds text.

    Raises:
        MethodError: naming the columns there are, or the text columns (not retryable).
    """
    check_columns(ref, [column], field="column")
    kind = next(c.type for c in ref.columns if c.name == column)
    if kind not in ("String", "Null"):
        raise MethodError(
            f"column: {column!r} holds {kind}, not text",
            hint="name a text column: "
            + ", ".join(c.name for c in ref.columns if c.type == "String"),
            field="column",
        )


def _map_distinct(
    ctx: MethodContext,
    params: TextParams,
    analyse: Callable[[list[str]], dict[str, pl.Series]],
) -> RowsOutput:
    """Run ``analyse`` over the distinct non-blank texts and add its columns to every row.

    ``analyse`` gets the distinct texts and returns output columns aligned with them;
    rows whose text is null or blank get nulls.
    """
    frame = scan_data(ctx.store, params.data)
    with frame_errors("read the text", field="column"):
        texts = (
            frame.select(pl.col(params.column).cast(pl.String))
            .filter(pl.col(params.column).str.strip_chars() != "")
            .unique()
            .collect()
            .to_series()
        )
    columns = analyse(texts.to_list())
    added = [
        pl.col(params.column)
        .cast(pl.String)
        .replace_strict(texts, values, default=None, return_dtype=values.dtype)
        .alias(name)
        for name, values in columns.items()
    ]
    with frame_errors("add the results"):
        return rows_output(ctx.store, frame.with_columns(added))


# ---------------------------------------------------------------------- sentiment
@functools.cache
def _analyzer() -> FastAnalyzer:
    """The VADER analyzer, built once per process (it keeps no state between texts)."""
    from odp.methods._vader import FastAnalyzer

    return FastAnalyzer()


def sentiment_scores(texts: list[str]) -> dict[str, pl.Series]:
    """VADER compound scores and their labels for ``texts``."""
    polarity = _analyzer().polarity_scores
    scores = pl.Series("sentiment", [polarity(t)["compound"] for t in texts], dtype=pl.Float64)
    labels = (
        pl.select(
            pl.when(scores >= POSITIVE_THRESHOLD)
            .then(pl.lit("positive"))
            .when(scores <= -POSITIVE_THRESHOLD)
            .then(pl.lit("negative"))
            .otherwise(pl.lit("neutral"))
        )
        .to_series()
        .alias("sentiment_label")
    )
    return {"sentiment": scores, "sentiment_label": labels}


@method(
    "nlp.text.sentiment",
    kind=MethodKind.TRANSFORM,
    summary="Score the sentiment of a text column (VADER)",
    tags=("sentiment", "opinion", "polarity", "positive", "negative", "tone", "vader", "mood"),
    examples=[
        {"description": "Score the posts' text", "params": {"data": "{{ posts.data }}"}},
        {
            "description": "Score article titles",
            "params": {"data": "{{ articles.data }}", "column": "title"},
        },
    ],
)
async def score_sentiment(params: TextParams, ctx: MethodContext) -> RowsOutput:
    """Add `sentiment`, VADER's compound score in [-1, 1], and `sentiment_label`.

    The label is `positive` from 0.05 up, `negative` from -0.05 down, `neutral` between,
    VADER's standard cut-offs. VADER is built for short English social-media text (it reads
    emojis, emoticons, capitals and "!!!"); other languages mostly score neutral. Rows
    with a null or blank text get nulls.
    """
    check_text_column(params.data, params.column)
    return await in_thread(lambda: _map_distinct(ctx, params, sentiment_scores))


# ---------------------------------------------------------------------- language
class LanguageParams(TextParams):
    """Which text to analyse, and among which languages."""

    languages: list[str] | None = Field(
        default=None,
        description="ISO 639-1 codes of the languages to choose among, e.g. [en, de, fr] "
        "(default: all 75 lingua knows). Fewer candidates: more accurate, faster, less memory.",
    )


@functools.cache
def _iso_codes() -> dict[str, Any]:
    """Lower-case ISO 639-1 code -> lingua's code, for every language lingua ships."""
    from lingua import Language

    return {lang.iso_code_639_1.name.lower(): lang.iso_code_639_1 for lang in Language.all()}


def _language_issues(params: Mapping[str, Any]) -> list[ParamIssue]:
    languages = params.get("languages")
    if not isinstance(languages, list):
        return []
    known = _iso_codes()
    unknown = [str(c) for c in languages if str(c).lower() not in known]
    if unknown:
        return [
            ParamIssue(
                "languages",
                f"unknown language code(s): {', '.join(unknown)}",
                hint="use ISO 639-1 codes lingua knows: " + ", ".join(sorted(known)),
            )
        ]
    if len({str(c).lower() for c in languages}) < 2:
        return [ParamIssue("languages", "name at least two languages to choose among")]
    return []


@functools.cache
def language_detector(languages: frozenset[str] | None = None) -> LanguageDetector:
    """The lingua detector for these candidate languages, built once per process.

    Models load lazily, the first time a text could be in their language.
    """
    from lingua import LanguageDetectorBuilder

    if languages is None:
        builder = LanguageDetectorBuilder.from_all_languages()
    else:
        codes = _iso_codes()
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*(codes[c] for c in languages))
    return builder.build()


def language_columns(detector: LanguageDetector, texts: list[str]) -> dict[str, pl.Series]:
    """The most likely language of each text (ISO 639-1) and lingua's confidence in it."""
    codes: list[str | None] = []
    confidences: list[float | None] = []
    for values in detector.compute_language_confidence_values_in_parallel(texts):
        best = values[0] if values else None
        if best is None or best.value <= 0:
            codes.append(None)
            confidences.append(None)
        else:
            codes.append(best.language.iso_code_639_1.name.lower())
            confidences.append(best.value)
    return {
        "language": pl.Series("language", codes, dtype=pl.String),
        "language_confidence": pl.Series("language_confidence", confidences, dtype=pl.Float64),
    }


@method(
    "nlp.text.language",
    kind=MethodKind.TRANSFORM,
    summary="Detect the language of a text column (lingua)",
    tags=("language", "detect language", "lang", "identify", "multilingual", "lingua"),
    checks=(_language_issues,),
    examples=[
        {"description": "Detect the posts' language", "params": {"data": "{{ posts.data }}"}},
        {
            "description": "Tell English, German and French apart",
            "params": {"data": "{{ posts.data }}", "languages": ["en", "de", "fr"]},
        },
    ],
)
async def detect_language(params: LanguageParams, ctx: MethodContext) -> RowsOutput:
    """Add `language` (ISO 639-1, lower case, e.g. `en`) and `language_confidence` in [0, 1].

    Detection uses lingua in high-accuracy mode over all the languages it knows, or only
    over `languages`. The confidence is lingua's relative confidence in the chosen
    language; short texts get lower values. Null, blank or undecidable texts get nulls.
    The first run in a process loads the language models (a few seconds).
    """
    issues = _language_issues(params.model_dump())
    if issues:
        raise MethodError(issues[0].message, hint=issues[0].hint, field="languages")
    check_text_column(params.data, params.column)
    wanted = frozenset(c.lower() for c in params.languages) if params.languages else None

    def work() -> RowsOutput:
        detector = language_detector(wanted)
        return _map_distinct(ctx, params, functools.partial(language_columns, detector))

    return await in_thread(work)


# ---------------------------------------------------------------------- extract
Kind = Literal["hashtags", "mentions", "urls", "emails"]
_KINDS: tuple[Kind, ...] = ("hashtags", "mentions", "urls", "emails")

# polars speaks Rust regex: no look-behind, so the character before a tag is matched
# and stripped afterwards. A tag needs a letter (#2024 is not a hashtag).
_PATTERNS: dict[str, tuple[str, str | None]] = {
    "hashtags": (r"(?:^|[^\w&/#@])#\w*[^\W\d]\w*", r"^[^#]*#"),
    "mentions": (r"(?:^|[^\w@.#/])@\w{1,30}", r"^[^@]*@"),
    "urls": (r"(?i)\b(?:https?://|www\.)[^\s<>\"']+", r"[.,;:!?)\]}]+$"),
    "emails": (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", None),
}


class ExtractParams(TextParams):
    """Which text to read, and what to find in it."""

    kinds: list[Kind] = Field(
        default_factory=lambda: list(_KINDS),
        min_length=1,
        description="What to extract: any of hashtags, mentions, urls, emails "
        "(one list column each, named after the kind).",
    )


@method(
    "nlp.text.extract",
    kind=MethodKind.TRANSFORM,
    summary="Extract hashtags, mentions, URLs and emails from text",
    tags=("hashtags", "mentions", "urls", "links", "emails", "extract", "entities", "tags"),
    examples=[
        {
            "description": "Hashtags and mentions of each post",
            "params": {"data": "{{ posts.data }}", "kinds": ["hashtags", "mentions"]},
        }
    ],
)
async def extract_entities(params: ExtractParams, ctx: MethodContext) -> RowsOutput:
    """Add one list-of-text column per kind: `hashtags`, `mentions`, `urls`, `emails`.

    Hashtags and mentions come without their `#` / `@`, as written (`#AI` gives `AI`);
    URLs lose trailing punctuation; an email address is not taken for a mention. A text
    with nothing found gets an empty list; a null text gets null.
    """
    check_text_column(params.data, params.column)
    text = pl.col(params.column)
    added = []
    for kind in dict.fromkeys(params.kinds):
        pattern, strip = _PATTERNS[kind]
        found = text.str.extract_all(pattern)
        if strip is not None:
            found = found.list.eval(pl.element().str.replace(strip, ""))
        added.append(found.alias(kind))

    def work() -> RowsOutput:
        frame = scan_data(ctx.store, params.data).with_columns(added)
        with frame_errors("extract from the text", field="column"):
            return rows_output(ctx.store, frame)

    return await in_thread(work)
