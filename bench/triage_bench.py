"""Assisted triage on the labelled set (bench/triage_labelled.jsonl): chooses the article threshold
on held-out folds of the training part, then trains on the whole training part and measures on the
test part (phrasings and closings never seen in training), beside the majority-class baseline,
for each candidate model. CPU only, under a minute.

    .venv/bin/python bench/triage_bench.py [--sweep [--held-out-only]]

`--sweep` first prints the held-out figures of the settings the chosen ones were picked among
(about ten minutes).

The held-out folds hold out what the test part holds out, so a held-out complaint is new wording
too; nothing is tuned on the test part. Root cause and articles: 12 cells of (phrasing fold,
closing fold), each measured by a model trained on the complaints of the other phrasings and the
other closings (every complaint is held out once). Severity: 3 folds by closing. The earlier
folds held out phrasings only, keeping the closings seen: their article threshold let more false
articles through on the test part, whose closings are new too (bench/README.md).
"""

import argparse
import difflib
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import ComplementNB

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.triage_set import ARTICLES, CAUSES, CLOSINGS  # noqa: E402
from knowledge import learning, urgency  # noqa: E402

ITEMS = [
    json.loads(line) for line in Path(__file__).with_name("triage_labelled.jsonl").read_text().splitlines()
]
CAUSE_IDS = {name: i for i, name in enumerate(CAUSES)}
CATEGORY = {name: category for name, (category, *_) in CAUSES.items()}
FOLDS = 4
CLOSING_FOLDS = 3
# The goal the threshold is chosen for: the most recall at this false-article rate or below.
FALSE_ARTICLE_GOAL = 0.15
CHOSEN = "TF-IDF + logistic regression, mixed with a sentence-vector model (chosen)"
THRESHOLDS = [round(t, 2) for t in np.arange(0.05, 0.61, 0.01)]


def doc(item, key):
    return learning.Doc(
        text=item["text"],
        product=item["product"],
        journey_stage=item["journey_stage"],
        root_cause=CAUSE_IDS[item["root_cause"]],
        severity=item["severity"],
        key=key,
    )


def articles():
    return [(key, f"{title}\n{body}", {CAUSE_IDS[cause]}) for key, (title, cause, body) in ARTICLES.items()]


def cause_texts():
    """What the product passes to train(): each cause's name and category, its articles' text."""
    texts = {CAUSE_IDS[name]: [f"{name}. {category}"] for name, (category, *_) in CAUSES.items()}
    for _, text, causes in articles():
        for cause in causes:
            texts[cause].append(text)
    return texts


def fold_of(train):
    """(phrasing fold, closing fold) of each training item: the set is generated phrasing by
    phrasing in order within a cause, and each closing is recognised at the end of the text."""
    seen = Counter()
    phrasing, closing = [], []
    for item, _ in train:
        n = seen[item["root_cause"]]
        seen[item["root_cause"]] += 1
        phrasing.append(n % len(CAUSES[item["root_cause"]][2]) % FOLDS)
        candidates = CLOSINGS[item["severity"]][0]
        tail = item["text"].lower()

        def likeness(j, tail=tail, candidates=candidates):
            wanted = candidates[j].lower()
            return difflib.SequenceMatcher(None, tail[-len(wanted) - 3 :], wanted).ratio()

        closing.append(max(range(len(candidates)), key=likeness) % 3)
    return phrasing, closing


def shown_articles(model, d, threshold):
    vec = model.vector(d)
    scored = learning.article_scores(model, vec, model.root_causes(vec), articles())
    return [k for k, s in scored if s >= threshold][:3]


def article_figures(rows, threshold):
    """rows: (item, scored articles) -> (recall@3 where one applies, false-article rate)."""
    hits = applies = false = none = 0
    for item, scored in rows:
        shown = [k for k, s in scored if s >= threshold][:3]
        if item["article"]:
            applies += 1
            hits += item["article"] in shown
        else:
            none += 1
            false += bool(shown)
    return hits / applies, false / none


def scored_articles(model, d):
    vec = model.vector(d)
    return learning.article_scores(model, vec, model.root_causes(vec), articles())


