"""nlp.text.sentiment, nlp.text.language and nlp.text.extract on real multilingual text."""

from __future__ import annotations

import random

import polars as pl
import pytest
from pydantic import ValidationError
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from odp.artifacts import DatasetRef
from odp.catalog import MethodContext
from odp.errors import MethodError
from odp.methods import nlp
from odp.methods._vader import FastAnalyzer

POSITIVE = [
    "I absolutely love this phone, the camera is amazing!",
    "What a wonderful day, thank you all so much :)",
    "Best concert ever, the band was GREAT 😍",
]
NEGATIVE = [
    "This is the worst service I have ever had. Terrible and rude.",
    "I hate waiting, the delay is awful and nobody cares!!!",
    "The update broke everything, really disappointed 😡",
]
NEUTRAL = ["The meeting is at 10am in room 4.", "The train leaves from platform 2."]

TRICKY = [
    "The food was not good at all",
    "It isn't a horrible book, kind of good though",
    "Never so happy, without doubt the best",
    "At least it works, but the screen is bad",
    "That movie was the bomb, a real kiss of death for rivals",
    "VERY GOOD but NOT great!!!",
    "meh ...",
    "",
    "   ",
    "Yay 🎉🎉 party time 👍🏽 ok",
    "cut the mustard? hardly",
    "no good, no bad, no problem",
]


@pytest.fixture
def posts(ctx: MethodContext) -> DatasetRef:
    texts = [*POSITIVE, *NEGATIVE, *NEUTRAL, None, "", POSITIVE[0]]
    return ctx.store.write(pl.DataFrame({"id": range(len(texts)), "text": texts}))


def rows(ctx: MethodContext, ref: DatasetRef) -> list[dict[str, object]]:
    return ctx.store.read(ref).to_dicts()


# ---------------------------------------------------------------------- sentiment
async def test_sentiment_labels_clear_sentences(ctx: MethodContext, posts: DatasetRef) -> None:
    out = await nlp.score_sentiment(nlp.TextParams(data=posts), ctx)
    assert out.data.column_names == ["id", "text", "sentiment", "sentiment_label"]
    got = rows(ctx, out.data)
    labels = [r["sentiment_label"] for r in got]
    assert labels[:3] == ["positive"] * 3
    assert labels[3:6] == ["negative"] * 3
    assert labels[6:8] == ["neutral"] * 2
    assert got[8]["sentiment"] is None and got[8]["sentiment_label"] is None  # null stays null
    assert got[9]["sentiment"] is None  # blank text: nothing to score
    assert got[10]["sentiment"] == got[0]["sentiment"]  # duplicates scored alike
    reference = SentimentIntensityAnalyzer()
    for row in got[:8]:
        assert row["sentiment"] == reference.polarity_scores(row["text"])["compound"]
        assert -1 <= row["sentiment"] <= 1  # type: ignore[operator]


async def test_sentiment_other_column_and_errors(ctx: MethodContext) -> None:
    ref = ctx.store.write(pl.DataFrame({"title": ["Great news!"], "n": [1]}))
    out = await nlp.score_sentiment(nlp.TextParams(data=ref, column="title"), ctx)
    assert rows(ctx, out.data)[0]["sentiment_label"] == "positive"
    with pytest.raises(MethodError, match="'text'") as err:
        await nlp.score_sentiment(nlp.TextParams(data=ref), ctx)
    assert err.value.hint == "the data has: title, n"
    with pytest.raises(MethodError, match="holds Int64, not text") as err:
        await nlp.score_sentiment(nlp.TextParams(data=ref, column="n"), ctx)
    assert err.value.hint == "name a text column: title"


async def test_sentiment_on_empty_data(ctx: MethodContext) -> None:
    ref = ctx.store.write(pl.DataFrame({"text": pl.Series([], dtype=pl.String)}))
    out = await nlp.score_sentiment(nlp.TextParams(data=ref), ctx)
    assert out.count == 0
    assert out.data.column_names == ["text", "sentiment", "sentiment_label"]


def test_fast_analyzer_matches_reference() -> None:
    """Every score of the faster analyzer equals vaderSentiment's own."""
    reference, fast = SentimentIntensityAnalyzer(), FastAnalyzer()
    rng = random.Random(7)
    sentence = (
        "the update is really great and I love it but battery life terrible honestly not good "
        "at all kind of meh service slow awful amazing never so without doubt least the bomb "
        "kiss of death VERY GOOD no isn't don't ain't sort of hardly extremely bad :) :( :D "
        "😍 👍🏽 💔 🙂 ! ? ... LOL"
    )
    vocabulary = sentence.split()
    texts = [*POSITIVE, *NEGATIVE, *NEUTRAL, *TRICKY]
    texts += [
        " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 40)))
        + rng.choice(["", "!", "!!!", "?", "??", "????", " :)"])
        for _ in range(3000)
    ]
    for text in texts:
        assert fast.polarity_scores(text) == reference.polarity_scores(text), text


