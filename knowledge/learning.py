"""The assisted triage's model: TF-IDF over the complaint's words (and its product, journey stage
and channel as tokens), a linear model per question (root cause, severity), and the newest triaged
cases' word vectors for "similar past cases". No ORM here: the bench trains and measures the same code.

A second root-cause model reads the complaint's sentence vector (`embedding`), which knows that
words the cases never used mean what theirs do; the two models' probabilities are mixed.

The root-cause model also learns from the taxonomy's own words (each cause's name and category,
and the articles that answer it), which name what 20 cases per cause may never say. The severity
model sees the same text plus cues of how upset and urgent the customer sounds (`urgency`):
severity follows the tone, not the cause.

Chosen over nearest-neighbour voting, naive Bayes and calibrated probabilities on the labelled set
in bench/, settings by cross-validation on its training part (see bench/README.md): it ranks best.
Its size, retraining time and latency at 100k cases are in the same file.
"""

import pickle
import re
import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import FeatureUnion

from . import embedding, urgency

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
    # The text's sentence vector when already known (stored with the case), else computed.
    vector: object = field(default=None, compare=False, repr=False)


def features(doc: Doc) -> str:
    product = re.sub(r"\W", "", doc.product.lower())
    tags = [f"zzproduct{product}", f"zzjourney{doc.journey_stage}"]
    if doc.channel:
        tags.append(f"zzchannel{doc.channel}")
    return f"{doc.text}\n{' '.join(tags)}"


# Word n-grams: single words; word pairs scored lower on held-out phrasings (bench/README.md).
WORD_NGRAMS = (1, 1)
# Character n-grams seen in one text only are kept: with 20 cases per cause they are often a
# cause's only trace of a rarer word, and held-out folds ranked better with them (bench/README.md).
# At 100,000 cases they add about 6% to the vocabulary (41k -> 44k n-grams), far below the cap.
CHAR_NGRAMS = (3, 5)
CHAR_MIN_DF = 1


def _vectorizer() -> FeatureUnion:
    # Words carry the meaning; character n-grams inside words survive the typos ("recieved").
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(ngram_range=WORD_NGRAMS, sublinear_tf=True, strip_accents="unicode"),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=CHAR_NGRAMS,
                    sublinear_tf=True,
                    min_df=CHAR_MIN_DF,
                    max_features=200_000,
                ),
            ),
        ]
    )


# The second root-cause model reads the complaint's sentence vector (`embedding`) and its journey
# stage as one-hot columns (the product and channel too ranked lower); its probabilities weigh
# EMBEDDING_SHARE in the mix. Chosen on held-out folds of the labelled set's training part
# (bench/README.md).
EMBEDDING_SHARE = 0.4
EMBEDDING_C = 10.0
CONTEXT = ("journey_stage",)
CONTEXT_WEIGHT = 1.0


def _context(doc: Doc) -> dict:
    return {f"{name}={getattr(doc, name)}": CONTEXT_WEIGHT for name in CONTEXT if getattr(doc, name)}


def sentence_vectors(docs: list[Doc]) -> np.ndarray:
    """The docs' sentence vectors: those they carry, the others computed."""
    missing = [i for i, d in enumerate(docs) if d.vector is None]
    computed = embedding.embed([docs[i].text for i in missing]) if missing else None
    out = np.zeros((len(docs), embedding.DIMENSIONS), dtype=np.float32)
    for i, d in enumerate(docs):
        if d.vector is not None:
            out[i] = d.vector
    if missing:
        out[missing] = computed
    return out


def _dense(docs: list[Doc], context: DictVectorizer) -> np.ndarray:
    """The second model's columns: the sentence vector, then the context one-hot. Dense: at 100k
    cases, building them as a sparse matrix took 6 s and its fit ran slower."""
    return np.hstack([sentence_vectors(docs), context.transform([_context(d) for d in docs]).toarray()])


def _normalise(matrix):
    norms = np.sqrt(matrix.multiply(matrix).sum(axis=1)).A1
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