def cross_validate(train, *, taxonomy=True, severity=True, design="cells"):
    """Held-out folds of the training part: figures of the current settings, and the article
    threshold that gives the most recall within the false-article goal. `design` "cells" holds out
    a phrasing fold and a closing fold at once (as the test part does); "phrasing" the phrasing
    fold only (the earlier design, printed beside for comparison)."""
    phrasing, closing = fold_of(train)
    figures = Counter()
    article_rows = []
    texts = cause_texts() if taxonomy else None
    cells = (
        [(p, c) for p in range(FOLDS) for c in range(CLOSING_FOLDS)]
        if design == "cells"
        else [(p, None) for p in range(FOLDS)]
    )
    for held_phrasing, held_closing in cells:
        fit = [
            d
            for (_, d), f, g in zip(train, phrasing, closing, strict=True)
            if f != held_phrasing and (held_closing is None or g != held_closing)
        ]
        model = learning.train(fit, cause_texts=texts)
        for (item, d), f, g in zip(train, phrasing, closing, strict=True):
            if f == held_phrasing and (held_closing is None or g == held_closing):
                ranked = [c for c, _ in model.root_causes(model.vector(d))]
                figures["top1"] += ranked[:1] == [d.root_cause]
                figures["top3"] += d.root_cause in ranked[:3]
                article_rows.append((item, scored_articles(model, d)))
    for fold in range(CLOSING_FOLDS if severity else 0):
        fit = [d for (_, d), f in zip(train, closing, strict=True) if f != fold]
        model = learning.train(fit, cause_texts=cause_texts())
        for (item, d), f in zip(train, closing, strict=True):
            if f == fold:
                figures["severity"] += model.severity(model.vector(d), d.text)[0][0] == item["severity"]
    sweep = [(t, *article_figures(article_rows, t)) for t in THRESHOLDS]
    within = [row for row in sweep if row[2] <= FALSE_ARTICLE_GOAL]
    chosen = max(within, key=lambda row: (row[1], -row[2]))
    return {k: v / len(train) for k, v in figures.items()}, chosen


ORIGINAL_VECTORIZER = learning._vectorizer


def _vectorizer_with(*, weights=None, context=False):
    """The product's vectoriser with its parts weighed otherwise, or with the product, journey stage
    and channel tokens as a part of their own (a candidate, not the product's)."""

    def make():
        union = ORIGINAL_VECTORIZER()
        if context:
            union.transformer_list.append(("context", TfidfVectorizer(token_pattern=r"\bzz\w+")))
        union.transformer_weights = weights
        return union

    return make


# (label, settings) the chosen ones were picked among; each changes the chosen settings in one way.
SWEEP = [
    ("chosen", {}),
    ("no sentence model (the earlier)", {"EMBEDDING_SHARE": 0.0}),
    ("sentence model weighs 0.2", {"EMBEDDING_SHARE": 0.2}),
    ("sentence model weighs 0.3 (the earlier)", {"EMBEDDING_SHARE": 0.3}),
    ("sentence model weighs 0.5", {"EMBEDDING_SHARE": 0.5}),
    ("sentence model: product and channel too", {"CONTEXT": ("journey_stage", "product", "channel")}),
    ("sentence model: stage weighs 3", {"CONTEXT_WEIGHT": 3.0}),
    ("sentence model: stage weighs 0.5", {"CONTEXT_WEIGHT": 0.5}),
    ("sentence model: C 3", {"EMBEDDING_C": 3.0}),
    ("sentence model: C 30", {"EMBEDDING_C": 30.0}),
    ("character n-grams seen twice at least (the earlier setting)", {"CHAR_MIN_DF": 2}),
    ("character n-grams 2-5", {"CHAR_NGRAMS": (2, 5)}),
    ("character n-grams 3-6", {"CHAR_NGRAMS": (3, 6)}),
    ("character n-grams weigh 1.5", {"_vectorizer": _vectorizer_with(weights={"words": 1.0, "chars": 1.5})}),
    ("words weigh 1.5", {"_vectorizer": _vectorizer_with(weights={"words": 1.5, "chars": 1.0})}),
    (
        "product, stage and channel as a part of their own, weighing 0.3",
        {"_vectorizer": _vectorizer_with(weights={"words": 1, "chars": 1, "context": 0.3}, context=True)},
    ),
    ("articles: similarity over every column (the earlier)", {"article_similarity": "every column"}),
    ("articles: words alone shown from 0.20 (the earlier)", {"WORDS_ALONE": 0.20}),
    ("articles: no words-alone path", {"WORDS_ALONE": 10.0}),
    ("word pairs too", {"WORD_NGRAMS": (1, 2)}),
    ("C 2", {"CAUSE_C": 2.0}),
    ("C 10", {"CAUSE_C": 10.0}),
    ("C 20", {"CAUSE_C": 20.0}),
    ("taxonomy texts weigh 3 (the earlier setting)", {"TAXONOMY_WEIGHT": 3.0}),
    ("taxonomy texts weigh 8", {"TAXONOMY_WEIGHT": 8.0}),
    ("taxonomy texts weigh 1", {"TAXONOMY_WEIGHT": 1.0}),
    ("no taxonomy texts", {"taxonomy": False}),
    ("severity: no urgency cues", {"urgency.WEIGHT": 0.0}),
    ("severity: cues weigh 1", {"urgency.WEIGHT": 1.0}),
    ("severity: C 10", {"SEVERITY_C": 10.0}),
]