# ---------------------------------------------------------------------- language
MULTILINGUAL = {
    "en": "The weather is lovely today and we are going for a long walk in the park.",
    "de": "Das Wetter ist heute wunderschön und wir machen einen langen Spaziergang im Park.",
    "fr": "Il fait très beau aujourd'hui et nous allons faire une longue promenade au parc.",
    "es": "Hoy hace muy buen tiempo y vamos a dar un largo paseo por el parque.",
    "it": "Oggi il tempo è bellissimo e faremo una lunga passeggiata nel parco.",
}


@pytest.mark.slow
async def test_language_of_clear_texts(ctx: MethodContext) -> None:
    texts = [*MULTILINGUAL.values(), None, "  ", MULTILINGUAL["de"]]
    ref = ctx.store.write(pl.DataFrame({"body": texts}))
    out = await nlp.detect_language(nlp.LanguageParams(data=ref, column="body"), ctx)
    got = rows(ctx, out.data)
    assert [r["language"] for r in got] == ["en", "de", "fr", "es", "it", None, None, "de"]
    for row in got[:5]:
        assert 0 < row["language_confidence"] <= 1  # type: ignore[operator]
    assert got[5]["language_confidence"] is None


async def test_language_among_given_languages(ctx: MethodContext) -> None:
    ref = ctx.store.write(pl.DataFrame({"text": [MULTILINGUAL[c] for c in ("de", "fr", "es")]}))
    out = await nlp.detect_language(nlp.LanguageParams(data=ref, languages=["de", "fr", "ES"]), ctx)
    assert [r["language"] for r in rows(ctx, out.data)] == ["de", "fr", "es"]


async def test_language_code_errors(ctx: MethodContext) -> None:
    ref = ctx.store.write(pl.DataFrame({"text": ["hello"]}))
    with pytest.raises(MethodError, match="unknown language code") as err:
        await nlp.detect_language(nlp.LanguageParams(data=ref, languages=["en", "xx"]), ctx)
    assert err.value.hint is not None and "de" in err.value.hint
    with pytest.raises(MethodError, match="at least two"):
        await nlp.detect_language(nlp.LanguageParams(data=ref, languages=["en"]), ctx)


# ---------------------------------------------------------------------- extract
async def test_extract_kinds(ctx: MethodContext) -> None:
    texts = [
        "Loving #AI and #MachineLearning! cc @openai @bob_99 see https://x.com/a?b=1). "
        "Mail ann.lee@example.org",
        "C# and url.com/#frag, a#b, #2024 is a year, www.exemple.fr/page.",
        "Écrit #été par @zoé",
        None,
        "nothing here",
    ]
    ref = ctx.store.write(pl.DataFrame({"text": texts}))
    out = await nlp.extract_entities(nlp.ExtractParams(data=ref), ctx)
    assert out.data.column_names == ["text", "hashtags", "mentions", "urls", "emails"]
    got = rows(ctx, out.data)
    assert got[0]["hashtags"] == ["AI", "MachineLearning"]
    assert got[0]["mentions"] == ["openai", "bob_99"]  # the email is not a mention
    assert got[0]["urls"] == ["https://x.com/a?b=1"]
    assert got[0]["emails"] == ["ann.lee@example.org"]
    assert got[1]["hashtags"] == []
    assert got[1]["urls"] == ["www.exemple.fr/page"]
    assert got[2]["hashtags"] == ["été"] and got[2]["mentions"] == ["zoé"]
    assert got[3]["hashtags"] is None
    assert got[4] == {
        "text": "nothing here",
        "hashtags": [],
        "mentions": [],
        "urls": [],
        "emails": [],
    }


async def test_extract_some_kinds(ctx: MethodContext) -> None:
    ref = ctx.store.write(pl.DataFrame({"t": ["#a @b"]}))
    out = await nlp.extract_entities(
        nlp.ExtractParams(data=ref, column="t", kinds=["mentions"]), ctx
    )
    assert rows(ctx, out.data) == [{"t": "#a @b", "mentions": ["b"]}]
    with pytest.raises(ValidationError):
        nlp.ExtractParams(data=ref, kinds=["phones"])  # type: ignore[list-item]