@dataclass
class Model:
    vectorizer: FeatureUnion
    cause_model: object  # LogisticRegression or SGDClassifier; None below two causes
    severity_model: object
    neighbours: object  # rows: the newest triaged cases' vectors over `neighbour_columns`, normalised
    neighbour_keys: list = field(default_factory=list)
    neighbour_causes: object = field(default_factory=list)  # their root causes, row by row
    triaged: int = 0
    # The severity model also reads the urgency cues (False in a model stored before it did).
    severity_cues: bool = False
    # Neighbours are compared over the vector's first columns only, the words (0 in a model stored
    # before: every column, character n-grams included).
    neighbour_columns: int = 0
    # The second root-cause model, over the columns after the first `tfidf_columns` (None, 0 in a
    # model stored before it: the TF-IDF model alone, every column).
    embedding_model: object = None
    context: object = None
    embedding_share: float = 0.0
    tfidf_columns: int = 0
    # The sentence encoder the second model learnt from (`embedding.NAME`); a model stored with
    # another encoder answers from its TF-IDF model alone until it is retrained.
    encoder: str = ""

    @property
    def mixes(self) -> bool:
        return self.embedding_model is not None and self.encoder == embedding.NAME

    def vector(self, doc: Doc):
        """The TF-IDF vector, then (with the second model) the sentence vector and context."""
        tfidf = _normalise(self.vectorizer.transform([features(doc)]))
        if not self.mixes:
            return tfidf
        return sparse.hstack([tfidf, sparse.csr_matrix(_dense([doc], self.context))]).tocsr()

    def _tfidf(self, vec):
        return vec[:, : self.tfidf_columns] if self.tfidf_columns else vec

    def root_causes(self, vec, limit: int = 5) -> list[tuple[int, float]]:
        if self.cause_model is None:
            return []
        probs = self.cause_model.predict_proba(self._tfidf(vec))[0]
        if self.mixes:
            other = self.embedding_model.predict_proba(vec[:, self.tfidf_columns :])[0]
            probs = (1 - self.embedding_share) * probs + self.embedding_share * other
        order = np.argsort(-probs)[:limit]
        return [(int(self.cause_model.classes_[i]), float(probs[i])) for i in order]

    def severity(self, vec, text: str) -> list[tuple[str, float]]:
        """`vec` from `vector()`, `text` the complaint's own words (for the urgency cues)."""
        if self.severity_model is None:
            return []
        vec = self._tfidf(vec)
        if self.severity_cues:
            vec = sparse.hstack([vec, urgency.cue_matrix([text])]).tocsr()
        probs = self.severity_model.predict_proba(vec)[0]
        order = np.argsort(-probs)
        return [(str(self.severity_model.classes_[i]), float(probs[i])) for i in order]

    def similar(self, vec, limit: int = 5, exclude=None, causes=None) -> list[tuple[object, float]]:
        """The nearest triaged cases by their words; given the suggested `causes`, those whose
        root cause the model believes in come first (what worked for this kind of problem).
        Their score is then the geometric mean of the shared words and that belief: the same
        ranking as the product, but on the other suggestions' scale, so that the UI's one
        threshold also shows past cases of the believed cause worded differently."""
        if self.neighbours is None or not self.neighbour_keys:
            return []
        query = _normalise(vec[:, : self.neighbour_columns]) if self.neighbour_columns else self._tfidf(vec)
        # A dense query makes this one pass over the stored rows (sparse times sparse was most of
        # a suggestion's time at 50,000 rows).
        scores = self.neighbours @ query.toarray().ravel().astype(self.neighbours.dtype)
        if causes:
            scores = np.sqrt(np.maximum(scores, 0) * _belief_weights(causes, self.neighbour_causes))
        take = min(limit + 1, len(scores))
        top = np.argpartition(-scores, take - 1)[:take]
        ranked = sorted(top, key=lambda i: -scores[i])
        found = [
            (self.neighbour_keys[i], float(scores[i])) for i in ranked if self.neighbour_keys[i] != exclude
        ]
        return [(k, s) for k, s in found[:limit] if s > 0]

    def text_similarity(self, vec, texts: list[str]) -> list[float]:
        """Cosine over the words the texts share (an article's, with the complaint). Over every
        column, the character n-grams an article's own rare words bring dilute it: on held-out
        folds the words alone gave the articles more recall within the false-article goal
        (bench/README.md). A model stored before `neighbour_columns` compares every column."""
        if not texts:
            return []
        other, vec = self.vectorizer.transform(texts), self._tfidf(vec)
        if self.neighbour_columns:
            other, vec = other[:, : self.neighbour_columns], vec[:, : self.neighbour_columns]
        return (_normalise(other) @ _normalise(vec).T).toarray().ravel().tolist()

    def dumps(self) -> bytes:
        return zlib.compress(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL), 3)

    @staticmethod
    def loads(blob: bytes) -> "Model":
        return pickle.loads(zlib.decompress(blob))  # noqa: S301 - our own row, written by train()