def _similarity_over_every_column(model, vec, texts):
    """The earlier article similarity: character n-grams too (a candidate, not the product's)."""
    if not texts:
        return []
    other = learning._normalise(model.vectorizer.transform(texts))
    return (other @ model._tfidf(vec).T).toarray().ravel().tolist()


def sweep(train):
    print("\n| settings (held-out folds of the training part) | top-1 | top-3 | severity | articles |")
    print("|---|---|---|---|---|")
    for label, changes in SWEEP:
        saved = {}
        for name, value in changes.items():
            if name == "taxonomy":
                continue
            if name == "article_similarity":
                saved[(learning.Model, "text_similarity")] = learning.Model.text_similarity
                learning.Model.text_similarity = _similarity_over_every_column
                continue
            owner, attr = (urgency, name.split(".")[1]) if name.startswith("urgency.") else (learning, name)
            saved[(owner, attr)] = getattr(owner, attr)
            setattr(owner, attr, value)
        try:
            cv, (threshold, recall, false) = cross_validate(train, taxonomy=changes.get("taxonomy", True))
        finally:
            for (owner, attr), value in saved.items():
                setattr(owner, attr, value)
        print(
            f"| {label} | {cv['top1']:.3f} | {cv['top3']:.3f} | {cv['severity']:.3f} "
            f"| recall@3 {recall:.2f}, false {false:.2f} at {threshold:.2f} |",
            flush=True,
        )


