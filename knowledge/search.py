"""One search over cases (reference, summary, description, notes, messages, inbound mail),
customers and articles: ranked, with the match highlighted.

PostgreSQL: full-text search (`django.contrib.postgres.search`), each query matching one GIN
expression index from migration 0002 (same expression, same partial condition, or the index is
not used). SQLite, the `make run` default: the same results by `icontains`, ranked by how many
fields matched. Either way the caller sees only the cases of their (or their token's) teams.
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.models import Case, CaseEvent, Customer
from cases.permissions import visible_cases
from cases.selectors import REFERENCE
from messaging.models import CustomerMessage

from .models import Article

CONFIG = "english"
LIMIT = 20
# Timeline entries whose text is searched: an agent's note, a customer's mail.
TEXT_EVENTS = ("case.note.added", "case.customer_message")
START, STOP = "\x02", "\x03"  # markers PostgreSQL puts around matches; escaped text never has them


def case_vector():
    return SearchVector("summary", "description", "source_reference", config=CONFIG)


def event_vector():
    return SearchVector(KeyTextTransform("text", "data"), config=CONFIG)


def message_vector():
    return SearchVector("subject", "body", config=CONFIG)


def customer_vector():
    return SearchVector("name", config="simple")


def article_vector():
    return SearchVector("title", weight="A", config=CONFIG) + SearchVector(
        "body", "customer_text", weight="B", config=CONFIG
    )


def gin_indexes() -> list[tuple[type, GinIndex]]:
    """The indexes migration 0002 creates on PostgreSQL (and only there)."""
    return [
        (Case, GinIndex(case_vector(), name="case_fulltext")),
        (
            CaseEvent,
            GinIndex(event_vector(), name="caseevent_text_fulltext", condition=Q(kind__in=TEXT_EVENTS)),
        ),
        (CustomerMessage, GinIndex(message_vector(), name="customermessage_fulltext")),
        (Customer, GinIndex(customer_vector(), name="customer_name_fulltext")),
        (Article, GinIndex(article_vector(), name="article_fulltext")),
    ]


@dataclass
class Hit:
    kind: str  # "case", "customer", "article"
    obj: object
    rank: float
    where: str = ""  # which part matched: "summary", "note", "inbound mail"...
    snippet: SafeString = field(default_factory=SafeString)


@dataclass
class Results:
    query: str
    cases: list = field(default_factory=list)
    customers: list = field(default_factory=list)
    articles: list = field(default_factory=list)
    reference: Case | None = None  # a reference typed in full: open that case

    @property
    def empty(self) -> bool:
        return not (self.cases or self.customers or self.articles)


def _marked(headline: str) -> SafeString:
    # Escaped first; only our own markers become tags.
    return mark_safe(escape(headline).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


def highlight(text: str, query: str, width: int = 160) -> SafeString:
    """The part of `text` around the first match of a query word, escaped, matches in <mark>."""
    words = [re.escape(w) for w in query.split() if len(w) > 1] or [re.escape(query)]
    pattern = re.compile("|".join(words), re.IGNORECASE)
    match = pattern.search(text or "")
    if match is None:
        return escape((text or "")[:width])
    start = max(0, match.start() - width // 3)
    piece = text[start : start + width]
    out, last = [], 0
    for m in pattern.finditer(piece):
        out += [escape(piece[last : m.start()]), "<mark>", escape(m.group()), "</mark>"]
        last = m.end()
    out.append(escape(piece[last:]))
    # Every piece of the text was escaped above; only <mark> is ours.
    return mark_safe(("…" if start else "") + "".join(out) + ("…" if start + width < len(text) else ""))  # noqa: S308


def search(*, user, query: str, customers=None) -> Results:
    """`customers`: the customers the caller may see (an API token: its teams'); default all,
    as at intake."""
    query = query.strip()[:200]
    results = Results(query=query)
    if not query:
        return results
    cases = visible_cases(user)
    match = REFERENCE.match(query)
    if match:
        results.reference = cases.filter(pk=int(match.group(1))).first()
        if results.reference:
            results.cases = [
                Hit("case", results.reference, 1.0, "reference", escape(results.reference.summary))
            ]
            return results
    customers = Customer.objects.all() if customers is None else customers
    articles = Article.objects.all()
    if connection.vendor == "postgresql":
        _postgres(results, query, cases, customers, articles)
    else:
        _plain(results, query, cases, customers, articles)
    return results


def _merge_case_hits(hits: list[Hit]) -> list[Hit]:
    best: dict[int, Hit] = {}
    for hit in hits:
        if hit.obj.pk not in best or hit.rank > best[hit.obj.pk].rank:
            best[hit.obj.pk] = hit
    return sorted(best.values(), key=lambda h: (-h.rank, -h.obj.pk))[:LIMIT]


def _postgres(results: Results, query: str, cases, customers, articles) -> None:
    q = SearchQuery(query, search_type="websearch", config=CONFIG)
    opts = {"start_sel": START, "stop_sel": STOP, "max_words": 30, "min_words": 10, "config": CONFIG}
    related = ("customer", "team", "owner", "product")
    hits = []
    for case in (
        cases.annotate(v=case_vector())
        .filter(v=q)
        .annotate(rank=SearchRank(case_vector(), q), hl=SearchHeadline("description", q, **opts))
        .select_related(*related)
        .order_by("-rank", "-id")[:LIMIT]
    ):
        snippet = _marked(case.hl) if START in case.hl else highlight(case.summary, query)
        hits.append(Hit("case", case, float(case.rank) + 0.05, "case", snippet))
    events = (
        CaseEvent.objects.filter(kind__in=TEXT_EVENTS, case__in=cases)
        .annotate(v=event_vector())
        .filter(v=q)
        .annotate(
            rank=SearchRank(event_vector(), q), hl=SearchHeadline(KeyTextTransform("text", "data"), q, **opts)
        )
        .select_related(*(f"case__{r}" for r in related), "case")
        .order_by("-rank", "-id")[:LIMIT]
    )
    for event in events:
        where = "note" if event.kind == "case.note.added" else "inbound mail"
        hits.append(Hit("case", event.case, float(event.rank), where, _marked(event.hl)))
    messages = (
        CustomerMessage.objects.filter(case__in=cases)
        .annotate(v=message_vector())
        .filter(v=q)
        .annotate(rank=SearchRank(message_vector(), q), hl=SearchHeadline("body", q, **opts))
        .select_related(*(f"case__{r}" for r in related), "case")
        .order_by("-rank", "-id")[:LIMIT]
    )
    for message in messages:
        hits.append(Hit("case", message.case, float(message.rank), "message", _marked(message.hl)))
    results.cases = _merge_case_hits(hits)
    simple = SearchQuery(query, search_type="websearch", config="simple")
    found = (
        customers.annotate(v=customer_vector())
        .filter(Q(v=simple) | Q(email__iexact=query) | Q(phone=query))
        .annotate(rank=SearchRank(customer_vector(), simple))
        .order_by("-rank", "name", "id")[:LIMIT]
    )
    results.customers = [
        Hit("customer", c, float(c.rank), "customer", highlight(c.name, query)) for c in found
    ]
    found = (
        articles.annotate(v=article_vector())
        .filter(v=q)
        .annotate(rank=SearchRank(article_vector(), q), hl=SearchHeadline("body", q, **opts))
        .order_by("-rank", "id")[:LIMIT]
    )
    results.articles = [
        Hit(
            "article",
            a,
            float(a.rank),
            "article",
            _marked(a.hl) if START in a.hl else highlight(a.title, query),
        )
        for a in found
    ]


def _words_q(query: str, *fields: str) -> Q:
    """Every word of the query in one of the fields (SQLite: no stemming, no index)."""
    condition = Q()
    for word in query.split()[:8]:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


def _plain(results: Results, query: str, cases, customers, articles) -> None:
    related = ("customer", "team", "owner", "product")
    hits = []
    for case in cases.filter(_words_q(query, "summary", "description", "source_reference")).select_related(
        *related
    )[:LIMIT]:
        text = case.description if highlight(case.description, query).count("<mark>") else case.summary
        hits.append(Hit("case", case, 1.0, "case", highlight(text, query)))
    events = (
        CaseEvent.objects.filter(kind__in=TEXT_EVENTS, case__in=cases)
        .filter(_words_q(query, "data__text"))
        .select_related("case", *(f"case__{r}" for r in related))
        .order_by("-id")[:LIMIT]
    )
    for event in events:
        where = "note" if event.kind == "case.note.added" else "inbound mail"
        hits.append(Hit("case", event.case, 0.9, where, highlight(event.data.get("text", ""), query)))
    messages = (
        CustomerMessage.objects.filter(case__in=cases)
        .filter(_words_q(query, "subject", "body"))
        .select_related("case", *(f"case__{r}" for r in related))
        .order_by("-id")[:LIMIT]
    )
    for message in messages:
        hits.append(Hit("case", message.case, 0.8, "message", highlight(message.body, query)))
    results.cases = _merge_case_hits(hits)
    found = customers.filter(_words_q(query, "name") | Q(email__iexact=query) | Q(phone=query)).order_by(
        "name", "id"
    )[:LIMIT]
    results.customers = [Hit("customer", c, 1.0, "customer", highlight(c.name, query)) for c in found]
    found = articles.filter(_words_q(query, "title", "body", "customer_text")).order_by("title", "id")[:LIMIT]
    results.articles = [
        Hit(
            "article",
            a,
            1.0,
            "article",
            highlight(a.body if query.lower() not in a.title.lower() else a.title, query),
        )
        for a in found
    ]
