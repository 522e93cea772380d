"""Knowledge pages: articles, the one search box, and the panels that surface articles and
suggestions on the intake form and the case page. Each POST calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.formtokens import release
from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import Case, Channel, JourneyStage, Product, RootCause
from cases.permissions import is_lead
from cases.selectors import can
from cases.workflow import Action

from . import selectors, services, suggestions
from .forms import ArticleForm
from .markdown import render as markdown
from .models import Article
from .search import search as search_all


def _case(request, reference: str) -> Case:
    try:
        return case_selectors.case_for_page(request.user, reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


@login_required
@require_GET
def search(request):
    query = request.GET.get("q", "")[:200]
    results = search_all(user=request.user, query=query)
    if results.reference is not None:
        return redirect("cases:detail", reference=results.reference.reference)
    return render(request, "knowledge/search.html", {"query": query, "results": results, "nav": "search"})


@login_required
@require_GET
def article_list(request):
    today = request.GET.get("all") != "1"
    articles = Article.objects.select_related("owner").prefetch_related("products", "root_causes")
    if today:
        articles = selectors.articles_valid_on(timezone.localdate()).select_related("owner")
    return render(
        request,
        "knowledge/article_list.html",
        {"articles": articles, "show_all": not today, "writer": is_lead(request.user), "nav": "knowledge"},
    )


@login_required
@require_GET
def article_detail(request, pk: int):
    article = get_object_or_404(Article.objects.select_related("owner"), pk=pk)
    return render(
        request,
        "knowledge/article_detail.html",
        {
            "article": article,
            "body_html": markdown(article.body),
            "versions": article.versions.select_related("changed_by"),
            "uses": article.uses.count(),
            "writer": is_lead(request.user),
            "nav": "knowledge",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request, pk: int | None = None):
    if not is_lead(request.user):
        raise PermissionDenied("Articles are written by team leads and managers.")
    article = get_object_or_404(Article, pk=pk) if pk else None
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST":
        if form.is_valid():
            try:
                data = form.data_for_service()
                if article is None:
                    article = services.article_create(actor=request.user, data=data)
                else:
                    article = services.article_update(article=article, actor=request.user, data=data)
            except ValidationError as exc:
                for name, errs in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errs)
            else:
                messages.success(request, f"Article “{article.title}” saved.")
                return redirect("knowledge:article", pk=article.pk)
        release(request)
        return render(request, "knowledge/article_form.html", {"form": form, "article": article}, status=400)
    return render(
        request, "knowledge/article_form.html", {"form": form, "article": article, "nav": "knowledge"}
    )


def _choice(value: str, choices) -> str:
    return value if value in choices else ""


@login_required
@require_GET
def intake_panel(request):
    """The htmx panel beside the intake form: what applies to what the agent is typing."""
    product = (
        Product.objects.filter(pk=request.GET.get("product") or 0).first()
        if str(request.GET.get("product", "")).isdigit()
        else None
    )
    text = f"{request.GET.get('summary', '')[:200]}\n{request.GET.get('description', '')[:5000]}"
    found = suggestions.suggest(
        user=request.user,
        text=text,
        product=product,
        journey_stage=_choice(request.GET.get("journey_stage", ""), JourneyStage.values),
        channel=_choice(request.GET.get("channel", ""), Channel.values),
    )
    typed = bool(text.strip())
    return render(request, "knowledge/_intake_suggestions.html", {"s": found, "typed": typed})


@login_required
@require_GET
def case_panel(request, reference: str):
    case = _case(request, reference)
    found = suggestions.suggest_for_case(user=request.user, case=case)
    at_why = can(case, Action.COMPLETE_WHY, user=request.user)
    shown_causes = found.shown(found.root_causes)[:3]
    if at_why:
        services.suggestion_shown_record(case=case, root_cause_ids=[rc.pk for rc, _ in shown_causes])
    context = {
        "case": case,
        "s": found,
        "at_why": at_why,
        "causes": shown_causes,
        "used": set(case.article_uses.values_list("article_id", flat=True)),
        "chosen": getattr(getattr(case, "why", None), "root_cause_id", None),
    }
    return render(request, "knowledge/_case_suggestions.html", context)


@login_required
@require_POST
def accept_root_cause(request, reference: str):
    """The lead takes a suggested root cause with a click: the same WHY service as the form."""
    case = _case(request, reference)
    picked = request.POST.get("root_cause", "")
    cause = RootCause.objects.filter(pk=picked).first() if picked.isdigit() else None
    if cause is None:
        return HttpResponseBadRequest("Choose one of the suggested root causes.")
    try:
        case_services.triage_record_why(case=case, actor=request.user, answers={"root_cause_id": cause.pk})
    except ValidationError as exc:
        release(request)
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Root cause set to “{cause}”.")
    return redirect("cases:detail", reference=case.reference)


@login_required
@require_POST
def article_used(request, reference: str, pk: int):
    case = _case(request, reference)
    article = get_object_or_404(Article, pk=pk)
    services.article_use_record(case=case, article=article, actor=request.user)
    messages.success(request, f"Noted: you told the customer “{article.title}”.")
    return redirect("cases:detail", reference=case.reference)
