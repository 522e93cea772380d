"""Assisted triage for a case or a complaint being typed: suggested root causes, severity,
similar past cases and articles. Suggestions only: nothing here writes to a case.

The model is trained from the organisation's own triaged cases (a WHY with a root cause) and kept
as a database row; each process loads the newest row once and keeps it until a newer one exists.
"""

import dataclasses
import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import caches
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from sklearn.feature_extraction.text import TfidfVectorizer

from cases.models import Case, RootCause, WhyAnswer
from cases.permissions import visible_cases

from . import embedding, learning
from .models import Article, ComplaintVector, TriageModel
from .selectors import articles_applying

logger = logging.getLogger("recovery.knowledge")

_cache: dict[str, object] = {"id": None, "model": None}
_lock = threading.Lock()


@dataclass
class Suggestions:
    root_causes: list = field(default_factory=list)  # (RootCause, score)
    severity: list = field(default_factory=list)  # (value, score)
    similar_cases: list = field(default_factory=list)  # (Case, score)
    articles: list = field(default_factory=list)  # (Article, score)
    threshold: float = learning.ARTICLE_THRESHOLD
    status: str = ""  # why there are no suggestions, in words an agent understands

    def shown(self, pairs):
        """What the UI shows: the pairs at or above the threshold."""
        return [(obj, score) for obj, score in pairs if score >= self.threshold]


def case_text(case: Case) -> str:
    what = getattr(case, "what", None) if hasattr(case, "what") else None
    parts = [case.summary, case.description, getattr(what, "complaint", "") if what else ""]
    return "\n".join(p for p in parts if p)


def _docs():
    rows = (
        WhyAnswer.objects.filter(root_cause__isnull=False)
        .order_by("case_id")
        .values_list(
            "case_id",
            "root_cause_id",
            "case__summary",
            "case__description",
            "case__product__name",
            "case__journey_stage",
            "case__channel",
            "case__severity",
        )
        .iterator(chunk_size=5000)
    )
    for case_id, cause, summary, description, product, stage, channel, severity in rows:
        yield learning.Doc(
            text=f"{summary}\n{description}",
            product=product,
            journey_stage=stage,
            channel=channel,
            root_cause=cause,
            severity=severity,
            key=case_id,
        )


# Vectors read, computed and written this many cases at a time: bounded memory at any size.
VECTOR_CHUNK = 2000
# One training at a time across every worker: a first training at 100k cases embeds for 25 minutes,
# and beat's next ticks must not start others beside it (they would hold every worker slot the SLA
# sweep needs). The lease is renewed at each chunk of vectors, so a killed worker's expires soon.
TRAINING_LEASE_SECONDS = 300


def _lease():
    # The cache every process shares: Redis in production, a folder on the embedded default.
    return caches["config"]


def _training_key() -> str:
    # Per database: processes on another database (a test worker's, a second deployment's sharing
    # the Redis) train their own model.
    return f"knowledge.training:{connection.settings_dict['NAME']}"


def training_elsewhere() -> bool:
    return _lease().get(_training_key()) is not None


def _digest(text: str) -> str:
    return hashlib.sha256(f"{embedding.NAME}\n{text}".encode()).hexdigest()


def _with_vectors(docs: list[learning.Doc]) -> list[learning.Doc]:
    """The docs with their stored sentence vectors; those missing or computed from other words
    (or by another encoder) are computed now and stored."""
    out = []
    for start in range(0, len(docs), VECTOR_CHUNK):
        chunk = docs[start : start + VECTOR_CHUNK]
        digests = [_digest(d.text) for d in chunk]
        stored = {
            case_id: (digest, bytes(vector))
            for case_id, digest, vector in ComplaintVector.objects.filter(
                case_id__in=[d.key for d in chunk]
            ).values_list("case_id", "digest", "vector")
        }
        vectors: list = [None] * len(chunk)
        for i, (d, digest) in enumerate(zip(chunk, digests, strict=True)):
            known = stored.get(d.key)
            if known and known[0] == digest:
                vectors[i] = np.frombuffer(known[1], dtype="<f4")
        missing = [i for i, v in enumerate(vectors) if v is None]
        _lease().touch(_training_key(), TRAINING_LEASE_SECONDS)
        if missing:
            computed = embedding.embed([chunk[i].text for i in missing])
            try:
                with transaction.atomic():
                    ComplaintVector.objects.bulk_create(
                        [
                            ComplaintVector(
                                case_id=chunk[i].key, digest=digests[i], vector=row.astype("<f4").tobytes()
                            )
                            for i, row in zip(missing, computed, strict=True)
                        ],
                        update_conflicts=True,
                        unique_fields=["case"],
                        update_fields=["digest", "vector"],
                    )
                    # Now, not at a commit an outer transaction may hold back.
                    connection.check_constraints(table_names=[ComplaintVector._meta.db_table])
            except IntegrityError:
                # A case erased since it was read: this training uses the vectors all the same,
                # the next one computes them again.
                logger.info("suggestions.vectors_not_stored", extra={"cases": len(missing)})
            for i, row in zip(missing, computed, strict=True):
                vectors[i] = row
        out.extend(dataclasses.replace(d, vector=v) for d, v in zip(chunk, vectors, strict=True))
    return out


def _cause_texts() -> dict[int, list[str]]:
    """What the taxonomy says each cause is: its name and category, and the articles answering it."""
    texts: dict[int, list[str]] = {}
    for cause in RootCause.objects.select_related("parent"):
        parent = f". {cause.parent.name}" if cause.parent_id else ""
        texts[cause.pk] = [f"{cause.name}{parent}"]
    for article in Article.objects.prefetch_related("root_causes"):
        for cause in article.root_causes.all():
            texts.setdefault(cause.pk, []).append(_article_text(article))
    return texts


