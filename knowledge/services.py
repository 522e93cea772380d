"""The only writers of knowledge: articles and their versions, uses on a case, and the record of
whether a triage suggestion was taken."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.events import record_event
from cases.models import Case, Channel, JourneyStage
from cases.permissions import is_lead, require_work

from .models import Article, ArticleUse, ArticleVersion, SuggestionShown

TEXT_FIELDS = ("title", "body", "customer_text")
LIST_FIELDS = ("journey_stages", "channels")
M2M_FIELDS = ("products", "root_causes")
DATE_FIELDS = ("valid_from", "valid_until")
FIELDS = set(TEXT_FIELDS + LIST_FIELDS + M2M_FIELDS + DATE_FIELDS)


def require_writer(actor) -> None:
    if not is_lead(actor):
        raise PermissionDenied("Articles are written by team leads and managers.")


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = set(data) - FIELDS
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    errors = {}
    for name in ("title", "body"):
        if name in data or not partial:
            data[name] = (data.get(name) or "").strip()
            if not data[name]:
                errors[name] = "This field is required."
    choices = {"journey_stages": JourneyStage.values, "channels": Channel.values}
    for name, allowed in choices.items():
        if name in data:
            wrong = [v for v in data[name] if v not in allowed]
            if wrong:
                errors[name] = f"Unknown codes: {', '.join(map(str, wrong))}."
            data[name] = sorted(set(data[name]))
    if errors:
        raise ValidationError(errors)
    return data


def _check_dates(article: Article) -> None:
    if article.valid_from and article.valid_until and article.valid_until < article.valid_from:
        raise ValidationError({"valid_until": "The article cannot end before it starts."})


def _plain(name: str, value: Any) -> Any:
    if name in M2M_FIELDS:
        return sorted(obj.pk for obj in value)
    if name in DATE_FIELDS:
        return value.isoformat() if value else None
    return value


def article_create(*, actor, data: dict[str, Any]) -> Article:
    require_writer(actor)
    data = _clean(dict(data), partial=False)
    now = timezone.now()
    with transaction.atomic():
        article = Article(
            owner=actor,
            created_at=now,
            updated_at=now,
            **{k: v for k, v in data.items() if k not in M2M_FIELDS},
        )
        _check_dates(article)
        article.save()
        for name in M2M_FIELDS:
            if name in data:
                getattr(article, name).set(data[name])
    return article


def article_update(*, article: Article, actor, data: dict[str, Any]) -> Article:
    """Changes an article and keeps the text before and who changed what in a version row."""
    require_writer(actor)
    data = _clean(dict(data), partial=True)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        before = {"title": article.title, "body": article.body, "customer_text": article.customer_text}
        changes = {}
        for name, value in data.items():
            old = _plain(name, getattr(article, name).all() if name in M2M_FIELDS else getattr(article, name))
            new = _plain(name, value)
            if old != new:
                changes[name] = [old, new]
                if name not in M2M_FIELDS:
                    setattr(article, name, value)
        if not changes:
            return article
        _check_dates(article)
        now = timezone.now()
        ArticleVersion.objects.create(
            article=article,
            version=article.version,
            changes=changes,
            changed_by=actor,
            changed_at=now,
            **before,
        )
        article.version += 1
        article.updated_at = now
        article.save()
        for name in M2M_FIELDS:
            if name in changes:
                getattr(article, name).set(data[name])
    return article


def article_use_record(*, case: Case, article: Article, actor) -> ArticleUse:
    """The agent told the customer what the article says: counted per article."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_work(actor, case)
        use, created = ArticleUse.objects.get_or_create(
            article=article, case=case, defaults={"used_by": actor, "used_at": timezone.now()}
        )
        if created:
            record_event(case=case, kind="case.article.used", actor=actor, data={"article": article.pk})
    return use


def suggestion_shown_record(*, case: Case, root_cause_ids: list[int]) -> None:
    """Keeps the first suggestions a case got at WHY (what the lead saw before choosing); a
    later retrain does not rewrite what was on the screen."""
    if not root_cause_ids:
        return
    SuggestionShown.objects.get_or_create(
        case=case, defaults={"root_causes": list(root_cause_ids), "shown_at": timezone.now()}
    )


def suggestion_outcome_record(event) -> None:
    """Reaction to a WHY save: was its root cause one of the suggestions, and at which rank?"""
    change = (event.data.get("changes") or {}).get("root_cause")
    if not change:
        return
    chosen = change[1]
    shown = SuggestionShown.objects.filter(case_id=event.case_id).first()
    if shown is None:
        return
    ids = list(shown.root_causes)
    shown.chosen_id = chosen
    shown.taken_rank = ids.index(chosen) + 1 if chosen in ids else None
    shown.decided_at = event.created_at
    shown.save(update_fields=["chosen", "taken_rank", "decided_at"])