def evaluate(rank_causes, test):
    """rank_causes(doc) -> cause ids best first."""
    figures = Counter()
    for item, d in test:
        ranked = rank_causes(d)
        figures["top1"] += ranked[:1] == [d.root_cause]
        figures["top3"] += d.root_cause in ranked[:3]
        figures["category"] += bool(ranked) and CATEGORY[list(CAUSES)[ranked[0]]] == item["category"]
    return {k: v / len(test) for k, v in figures.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument(
        "--held-out-only", action="store_true", help="stop after the sweep: choose without the test part"
    )
    args = parser.parse_args()
    train = [(i, doc(i, n)) for n, i in enumerate(ITEMS) if i["split"] == "train"]
    test = [(i, doc(i, n)) for n, i in enumerate(ITEMS) if i["split"] == "test"]
    causes_train = [d.root_cause for _, d in train]
    if args.sweep:
        sweep(train)
    if args.held_out_only:
        cv, (threshold, cv_recall, cv_false) = cross_validate(train)
        print(f"held out: {dict(cv)}; article threshold {threshold:.2f} ({cv_recall:.3f}, {cv_false:.3f})")
        return

    started = time.perf_counter()
    cv, (threshold, cv_recall, cv_false) = cross_validate(train)
    cv_seconds = time.perf_counter() - started
    cv_phrasing, (threshold_p, recall_p, false_p) = cross_validate(train, severity=False, design="phrasing")
    started = time.perf_counter()
    model = learning.train([d for _, d in train], cause_texts=cause_texts())
    train_seconds = time.perf_counter() - started
    print(
        f"{len(ITEMS)} complaints: {len(train)} train, {len(test)} test, {len(CAUSES)} causes, "
        f"{len({i['business'] for i in ITEMS})} businesses; trained in {train_seconds:.2f} s "
        f"(cross-validation {cv_seconds:.0f} s)"
    )
    print(
        f"\nHeld-out folds of the training part (new phrasings / closings): root cause top-1 "
        f"{cv['top1']:.3f}, top-3 {cv['top3']:.3f}, severity {cv['severity']:.3f}; article threshold "
        f"chosen {threshold:.2f} (recall@3 {cv_recall:.3f}, false-article {cv_false:.3f}); "
        f"the product's ARTICLE_THRESHOLD is {learning.ARTICLE_THRESHOLD:.2f}"
    )
    print(
        f"Held out by phrasing only (the earlier folds, for comparison): top-1 {cv_phrasing['top1']:.3f}, "
        f"top-3 {cv_phrasing['top3']:.3f}; article threshold {threshold_p:.2f} (recall@3 {recall_p:.3f}, "
        f"false-article {false_p:.3f})"
    )

    majority_cause = Counter(causes_train).most_common(3)
    majority_sev = Counter(i["severity"] for i, _ in train).most_common(1)[0][0]
    majority_cat = Counter(i["category"] for i, _ in train).most_common(1)[0][0]
    base = {
        "top1": sum(d.root_cause == majority_cause[0][0] for _, d in test) / len(test),
        "top3": sum(d.root_cause in {c for c, _ in majority_cause} for _, d in test) / len(test),
        "category": sum(i["category"] == majority_cat for i, _ in test) / len(test),
        "severity": sum(i["severity"] == majority_sev for i, _ in test) / len(test),
    }

    def linear(d):
        return [c for c, _ in model.root_causes(model.vector(d))]

    def knn(d, k=7):
        votes = Counter()
        for key, score in model.similar(model.vector(d), limit=k):
            votes[ITEMS[key]["root_cause"]] += score
        return [CAUSE_IDS[name] for name, _ in votes.most_common()]

    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    nb = ComplementNB(alpha=0.3).fit(
        words.fit_transform([learning.features(d) for _, d in train]), causes_train
    )

    def bayes(d):
        probs = nb.predict_proba(words.transform([learning.features(d)]))[0]
        return [int(nb.classes_[i]) for i in np.argsort(-probs)]

    saved, learning.EMBEDDING_SHARE = learning.EMBEDDING_SHARE, 0.0
    words_alone = learning.train([d for _, d in train], cause_texts=cause_texts())
    learning.EMBEDDING_SHARE = saved

    def tfidf_alone(d):
        return [c for c, _ in words_alone.root_causes(words_alone.vector(d))]

    def sentences_alone(d):
        vec = model.vector(d)[:, model.tfidf_columns :]
        probs = model.embedding_model.predict_proba(vec)[0]
        return [int(model.embedding_model.classes_[i]) for i in np.argsort(-probs)]

    rows = {"majority class": base}
    for name, rank in (
        (CHOSEN, linear),
        ("TF-IDF + logistic regression alone (the earlier model)", tfidf_alone),
        ("sentence vectors + journey stage, logistic regression alone", sentences_alone),
        ("TF-IDF nearest neighbours (k=7 vote)", knn),
        ("TF-IDF words + complement naive Bayes", bayes),
    ):
        rows[name] = evaluate(rank, test)

    sev = sum(model.severity(model.vector(d), d.text)[0][0] == i["severity"] for i, d in test) / len(test)
    rows[CHOSEN]["severity"] = sev
    precision5, similar_shown, similar_right = [], [], []
    for _, d in test:
        vec = model.vector(d)
        found = model.similar(vec, limit=5, causes=model.root_causes(vec, limit=len(CAUSES)))
        precision5.append(sum(CAUSE_IDS[ITEMS[k]["root_cause"]] == d.root_cause for k, _ in found) / 5)
        shown = [k for k, s in found if s >= learning.ARTICLE_THRESHOLD]
        similar_shown.append(len(shown))
        similar_right.extend(CAUSE_IDS[ITEMS[k]["root_cause"]] == d.root_cause for k in shown)
    base_p5 = sum(d.root_cause == majority_cause[0][0] for _, d in test) / len(test)

    test_articles = [(item, scored_articles(model, d)) for item, d in test]
    recall, false = article_figures(test_articles, learning.ARTICLE_THRESHOLD)
    applies = sum(bool(i["article"]) for i, _ in test)
    common_article = Counter(i["article"] for i, _ in train if i["article"]).most_common(1)[0][0]
    base_recall = sum(i["article"] == common_article for i, _ in test if i["article"]) / applies

    print(
        "\n| candidate | root cause top-1 | top-3 | category top-1 | severity top-1 |\n|---|---|---|---|---|"
    )
    for name, f in rows.items():
        # Three decimals: 0.547 is one complaint short of a goal of 0.55, not on it.
        severity = f"{f['severity']:.3f}" if "severity" in f else "-"
        print(f"| {name} | {f['top1']:.3f} | {f['top3']:.3f} | {f['category']:.3f} | {severity} |")
    print("\n| figure | chosen model | majority baseline |\n|---|---|---|")
    print(f"| similar cases precision@5 | {np.mean(precision5):.2f} | {base_p5:.2f} |")
    print(
        f"| similar cases shown at the threshold: per complaint, of its root cause | "
        f"{np.mean(similar_shown):.2f}, {np.mean(similar_right):.2f} | |"
    )
    print(f"| article recall@3 (where one applies, n={applies}) | {recall:.2f} | {base_recall:.2f} |")
    print(
        f"| false-article rate (where none applies, n={len(test) - applies}) | {false:.2f} "
        "| 1.00 (always show) / 0.00 (never) |"
    )
    print("\nthe test part at other thresholds (shown after the choice, never used for it):")
    for t in (threshold - 0.05, threshold - 0.02, threshold, threshold + 0.02, threshold + 0.05):
        print(f"  {t:.2f}: recall@3 %.2f, false-article %.2f" % article_figures(test_articles, t))

    times = []
    for _, d in test:
        t = time.perf_counter()
        vec = model.vector(d)
        learning.article_scores(model, vec, model.root_causes(vec), articles())
        model.severity(vec, d.text)
        model.similar(vec)
        times.append(time.perf_counter() - t)
    print(
        f"\nsuggestion latency in-process: p50 {np.percentile(times, 50) * 1000:.1f} ms, "
        f"p95 {np.percentile(times, 95) * 1000:.1f} ms; model blob {len(model.dumps()) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
