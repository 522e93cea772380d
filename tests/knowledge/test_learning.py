"""The model on its own (no database): what each of its parts learns from."""

import dataclasses
import pickle
import random
import string

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from knowledge import learning

PRICE = [
    "the board says 6.95 but i paid 8.20",
    "was charged more than what was displayed",
    "till price different to the shelf label",
    "receipt doesnt match the advertised price",
    "got stung an extra 1.25 at the till",
    "paid over the odds compared to the screen",
]
CALLBACK = [
    "promised to ring me back by 5 and still waiting",
    "a manager would phone me next day, never happened",
    "they took my number and said someone would call",
    "third time ive been promised a call back",
    "sat by the phone all afternoon waiting for you",
    "said theyd call once they checked the warehouse",
]
CALM = ["just letting you know.", "small thing, worth fixing for next time."]
UPSET = ["absolutely furious, i want a refund today!", "this is unacceptable, i want compensation now."]


def history():
    """Two causes, 24 cases; the severity follows the closing, whatever the cause."""
    docs = []
    for cause, texts in ((1, PRICE), (2, CALLBACK)):
        for n, text in enumerate(texts * 2):
            closing, severity = (CALM[n % 2], "low") if n % 3 else (UPSET[n % 2], "high")
            docs.append(
                learning.Doc(text=f"{text}. {closing}", root_cause=cause, severity=severity, key=len(docs))
            )
    return docs


def test_severity_follows_how_upset_the_customer_sounds_in_words_it_never_saw():
    model = learning.train(history())

    def severity(text):
        return model.severity(model.vector(learning.Doc(text=text)), text)[0][0]

    assert severity("the callback never came. disgusted, i expect a full refund NOW") == "high"
    assert severity("the callback never came. no rush, only mentioning it") == "low"


def test_the_taxonomy_teaches_the_root_cause_words_its_cases_never_used():
    texts = {1: ["Promotion not applied. Pricing", "Which offers, vouchers and loyalty points combine"]}
    query = learning.Doc(text="my loyalty points and my voucher were ignored")

    taught = learning.train(history(), cause_texts=texts)

    assert taught.root_causes(taught.vector(query))[0][0] == 1
    # The taxonomy's texts are neither counted as triaged cases nor offered as similar ones.
    assert taught.triaged == 24 and len(taught.neighbour_keys) == 24
    assert taught.neighbours.shape[0] == 24


def test_a_cause_no_case_was_triaged_with_is_not_learned_from_its_name_alone():
    model = learning.train(history(), cause_texts={3: ["Training gap. People"]})

    assert sorted(model.cause_model.classes_) == [1, 2]


def test_an_articles_belief_counts_a_close_runner_up_more_than_a_distant_one():
    model = learning.train(history())
    vec = model.vector(learning.Doc(text="the price was wrong"))
    article = [("a", "Offers and codes", {2})]

    close = learning.article_scores(model, vec, [(1, 0.45), (2, 0.40)], article)[0][1]
    distant = learning.article_scores(model, vec, [(1, 0.90), (2, 0.05)], article)[0][1]

    assert close >= learning.ARTICLE_THRESHOLD > distant


def test_an_article_that_says_what_the_customer_says_shows_whatever_the_causes():
    model = learning.train(history())
    text = "the eco packaging price rise at the till"
    vec = model.vector(learning.Doc(text=text))

    scored = learning.article_scores(model, vec, [(1, 0.9), (2, 0.1)], [("a", text, {3}), ("b", text, set())])

    assert all(score >= learning.ARTICLE_THRESHOLD for _, score in scored)


def test_a_model_stored_before_the_urgency_cues_still_answers_severity():
    docs = history()
    model = learning.train(docs)
    older = dataclasses.replace(
        model,
        severity_cues=False,
        severity_model=LogisticRegression().fit(
            model.vectorizer.transform([learning.features(d) for d in docs]), [d.severity for d in docs]
        ),
    )
    restored = learning.Model.loads(older.dumps())

    answer = restored.severity(restored.vector(learning.Doc(text="furious")), "furious")

    assert {value for value, _ in answer} == {"low", "high"}


def made_up_cases(count: int, *, seed: int = 1) -> list[learning.Doc]:
    """`count` cases of 40 words each, drawn from 3,000 made-up words (a wide vocabulary: many
    character n-grams a row, as real mail has)."""
    rng = random.Random(seed)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(3000)]
    return [
        learning.Doc(
            text=" ".join(rng.choices(words, k=40)),
            root_cause=n % 5,
            severity="low" if n % 2 else "high",
            key=n,
        )
        for n in range(count)
    ]