def _triaged_state() -> tuple[int, object]:
    state = WhyAnswer.objects.filter(root_cause__isnull=False).aggregate(last=Max("updated_at"))
    count = WhyAnswer.objects.filter(root_cause__isnull=False).count()
    return count, state["last"]


def model_refresh(*, force: bool = False) -> TriageModel | None:
    """Retrains when a case was triaged since the last model (or when forced). Runs in a Celery
    task or the command, never in a web request."""
    latest = TriageModel.objects.only("id", "trained_at", "triaged_cases", "encoder").first()
    count, last_change = _triaged_state()
    if (
        not force
        and latest
        and latest.triaged_cases == count
        and (last_change is None or last_change <= latest.trained_at)
        and latest.encoder == embedding.NAME
    ):
        return None
    if not _lease().add(_training_key(), "training", TRAINING_LEASE_SECONDS):
        logger.info("suggestions.training_elsewhere")
        return None
    try:
        return _train(count, latest)
    finally:
        _lease().delete(_training_key())


def _train(count: int, latest: TriageModel | None) -> TriageModel | None:
    started = time.perf_counter()
    trained_at = timezone.now()
    try:
        docs = list(_docs())
        if len(docs) >= learning.MIN_TRIAGED and learning.EMBEDDING_SHARE:
            docs = _with_vectors(docs)
        model = learning.train(docs, cause_texts=_cause_texts())
    except learning.TooFewTriaged as too_few:
        logger.info("suggestions.too_few", extra={"triaged": count, "reason": str(too_few)})
        return None
    seconds = time.perf_counter() - started
    with transaction.atomic():
        row = TriageModel.objects.create(
            trained_at=trained_at,
            triaged_cases=model.triaged,
            causes=len(model.cause_model.classes_),
            blob=model.dumps(),
            seconds=seconds,
            encoder=model.encoder,
        )
        # Keep the previous one too: a process may be loading it right now.
        TriageModel.objects.filter(id__lt=row.id).exclude(id__in=[latest.id] if latest else []).delete()
    logger.info("suggestions.trained", extra={"triaged": model.triaged, "seconds": round(seconds, 2)})
    return row


def current_model() -> learning.Model | None:
    # Keyed by more than the id: a rolled-back training (SQLite reuses its id) must not pass
    # for the one that replaced it.
    newest = TriageModel.objects.values_list("id", "trained_at", "triaged_cases", "causes").first()
    if newest is None:
        return None
    if _cache["id"] != newest:
        with _lock:
            if _cache["id"] != newest:
                blob = TriageModel.objects.values_list("blob", flat=True).get(id=newest[0])
                _cache["model"], _cache["id"] = learning.Model.loads(bytes(blob)), newest
    return _cache["model"]


def _article_text(article: Article) -> str:
    return f"{article.title}\n{article.body}\n{article.customer_text}"


def _score_articles(model, vec, causes, articles: list[Article], text: str) -> list[tuple[Article, float]]:
    entries = [(a, _article_text(a), {rc.pk for rc in a.root_causes.all()}) for a in articles]
    if model is not None:
        scored = learning.article_scores(
            model, vec, causes, [(i, t, c) for i, (_, t, c) in enumerate(entries)]
        )
        return [(entries[i][0], s) for i, s in scored]
    if not entries or not text.strip():
        return []
    # No model yet: the words the complaint shares with each article, nothing more.
    words = TfidfVectorizer(sublinear_tf=True, strip_accents="unicode")
    matrix = words.fit_transform([text] + [t for _, t, _ in entries])
    sims = (matrix[1:] @ matrix[0].T).toarray().ravel()
    return sorted(((entries[i][0], round(float(s), 4)) for i, s in enumerate(sims)), key=lambda p: -p[1])


def suggest(
    *,
    user,
    text: str,
    product=None,
    journey_stage: str = "",
    channel: str = "",
    exclude_case: Case | None = None,
) -> Suggestions:
    today = timezone.localdate()
    articles = list(
        articles_applying(product=product, journey_stage=journey_stage, channel=channel, day=today)
    )
    model = current_model()
    result = Suggestions()
    if model is None:
        triaged = WhyAnswer.objects.filter(root_cause__isnull=False).count()
        result.status = (
            f"Too few triaged cases to suggest root causes yet: {triaged} of {learning.MIN_TRIAGED}."
        )
        result.articles = _score_articles(None, None, [], articles, text)
        return result
    doc = learning.Doc(
        text=text, product=getattr(product, "name", ""), journey_stage=journey_stage, channel=channel
    )
    vec = model.vector(doc)
    causes = model.root_causes(vec)
    names = RootCause.objects.select_related("parent").in_bulk([c for c, _ in causes])
    result.root_causes = [(names[c], round(s, 4)) for c, s in causes if c in names]
    result.severity = [(v, round(s, 4)) for v, s in model.severity(vec, text)]
    everything = model.root_causes(vec, limit=len(model.cause_model.classes_))
    found = model.similar(vec, limit=10, exclude=exclude_case.pk if exclude_case else None, causes=everything)
    visible = (
        visible_cases(user)
        .filter(pk__in=[k for k, _ in found])
        .select_related("why__root_cause__parent", "product")
        .in_bulk()
    )
    result.similar_cases = [(visible[k], round(s, 4)) for k, s in found if k in visible][:5]
    result.articles = _score_articles(model, vec, causes, articles, text)
    return result


def suggest_for_case(*, user, case: Case) -> Suggestions:
    return suggest(
        user=user,
        text=case_text(case),
        product=case.product,
        journey_stage=case.journey_stage,
        channel=case.channel,
        exclude_case=case,
    )