def _belief_weights(causes: list[tuple[int, float]], neighbour_causes) -> np.ndarray:
    """0.2 plus the model's belief in each neighbour's root cause, scaled to a maximum of 1."""
    rows = np.asarray(neighbour_causes, dtype=np.int64)
    ids = np.array([c for c, _ in causes], dtype=np.int64)
    beliefs = np.array([b for _, b in causes], dtype=float)
    order = np.argsort(ids)
    ids, beliefs = ids[order], beliefs[order]
    at = np.minimum(np.searchsorted(ids, rows), len(ids) - 1)
    weights = 0.2 + np.where(ids[at] == rows, beliefs[at], 0.0)
    return weights / weights.max()


class TooFewTriaged(Exception):
    pass


# Above this many cases the exact solver gives way to stochastic gradient descent (same loss, so
# the scores stay probabilities), which trains in a few passes over the data.
SGD_FROM = 20_000
# Inverse regularisation of the two linear models, and how much one taxonomy text weighs against
# one triaged case: chosen by cross-validation on the labelled set's training part (bench/README.md).
CAUSE_C = 5.0
SEVERITY_C = 1.0
TAXONOMY_WEIGHT = 5.0


def _classifier(labels: list, c: float):
    if len(set(labels)) < 2:
        return None
    if len(labels) >= SGD_FROM:
        return SGDClassifier(loss="log_loss", alpha=1e-6, max_iter=10, tol=None, class_weight="balanced")
    return LogisticRegression(C=c, max_iter=2000, class_weight="balanced")


def train(docs: list[Doc], *, cause_texts: dict[int, list[str]] | None = None) -> Model:
    """`docs`: triaged cases, oldest first. `cause_texts`: for a cause id, texts that say what it
    is (its name and category, the articles that answer it); they teach the root-cause model
    words the cases may lack, and are neither counted nor offered as similar cases. Raises
    TooFewTriaged below MIN_TRIAGED or one cause."""
    labelled = [d for d in docs if d.root_cause is not None]
    if len(labelled) < MIN_TRIAGED or len({d.root_cause for d in labelled}) < 2:
        raise TooFewTriaged(f"{len(labelled)} triaged cases; suggestions start at {MIN_TRIAGED}.")
    seen = {d.root_cause for d in labelled}
    # Only for causes the organisation has triaged: a cause is suggested once a lead has used it.
    taxonomy = [
        Doc(text=t, root_cause=c) for c, texts in (cause_texts or {}).items() if c in seen for t in texts
    ]
    vectorizer = _vectorizer()
    everything = _normalise(vectorizer.fit_transform([features(d) for d in labelled + taxonomy]).tocsr())
    matrix = everything[: len(labelled)]
    causes = [d.root_cause for d in labelled]
    cause_model = _classifier(causes, CAUSE_C)
    weights = np.array([1.0] * len(labelled) + [TAXONOMY_WEIGHT] * len(taxonomy))
    targets = causes + [d.root_cause for d in taxonomy]
    cause_model.fit(everything, targets, sample_weight=weights)
    # The second model learns from the same cases and taxonomy texts, over their sentence vectors.
    context = DictVectorizer().fit([_context(d) for d in labelled])
    embedding_model = _classifier(causes, EMBEDDING_C) if EMBEDDING_SHARE else None
    if embedding_model is not None:
        embedding_model.fit(_dense(labelled + taxonomy, context), targets, sample_weight=weights)
    rows = [i for i, d in enumerate(labelled) if d.severity]
    severities = [labelled[i].severity for i in rows]
    severity_model = _classifier(severities, SEVERITY_C)
    if severity_model is not None:
        cues = urgency.cue_matrix([labelled[i].text for i in rows])
        severity_model.fit(sparse.hstack([matrix[rows], cues]).tocsr(), severities)
    recent = slice(max(0, len(labelled) - NEIGHBOUR_CAP), len(labelled))
    words = len(vectorizer.transformer_list[0][1].vocabulary_)
    return Model(
        vectorizer=vectorizer,
        cause_model=cause_model,
        severity_model=severity_model,
        neighbours=_neighbour_rows(matrix[recent, :words]),
        neighbour_keys=[d.key for d in labelled[recent]],
        neighbour_causes=np.array(causes[recent], dtype=np.int64),
        triaged=len(labelled),
        severity_cues=True,
        neighbour_columns=words,
        embedding_model=embedding_model,
        context=context,
        embedding_share=EMBEDDING_SHARE,
        tfidf_columns=matrix.shape[1],
        encoder=embedding.NAME,
    )