@pytest.fixture
def words_alone(monkeypatch):
    """No sentence model: it has no part in the neighbours these tests check, and a thousand texts
    of made-up words take it most of a minute to embed."""
    monkeypatch.setattr(learning, "EMBEDDING_SHARE", 0.0)


def test_the_stored_model_keeps_only_the_words_of_the_cases_it_compares(words_alone):
    model = learning.train(made_up_cases(1000))

    # Each kept case costs its words in single precision (4 bytes) and their column (4 bytes),
    # not its hundreds of character n-grams in double precision.
    assert model.neighbours.dtype == np.float32
    assert model.neighbours.shape[1] == model.neighbour_columns
    assert model.neighbours.nnz <= 1000 * 42  # 40 words, the product and journey tags
    assert len(pickle.dumps(model.neighbours)) <= 8.5 * model.neighbours.nnz
    assert len(model.dumps()) < 2 * 2**20  # 3.7 MiB when the character n-grams were kept too


def test_similar_cases_are_the_most_similar_among_the_newest_kept(monkeypatch, words_alone):
    monkeypatch.setattr(learning, "NEIGHBOUR_CAP", 300)
    docs = made_up_cases(1000)
    model = learning.train(docs)
    kept = docs[-300:]
    words = model.vectorizer.transformer_list[0][1]
    asked = learning.Doc(text=" ".join(docs[50].text.split()[:20] + docs[900].text.split()[:10]))

    found = model.similar(model.vector(asked), limit=5)

    assert model.neighbour_keys == [d.key for d in kept]
    expected = (
        (
            words.transform([learning.features(d) for d in kept])
            @ words.transform([learning.features(asked)]).T
        )
        .toarray()
        .ravel()
    )
    best = np.argsort(-expected)[:5]
    assert [key for key, _ in found] == [kept[i].key for i in best]
    assert [score for _, score in found] == pytest.approx(expected[best].tolist(), abs=1e-5)
    assert found[0][0] == 900  # case 50 shares more words with it, but is not among the kept


def test_a_model_stored_before_compared_every_column_still_finds_similar_cases():
    docs = history()
    model = learning.train(docs)
    older = dataclasses.replace(
        model,
        neighbours=learning._normalise(model.vectorizer.transform([learning.features(d) for d in docs])),
        neighbour_causes=[d.root_cause for d in docs],
        neighbour_columns=0,
    )
    restored = learning.Model.loads(older.dumps())
    vec = restored.vector(learning.Doc(text="still waiting for the call back they promised"))

    found = restored.similar(vec, limit=3, causes=restored.root_causes(vec))

    assert [docs[key].root_cause for key, _ in found] == [2, 2, 2]


def test_a_model_stored_before_the_sentence_model_still_ranks_causes_by_its_words():
    docs = history()
    model = learning.train(docs)
    older = dataclasses.replace(model)
    for name in ("embedding_model", "context", "embedding_share", "tfidf_columns", "encoder"):
        del older.__dict__[name]  # as a row pickled before these fields existed
    restored = learning.Model.loads(older.dumps())
    query = learning.Doc(text="still waiting for the call back they promised")

    vec = restored.vector(query)
    causes = restored.root_causes(vec)

    assert vec.shape[1] == model.tfidf_columns  # no sentence vector asked for
    assert causes[0][0] == 2
    assert [round(b, 6) for _, b in causes] == [
        round(float(p), 6) for p in sorted(model.cause_model.predict_proba(vec)[0], reverse=True)
    ]
    assert restored.similar(vec, limit=2, causes=causes)


def test_a_model_of_another_sentence_encoder_answers_from_its_words_until_retrained():
    docs = history()
    model = learning.train(docs)
    older = dataclasses.replace(model)
    # As a row stored by the earlier encoder: its second model reads vectors of another size.
    del older.__dict__["encoder"]
    older.token_idf = None
    restored = learning.Model.loads(older.dumps())
    query = learning.Doc(text="still waiting for the call back they promised")

    vec = restored.vector(query)
    causes = restored.root_causes(vec)

    assert not restored.mixes and model.mixes
    assert vec.shape[1] == model.tfidf_columns
    assert [round(b, 6) for _, b in causes] == [
        round(float(p), 6) for p in sorted(model.cause_model.predict_proba(vec)[0], reverse=True)
    ]
