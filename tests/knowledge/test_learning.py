"""The model on its own (no database): what each of its parts learns from."""

import dataclasses

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
