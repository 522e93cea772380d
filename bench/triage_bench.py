"""Assisted triage on the labelled set (bench/triage_labelled.jsonl): trains on its training part,
measures on the test part (phrasings and closings never seen in training), beside the
majority-class baseline, for each candidate model. CPU only, a few seconds.

    .venv/bin/python bench/triage_bench.py
"""

import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import ComplementNB

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.triage_set import ARTICLES, CAUSES  # noqa: E402
from knowledge import learning  # noqa: E402

ITEMS = [
    json.loads(line) for line in Path(__file__).with_name("triage_labelled.jsonl").read_text().splitlines()
]
CAUSE_IDS = {name: i for i, name in enumerate(CAUSES)}
CATEGORY = {name: category for name, (category, *_) in CAUSES.items()}


def doc(item, key):
    return learning.Doc(
        text=item["text"],
        product=item["product"],
        journey_stage=item["journey_stage"],
        root_cause=CAUSE_IDS[item["root_cause"]],
        severity=item["severity"],
        key=key,
    )


def evaluate(rank_causes, train, test, model=None):
    """rank_causes(doc) -> cause ids best first; the rest uses the trained linear model."""
    figures = Counter()
    for item, d in test:
        ranked = rank_causes(d)
        figures["top1"] += ranked[:1] == [d.root_cause]
        figures["top3"] += d.root_cause in ranked[:3]
        figures["category"] += bool(ranked) and CATEGORY[list(CAUSES)[ranked[0]]] == item["category"]
    return {k: v / len(test) for k, v in figures.items()}


def main():
    train = [(i, doc(i, n)) for n, i in enumerate(ITEMS) if i["split"] == "train"]
    test = [(i, doc(i, n)) for n, i in enumerate(ITEMS) if i["split"] == "test"]
    causes_train = [d.root_cause for _, d in train]
    started = time.perf_counter()
    model = learning.train([d for _, d in train])
    train_seconds = time.perf_counter() - started
    print(
        f"{len(ITEMS)} complaints: {len(train)} train, {len(test)} test, {len(CAUSES)} causes, "
        f"{len({i['business'] for i in ITEMS})} businesses; trained in {train_seconds:.2f} s"
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

    # Candidates for the root cause.
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

    rows = {"majority class": base}
    for name, rank in (
        ("TF-IDF + logistic regression (chosen)", linear),
        ("TF-IDF nearest neighbours (k=7 vote)", knn),
        ("TF-IDF words + complement naive Bayes", bayes),
    ):
        rows[name] = evaluate(rank, train, test)

    # Severity, similar cases, articles: the chosen model.
    sev = sum(model.severity(model.vector(d))[0][0] == i["severity"] for i, d in test) / len(test)
    rows["TF-IDF + logistic regression (chosen)"]["severity"] = sev
    precision5 = []
    for _, d in test:
        vec = model.vector(d)
        found = model.similar(vec, limit=5, causes=model.root_causes(vec, limit=len(CAUSES)))
        precision5.append(sum(CAUSE_IDS[ITEMS[k]["root_cause"]] == d.root_cause for k, _ in found) / 5)
    # Majority baseline for similar cases: five cases of the most common cause.
    base_p5 = sum(d.root_cause == majority_cause[0][0] for _, d in test) / len(test)

    articles = [
        (key, f"{title}\n{body}", {CAUSE_IDS[cause]}) for key, (title, cause, body) in ARTICLES.items()
    ]
    hits = applies = false = none = 0
    for item, d in test:
        vec = model.vector(d)
        shown = [
            k
            for k, s in learning.article_scores(model, vec, model.root_causes(vec), articles)
            if s >= learning.ARTICLE_THRESHOLD
        ][:3]
        if item["article"]:
            applies += 1
            hits += item["article"] in shown
        else:
            none += 1
            false += bool(shown)
    # Baseline: always show the article of the most common cause (recall) / never show (false rate 0).
    common_article = Counter(i["article"] for i, _ in train if i["article"]).most_common(1)[0][0]
    base_recall = sum(i["article"] == common_article for i, _ in test if i["article"]) / applies

    print(
        "\n| candidate | root cause top-1 | top-3 | category top-1 | severity top-1 |\n|---|---|---|---|---|"
    )
    for name, f in rows.items():
        print(
            f"| {name} | {f['top1']:.2f} | {f['top3']:.2f} | {f['category']:.2f} | {f['severity']:.2f} |"
            if "severity" in f
            else f"| {name} | {f['top1']:.2f} | {f['top3']:.2f} | {f['category']:.2f} | - |"
        )
    print("\n| figure | chosen model | majority baseline |\n|---|---|---|")
    print(f"| similar cases precision@5 | {np.mean(precision5):.2f} | {base_p5:.2f} |")
    print(f"| article recall@3 (where one applies, n={applies}) | {hits / applies:.2f} | {base_recall:.2f} |")
    print(
        f"| false-article rate (where none applies, n={none}) | {false / none:.2f} "
        "| 1.00 (always show) / 0.00 (never) |"
    )

    # Latency of one suggestion (vectorise, two models, neighbours, articles).
    times = []
    for _, d in test:
        t = time.perf_counter()
        vec = model.vector(d)
        learning.article_scores(model, vec, model.root_causes(vec), articles)
        model.severity(vec)
        model.similar(vec)
        times.append(time.perf_counter() - t)
    print(
        f"\nsuggestion latency in-process: p50 {np.percentile(times, 50) * 1000:.1f} ms, "
        f"p95 {np.percentile(times, 95) * 1000:.1f} ms; model blob {len(model.dumps()) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
