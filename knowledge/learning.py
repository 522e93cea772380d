"""The assisted triage's model: TF-IDF over the complaint's words (and its product, journey stage
and channel as tokens), a linear model per question (root cause, severity), and the triaged cases'
vectors for "similar past cases". No ORM here: the bench trains and measures the same code.

Chosen over nearest-neighbour voting and naive Bayes on the labelled set in bench/ (see
bench/README.md): it ranks best and answers in a few milliseconds at 100k cases.
"""

import pickle
import re
import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import FeatureUnion

# Below this many triaged cases (or fewer than two causes) the model says so instead of guessing.
MIN_TRIAGED = 20
# Similar cases are looked for among the newest triaged cases only: bounded memory and time.
NEIGHBOUR_CAP = 50_000


@dataclass(frozen=True)
class Doc:
    text: str
    product: str = ""
    journey_stage: str = ""
    channel: str = ""
    root_cause: int | None = None
    severity: str = ""
    key: object = None  # the case's id (or the bench item's index)


def features(doc: Doc) -> str:
    product = re.sub(r"\W", "", doc.product.lower())
    tags = [f"zzproduct{product}", f"zzjourney{doc.journey_stage}"]
    if doc.channel:
        tags.append(f"zzchannel{doc.channel}")
    return f"{doc.text}\n{' '.join(tags)}"


def _vectorizer() -> FeatureUnion:
    # Words carry the meaning; character n-grams inside words survive the typos ("recieved").
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode"),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, max_features=200_000
                ),
            ),
        ]
    )


def _normalise(matrix):
    norms = np.sqrt(matrix.multiply(matrix).sum(axis=1)).A1
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


@dataclass
class Model:
    vectorizer: FeatureUnion
    cause_model: object  # LogisticRegression or SGDClassifier; None below two causes
    severity_model: object
    neighbours: object  # rows: normalised vectors of the newest triaged cases
    neighbour_keys: list = field(default_factory=list)
    neighbour_causes: list = field(default_factory=list)
    triaged: int = 0

    def vector(self, doc: Doc):
        return _normalise(self.vectorizer.transform([features(doc)]))

    def root_causes(self, vec, limit: int = 5) -> list[tuple[int, float]]:
        if self.cause_model is None:
            return []
        probs = self.cause_model.predict_proba(vec)[0]
        order = np.argsort(-probs)[:limit]
        return [(int(self.cause_model.classes_[i]), float(probs[i])) for i in order]

    def severity(self, vec) -> list[tuple[str, float]]:
        if self.severity_model is None:
            return []
        probs = self.severity_model.predict_proba(vec)[0]
        order = np.argsort(-probs)
        return [(str(self.severity_model.classes_[i]), float(probs[i])) for i in order]

    def similar(self, vec, limit: int = 5, exclude=None, causes=None) -> list[tuple[object, float]]:
        """The nearest triaged cases by their words; given the suggested `causes`, those whose
        root cause the model believes in come first (what worked for this kind of problem)."""
        if self.neighbours is None or not self.neighbour_keys:
            return []
        scores = (self.neighbours @ vec.T).toarray().ravel()
        if causes:
            belief = dict(causes)
            weights = np.array([0.2 + belief.get(c, 0.0) for c in self.neighbour_causes])
            scores = scores * weights / weights.max()
        take = min(limit + 1, len(scores))
        top = np.argpartition(-scores, take - 1)[:take]
        ranked = sorted(top, key=lambda i: -scores[i])
        found = [
            (self.neighbour_keys[i], float(scores[i])) for i in ranked if self.neighbour_keys[i] != exclude
        ]
        return [(k, s) for k, s in found[:limit] if s > 0]

    def text_similarity(self, vec, texts: list[str]) -> list[float]:
        if not texts:
            return []
        other = _normalise(self.vectorizer.transform(texts))
        return (other @ vec.T).toarray().ravel().tolist()

    def dumps(self) -> bytes:
        return zlib.compress(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL), 3)

    @staticmethod
    def loads(blob: bytes) -> "Model":
        return pickle.loads(zlib.decompress(blob))  # noqa: S301 - our own row, written by train()


class TooFewTriaged(Exception):
    pass


# Above this many cases the exact solver gives way to stochastic gradient descent (same loss, so
# the scores stay probabilities), which trains in a few passes over the data.
SGD_FROM = 20_000


def _classifier(labels: list):
    if len(set(labels)) < 2:
        return None
    if len(labels) >= SGD_FROM:
        return SGDClassifier(loss="log_loss", alpha=1e-6, max_iter=10, tol=None, class_weight="balanced")
    return LogisticRegression(C=20.0, max_iter=2000, class_weight="balanced")


def train(docs: list[Doc]) -> Model:
    """`docs`: triaged cases, oldest first. Raises TooFewTriaged below MIN_TRIAGED or one cause."""
    labelled = [d for d in docs if d.root_cause is not None]
    if len(labelled) < MIN_TRIAGED or len({d.root_cause for d in labelled}) < 2:
        raise TooFewTriaged(f"{len(labelled)} triaged cases; suggestions start at {MIN_TRIAGED}.")
    vectorizer = _vectorizer()
    matrix = _normalise(vectorizer.fit_transform([features(d) for d in labelled]).tocsr())
    causes = [d.root_cause for d in labelled]
    cause_model = _classifier(causes)
    cause_model.fit(matrix, causes)
    severities = [d.severity for d in labelled if d.severity]
    severity_model = _classifier(severities)
    if severity_model is not None:
        rows = [i for i, d in enumerate(labelled) if d.severity]
        severity_model.fit(matrix[rows], severities)
    recent = slice(max(0, len(labelled) - NEIGHBOUR_CAP), len(labelled))
    return Model(
        vectorizer=vectorizer,
        cause_model=cause_model,
        severity_model=severity_model,
        neighbours=matrix[recent],
        neighbour_keys=[d.key for d in labelled[recent]],
        neighbour_causes=causes[recent],
        triaged=len(labelled),
    )


# Articles: the linear model's belief in the causes an article answers, and the words it shares
# with the complaint. Below the threshold the UI shows nothing (a sweep on the bench: bench/README.md).
ARTICLE_THRESHOLD = 0.2


def article_scores(model: Model, vec, causes: list[tuple[int, float]], articles: list[tuple]) -> list[tuple]:
    """`articles`: (key, text, cause ids) that apply to the case; -> (key, score) best first."""
    if not articles:
        return []
    belief = dict(causes)
    sims = model.text_similarity(vec, [text for _, text, _ in articles])
    scored = []
    for (key, _, cause_ids), sim in zip(articles, sims, strict=True):
        by_cause = max((belief.get(c, 0.0) for c in cause_ids), default=0.0)
        # An article that says what the customer says applies even when the causes are unsure.
        score = max(0.7 * by_cause + 0.3 * sim, sim) if cause_ids else sim
        scored.append((key, round(float(score), 4)))
    return sorted(scored, key=lambda pair: -pair[1])
