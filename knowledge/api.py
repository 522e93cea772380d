"""Knowledge over HTTP: articles, a case's suggestions, and the one search. Thin: parse, call a
service or a selector, answer."""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cases.api.pagination import cursor_by
from cases.api.schema import CASE_ERRORS, LIST_ERRORS, errors_for
from cases.api.serializers import StrictInput, visible_customers
from cases.api.views import CaseScopedViewSet
from cases.models import Case, Channel, JourneyStage, Product, RootCause

from . import services, suggestions
from .models import Article
from .search import search


class ArticleIn(StrictInput, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(help_text="Markdown; raw HTML is shown as text, never run.")
    customer_text = serializers.CharField(required=False, allow_blank=True, default="")
    products = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), many=True, required=False)
    journey_stages = serializers.ListField(
        child=serializers.ChoiceField(choices=JourneyStage.choices), required=False
    )
    root_causes = serializers.PrimaryKeyRelatedField(
        queryset=RootCause.objects.all(), many=True, required=False
    )
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), required=False)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True, help_text="The last day it applies.")

    def for_service(self) -> dict:
        data = dict(self.validated_data)
        for name in ("products", "root_causes"):
            if name in data:
                data[name] = [obj.pk for obj in data[name]]
        return data


class ArticleOut(serializers.ModelSerializer):
    products = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    root_causes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    journey_stages = serializers.ListField(child=serializers.CharField())
    channels = serializers.ListField(child=serializers.CharField())
    owner = serializers.CharField(source="owner.username", read_only=True)
    uses = serializers.IntegerField(
        source="use_count", read_only=True, help_text="Cases on which it was told the customer."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "body",
            "customer_text",
            "products",
            "journey_stages",
            "root_causes",
            "channels",
            "valid_from",
            "valid_until",
            "owner",
            "version",
            "uses",
            "created_at",
            "updated_at",
        ]


def _service(call):
    try:
        return call()
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    except DjangoValidationError as exc:
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        ) from None


@extend_schema_view(
    list=extend_schema(
        summary="List knowledge articles", responses={200: ArticleOut(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="Read an article", responses={200: ArticleOut, **CASE_ERRORS}),
)
class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ArticleOut
    pagination_class = cursor_by("id")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Article.objects.select_related("owner")
            .prefetch_related("products", "root_causes")
            .annotate(use_count=Count("uses", distinct=True))
        )

    def _answer(self, article, code):
        article = self.get_queryset().get(pk=article.pk)
        return Response(ArticleOut(article).data, status=code)

    @extend_schema(
        summary="Write an article (team leads and managers)",
        request=ArticleIn,
        responses={201: ArticleOut, **errors_for(400, 401, 403, 429)},
    )
    def create(self, request):
        data = ArticleIn(data=request.data)
        data.is_valid(raise_exception=True)
        article = _service(lambda: services.article_create(actor=request.user, data=data.for_service()))
        return self._answer(article, 201)

    @extend_schema(
        summary="Change an article; the text before is kept as a version",
        request=ArticleIn(partial=True),
        responses={200: ArticleOut, **errors_for(400, 401, 403, 404, 429)},
    )
    def partial_update(self, request, pk: int):
        article = self.get_object()
        data = ArticleIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        article = _service(
            lambda: services.article_update(article=article, actor=request.user, data=data.for_service())
        )
        return self._answer(article, 200)


SUGGESTIONS = inline_serializer(
    "CaseSuggestions",
    {
        "root_causes": inline_serializer(
            "SuggestedRootCause",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "score": serializers.FloatField(),
            },
            many=True,
        ),
        "severity": inline_serializer(
            "SuggestedSeverity",
            {"value": serializers.CharField(), "score": serializers.FloatField()},
            many=True,
        ),
        "similar_cases": inline_serializer(
            "SimilarCase",
            {
                "reference": serializers.CharField(),
                "score": serializers.FloatField(),
                "summary": serializers.CharField(),
                "root_cause": serializers.CharField(allow_null=True),
            },
            many=True,
        ),
        "articles": inline_serializer(
            "SuggestedArticle",
            {
                "id": serializers.IntegerField(),
                "title": serializers.CharField(),
                "score": serializers.FloatField(),
            },
            many=True,
        ),
        "threshold": serializers.FloatField(help_text="Scores below this are not shown in the app."),
    },
)


