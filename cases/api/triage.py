"""The triage answers over HTTP: WHAT happened, WHY, WHAT we do DIFFERENT."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import services
from ..models import DifferentAnswer, WhatAnswer, WhyAnswer
from . import serializers as s
from .schema import CASE_ERRORS, WRITE_ERRORS

STAGES = {
    "what": (WhatAnswer, s.WhatAnswerSerializer, services.triage_record_what),
    "why": (WhyAnswer, s.WhyAnswerSerializer, services.triage_record_why),
    "different": (DifferentAnswer, s.DifferentAnswerSerializer, services.triage_record_different),
}


def _schema(stage: str, title: str):
    serializer = STAGES[stage][1]

    def decorate(view):
        view = extend_schema(
            methods=["GET"],
            summary=f"{title}: the answers so far",
            responses={200: serializer, **CASE_ERRORS},
        )(view)
        return extend_schema(
            methods=["PUT", "PATCH"],
            summary=f"{title}: save answers (fields left out stay as they are)",
            request=serializer,
            responses={200: serializer, **WRITE_ERRORS},
        )(view)

    return decorate


class TriageActions:
    """Mixed into the case viewset; completing a stage is a transition (complete_what, ...)."""

    def _triage(self, request, stage: str) -> Response:
        case = self._case()
        model, serializer_class, record = STAGES[stage]
        if request.method != "GET":
            data = serializer_class(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            record(case=case, actor=request.user, answers=dict(data.validated_data))
        answer = model.objects.filter(case=case).first() or model(case=case)
        return Response(serializer_class(answer).data)

    @_schema("what", "WHAT happened")
    @action(detail=True, methods=["get", "put", "patch"], url_path="triage/what", filter_backends=[])
    def triage_what(self, request, reference: str):
        return self._triage(request, "what")

    @_schema("why", "WHY it happened")
    @action(detail=True, methods=["get", "put", "patch"], url_path="triage/why", filter_backends=[])
    def triage_why(self, request, reference: str):
        return self._triage(request, "why")

    @_schema("different", "WHAT we do DIFFERENT")
    @action(detail=True, methods=["get", "put", "patch"], url_path="triage/different", filter_backends=[])
    def triage_different(self, request, reference: str):
        return self._triage(request, "different")
