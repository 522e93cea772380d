"""Reads of knowledge: which articles apply now, an article's uses, the suggestions' precision."""

import datetime

from django.db.models import Count, Q, QuerySet

from cases.permissions import visible_cases

from .models import Article, ArticleUse, SuggestionShown

# Articles are few (tens, hundreds); the list filters (stages, channels) are checked in Python so
# the same code runs on SQLite, which has no JSON containment.
APPLYING_CAP = 500


def articles_valid_on(day: datetime.date) -> QuerySet[Article]:
    return Article.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
    )


def articles_applying(
    *, product=None, journey_stage: str = "", channel: str = "", day: datetime.date
) -> list[Article]:
    """Articles valid on `day` whose products, stages and channels include the case's (an empty
    list means any). Expired articles never show."""
    qs = articles_valid_on(day).prefetch_related("root_causes")
    if product is not None:
        qs = qs.filter(Q(products=product) | Q(products__isnull=True)).distinct()
    found = []
    for article in qs[:APPLYING_CAP]:
        if journey_stage and article.journey_stages and journey_stage not in article.journey_stages:
            continue
        if channel and article.channels and channel not in article.channels:
            continue
        found.append(article)
    return found


def article_uses(article: Article):
    return ArticleUse.objects.filter(article=article).select_related("case", "used_by")


def article_use_counts(*, user=None, since=None, until=None) -> QuerySet:
    qs = ArticleUse.objects.all() if user is None else ArticleUse.objects.filter(case__in=visible_cases(user))
    if since:
        qs = qs.filter(used_at__gte=since)
    if until:
        qs = qs.filter(used_at__lt=until)
    return (
        qs.values("article_id", "article__title")
        .annotate(uses=Count("id"))
        .order_by("-uses", "article__title")
    )


def suggestion_precision(*, user=None, since=None, until=None) -> dict:
    """Of the cases whose WHY root cause was recorded after suggestions were shown: how many took
    the first suggestion, and how many one of the first three."""
    qs = SuggestionShown.objects.filter(decided_at__isnull=False)
    if user is not None:
        qs = qs.filter(case__in=visible_cases(user))
    if since:
        qs = qs.filter(decided_at__gte=since)
    if until:
        qs = qs.filter(decided_at__lt=until)
    figures = qs.aggregate(
        decided=Count("id"),
        top1=Count("id", filter=Q(taken_rank=1)),
        top3=Count("id", filter=Q(taken_rank__lte=3)),
    )
    decided = figures["decided"]
    figures["precision_top1"] = figures["top1"] / decided if decided else None
    figures["precision_top3"] = figures["top3"] / decided if decided else None
    return figures