def suggestions_body(found: suggestions.Suggestions) -> dict:
    def cause_name(case: Case):
        why = getattr(case, "why", None) if hasattr(case, "why") else None
        return why.root_cause.name if why is not None and why.root_cause_id else None

    return {
        "root_causes": [{"id": rc.pk, "name": rc.name, "score": score} for rc, score in found.root_causes],
        "severity": [{"value": value, "score": score} for value, score in found.severity],
        "similar_cases": [
            {"reference": c.reference, "score": score, "summary": c.summary, "root_cause": cause_name(c)}
            for c, score in found.similar_cases
        ],
        "articles": [{"id": a.pk, "title": a.title, "score": score} for a, score in found.articles],
        "threshold": found.threshold,
    }


class CaseSuggestionViewSet(CaseScopedViewSet):
    """A case's assisted triage (routed under the case: `cases/<reference>/suggestions/`)."""

    @extend_schema(
        summary="Suggested root causes, severity, similar past cases and articles for a case",
        description="Suggestions only: nothing is applied to the case. Each list is best first, and "
        "empty (not an error) when there is nothing to suggest, e.g. too few triaged cases yet.",
        responses={200: SUGGESTIONS, **CASE_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def suggestions(self, request, reference=None):
        case = self._case()
        return Response(suggestions_body(suggestions.suggest_for_case(user=request.user, case=case)))


class SearchParams(django_filters.FilterSet):
    q = django_filters.CharFilter(help_text="Words, a reference, a name, an e-mail or a phone.")

    class Meta:
        model = Case
        fields: list[str] = []


HIT = {
    "rank": serializers.FloatField(),
    "snippet": serializers.CharField(help_text="HTML: the match in <mark>."),
}


class OneAnswer(AutoSchema):
    """The search answers one object of three ranked lists, not a page of items."""

    def _is_list_view(self, serializer=None):
        return False


class SearchViewSet(viewsets.GenericViewSet):
    filterset_class = SearchParams  # declares `q` as a known query parameter
    pagination_class = None
    schema = OneAnswer()

    def get_queryset(self):
        return Case.objects.none()

    @extend_schema(
        summary="Search cases (text, notes, messages, mail), customers and articles",
        parameters=[OpenApiParameter("q", str, required=True, description="What to look for.")],
        responses={
            200: inline_serializer(
                "SearchResults",
                {
                    "cases": inline_serializer(
                        "CaseHit",
                        {
                            "reference": serializers.CharField(),
                            "summary": serializers.CharField(),
                            "matched_in": serializers.CharField(),
                            **HIT,
                        },
                        many=True,
                    ),
                    "customers": inline_serializer(
                        "CustomerHit",
                        {"id": serializers.IntegerField(), "name": serializers.CharField(), **HIT},
                        many=True,
                    ),
                    "articles": inline_serializer(
                        "ArticleHit",
                        {"id": serializers.IntegerField(), "title": serializers.CharField(), **HIT},
                        many=True,
                    ),
                },
            ),
            **errors_for(400, 401, 429),
        },
    )
    def list(self, request):
        query = request.query_params.get("q", "").strip()
        if not query:
            raise ValidationError({"q": ["Say what to look for."]})
        found = search(user=request.user, query=query, customers=visible_customers(request))
        return Response(
            {
                "cases": [
                    {
                        "reference": h.obj.reference,
                        "summary": h.obj.summary,
                        "matched_in": h.where,
                        "rank": round(h.rank, 4),
                        "snippet": str(h.snippet),
                    }
                    for h in found.cases
                ],
                "customers": [
                    {"id": h.obj.pk, "name": h.obj.name, "rank": round(h.rank, 4), "snippet": str(h.snippet)}
                    for h in found.customers
                ],
                "articles": [
                    {
                        "id": h.obj.pk,
                        "title": h.obj.title,
                        "rank": round(h.rank, 4),
                        "snippet": str(h.snippet),
                    }
                    for h in found.articles
                ],
            }
        )


ENDPOINTS = [
    ("articles", ArticleViewSet, "article"),
    ("cases", CaseSuggestionViewSet, "case"),
    ("search", SearchViewSet, "search"),
]