def _neighbour_rows(matrix):
    """The rows similar cases are looked for in: the words only, in single precision. With the
    character n-grams too they held 16 times the entries (410 a row at 100,000 cases against 25),
    were 96% of the stored model and most of a suggestion's time, for similar cases no better
    beyond noise on the labelled set (bench/README.md). Single precision halves what is left and
    is plenty for a ranking."""
    return _normalise(matrix).astype(np.float32).tocsr()


# Articles: the model's belief in the causes an article answers, and the words it shares with the
# complaint. Below the threshold the UI shows nothing. Form and threshold were chosen on held-out
# folds of the labelled set's training part (bench/triage_bench.py prints the choice).
ARTICLE_THRESHOLD = 0.24
# An article that says what the customer says is shown at this similarity whatever the causes
# (the words-alone path the earlier scoring had): it keeps the articles of complaints whose
# triaged look-alikes carry mixed causes. Held-out folds score every level from 0.18 to 0.30 the
# same (and no such path too); 0.18 because the similarity is now over the words alone, lower
# than over every column for the same texts, and the demo's price complaint says what its
# article says with a model that barely believes in its cause.
WORDS_ALONE = 0.18


def article_scores(model: Model, vec, causes: list[tuple[int, float]], articles: list[tuple]) -> list[tuple]:
    """`articles`: (key, text, cause ids) that apply to the case; `causes`: the model's beliefs,
    best first (`Model.root_causes`); -> (key, score) best first.

    The belief in an article is the geometric mean of the model's belief in its causes and that
    belief relative to the top cause's: the article of a close runner-up (a cause ranked second or
    third) counts nearly as much as the top one's, and one whose cause the model barely believes in
    counts little even when every cause is unsure. Half the score is the shared words."""
    if not articles:
        return []
    belief = dict(causes)
    top = max(belief.values(), default=0.0)
    sims = model.text_similarity(vec, [text for _, text, _ in articles])
    scored = []
    for (key, _, cause_ids), sim in zip(articles, sims, strict=True):
        words_alone = sim + ARTICLE_THRESHOLD - WORDS_ALONE
        if cause_ids:
            by_cause = max((belief.get(c, 0.0) for c in cause_ids), default=0.0)
            relative = by_cause / top if top > 0 else 0.0
            score = max(0.5 * float(np.sqrt(by_cause * relative)) + 0.5 * sim, words_alone)
        else:
            score = words_alone
        scored.append((key, round(float(score), 4)))
    return sorted(scored, key=lambda pair: -pair[1])
