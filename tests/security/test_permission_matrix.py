"""Every URL x every role gets exactly the expected status; a URL missing here fails the suite.

Roles: anonymous; an agent of team A (the case's team) and of team B; team A's lead; a manager;
an admin; API tokens for team A, read-only and read-write; a write token for team B; a revoked
token. Browser pages know no tokens (a token is anonymous there); the API knows sessions and tokens.
Every API write sends a valid body (BODIES), so a 400 can never pass where a 403 is due.
"""

import datetime
import json
from collections.abc import Callable

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.world import ROLES, build


# Shorthands, one status per role in ROLES order:
#            anon agA  agB  leadA mgr  admin tokR tokW tokB revoked
def row(*codes: int) -> dict[str, int]:
    assert len(codes) == len(ROLES)
    return dict(zip(ROLES, codes, strict=True))


ENDPOINTS: dict[tuple[str, str], dict[str, int]] = {
    ("login", "GET"): row(200, 302, 302, 302, 302, 302, 200, 200, 200, 200),
    ("login", "POST"): row(200, 302, 302, 302, 302, 302, 200, 200, 200, 200),
    ("logout", "POST"): row(302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("cases:my_cases", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("cases:queue", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("cases:search", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("cases:new", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("cases:new", "POST"): row(302, 400, 400, 400, 400, 400, 302, 302, 302, 302),
    ("cases:customer_lookup", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("cases:customer_export", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("cases:customer_erase", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("cases:customer_erase", "POST"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("cases:customer_erasures", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("cases:detail", "GET"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("cases:transition", "POST"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("cases:triage", "POST"): row(302, 302, 404, 302, 302, 302, 302, 302, 302, 302),
    ("cases:action_add", "POST"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("cases:action_status", "POST"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("cases:assign", "POST"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("cases:note", "POST"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("remedies:approvals", "GET"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("remedies:decide", "POST"): row(302, 400, 404, 400, 400, 400, 302, 302, 302, 302),
    ("remedies:give", "POST"): row(302, 400, 404, 400, 400, 400, 302, 302, 302, 302),
    ("sla:at_risk", "GET"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("sla:notifications", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("sla:deliveries", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("sla:delivery_retry", "POST"): row(302, 403, 403, 403, 302, 302, 302, 302, 302, 302),
    ("sla:policies", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("sla:policy_new", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("sla:policy_new", "POST"): row(302, 403, 403, 403, 400, 400, 302, 302, 302, 302),
    ("sla:policy_edit", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("sla:policy_edit", "POST"): row(302, 403, 403, 403, 400, 400, 302, 302, 302, 302),
    ("sla:calendar_new", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("sla:calendar_new", "POST"): row(302, 403, 403, 403, 400, 400, 302, 302, 302, 302),
    ("sla:calendar_edit", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("sla:calendar_edit", "POST"): row(302, 403, 403, 403, 400, 400, 302, 302, 302, 302),
    ("sla:case_clocks", "GET"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("sla:promise", "POST"): row(302, 400, 404, 400, 400, 400, 302, 302, 302, 302),
    ("sla:promise_kept", "POST"): row(302, 302, 404, 302, 302, 302, 302, 302, 302, 302),
    ("sla:customer_updated", "POST"): row(302, 302, 404, 302, 302, 302, 302, 302, 302, 302),
    ("inbound:attachment", "GET"): row(302, 404, 404, 404, 404, 404, 302, 302, 302, 302),
    ("integrations:webhooks", "GET"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("integrations:webhooks", "POST"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("integrations:webhook_detail", "GET"): row(302, 403, 403, 404, 200, 200, 302, 302, 302, 302),
    ("integrations:webhook_toggle", "POST"): row(302, 403, 403, 404, 302, 302, 302, 302, 302, 302),
    ("integrations:webhook_redeliver", "POST"): row(302, 403, 403, 404, 404, 404, 302, 302, 302, 302),
    ("knowledge:search", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("knowledge:articles", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("knowledge:article", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("knowledge:article_new", "GET"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("knowledge:article_new", "POST"): row(302, 403, 403, 400, 400, 400, 302, 302, 302, 302),
    ("knowledge:article_edit", "GET"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("knowledge:article_edit", "POST"): row(302, 403, 403, 400, 400, 400, 302, 302, 302, 302),
    ("knowledge:intake_panel", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("knowledge:case_panel", "GET"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("knowledge:accept_root_cause", "POST"): row(302, 400, 404, 400, 400, 400, 302, 302, 302, 302),
    ("knowledge:article_used", "POST"): row(302, 302, 404, 302, 302, 302, 302, 302, 302, 302),
    ("api:article-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:article-list", "POST"): row(401, 403, 403, 201, 201, 201, 403, 201, 201, 401),
    ("api:article-detail", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:article-detail", "PATCH"): row(401, 403, 403, 200, 200, 200, 403, 200, 200, 401),
    ("api:case-suggestions", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:search-list", "GET"): row(401, 400, 400, 400, 400, 400, 400, 400, 400, 401),
    ("api:case-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:case-list", "POST"): row(401, 201, 403, 201, 201, 201, 403, 201, 403, 401),
    ("api:case-detail", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:case-detail", "PATCH"): row(401, 200, 404, 200, 200, 200, 403, 200, 404, 401),
    ("api:case-assign", "POST"): row(401, 200, 404, 200, 200, 200, 403, 200, 404, 401),
    ("api:case-corrective-action", "GET"): row(401, 405, 405, 405, 405, 405, 405, 405, 405, 401),
    ("api:case-corrective-action", "PATCH"): row(401, 403, 404, 200, 200, 200, 403, 200, 404, 401),
    ("api:case-corrective-actions", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:case-corrective-actions", "POST"): row(401, 403, 404, 201, 201, 201, 403, 201, 404, 401),
    ("api:case-notes", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:case-notes", "POST"): row(401, 201, 404, 201, 201, 201, 403, 201, 404, 401),
    ("api:case-timeline", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:case-transition", "POST"): row(401, 200, 404, 200, 200, 200, 403, 200, 404, 401),
    ("api:case-triage-different", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:case-triage-what", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:case-triage-what", "PATCH"): row(401, 200, 404, 200, 200, 200, 403, 200, 404, 401),
    ("api:case-triage-why", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:customer-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:customer-list", "POST"): row(401, 201, 201, 201, 201, 201, 403, 201, 201, 401),
    ("api:customer-detail", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 404, 401),
    ("api:team-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:team-detail", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:user-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:user-detail", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:product-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:product-detail", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:root-cause-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:root-cause-detail", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:webhook-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:webhook-list", "POST"): row(401, 403, 403, 201, 201, 201, 403, 201, 201, 401),
    ("api:webhook-detail", "GET"): row(401, 404, 404, 404, 200, 200, 404, 404, 404, 401),
    ("api:webhook-deliveries", "GET"): row(401, 404, 404, 404, 200, 200, 404, 404, 404, 401),
    ("api:webhook-redeliver", "POST"): row(401, 404, 404, 404, 404, 404, 403, 404, 404, 401),
    ("api:case-clocks", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:case-remedies", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:case-remedies", "POST"): row(401, 201, 404, 201, 201, 201, 403, 201, 404, 401),
    ("api:approval-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:approval-detail", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:approval-decide", "POST"): row(401, 403, 404, 200, 200, 200, 403, 200, 404, 401),
    ("api:remedy-kind-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:remedy-kind-detail", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:sla-policy-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:sla-policy-detail", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:sla-policy-detail", "PATCH"): row(401, 403, 403, 403, 200, 200, 403, 403, 403, 401),
    ("api:sla-calendar-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:sla-calendar-detail", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:sla-calendar-detail", "PATCH"): row(401, 403, 403, 403, 200, 200, 403, 403, 403, 401),
    ("messaging:reply", "POST"): row(302, 400, 404, 400, 400, 400, 302, 302, 302, 302),
    ("messaging:reply_preview", "POST"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("desk:customer", "GET"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("desk:intake_context", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("desk:macros", "GET"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("desk:macro_new", "GET"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("desk:macro_new", "POST"): row(302, 403, 403, 400, 400, 400, 302, 302, 302, 302),
    ("desk:macro_edit", "GET"): row(302, 403, 403, 404, 404, 404, 302, 302, 302, 302),
    ("desk:macro_apply", "POST"): row(302, 404, 404, 404, 404, 404, 302, 302, 302, 302),
    ("api:case-replies", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:case-replies", "POST"): row(401, 201, 404, 201, 201, 201, 403, 201, 404, 401),
    ("api:case-macros", "POST"): row(401, 400, 404, 400, 400, 400, 403, 400, 404, 401),
    ("api:customer-story", "GET"): row(401, 200, 404, 200, 200, 200, 200, 200, 404, 401),
    ("api:macro-list", "GET"): row(401, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api:macro-detail", "GET"): row(401, 404, 404, 404, 404, 404, 404, 404, 404, 401),
    ("messaging:compose", "GET"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("messaging:compose", "POST"): row(302, 400, 404, 400, 400, 400, 302, 302, 302, 302),
    ("api-schema", "GET"): row(200, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("api-docs", "GET"): row(200, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    ("insights:dashboard", "GET"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("insights:cases", "GET"): row(302, 403, 403, 404, 404, 404, 302, 302, 302, 302),
    ("insights:cases_csv", "GET"): row(302, 403, 403, 404, 404, 404, 302, 302, 302, 302),
    ("insights:improvements", "GET"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("insights:improvement", "GET"): row(302, 403, 403, 404, 404, 404, 302, 302, 302, 302),
    ("insights:improvement_status", "POST"): row(302, 403, 403, 404, 404, 404, 302, 302, 302, 302),
    ("insights:promote", "POST"): row(302, 403, 403, 400, 400, 400, 302, 302, 302, 302),
    ("insights:targets", "GET"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("insights:targets", "POST"): row(302, 403, 403, 403, 400, 400, 302, 302, 302, 302),
    ("insights:digest", "GET"): row(302, 403, 403, 200, 200, 200, 302, 302, 302, 302),
    ("insights:digest", "POST"): row(302, 403, 403, 400, 400, 400, 302, 302, 302, 302),
    ("insights:customer_360", "GET"): row(302, 200, 200, 200, 200, 200, 302, 302, 302, 302),
    ("insights:follow_up", "POST"): row(302, 400, 404, 400, 400, 400, 302, 302, 302, 302),
    ("insights:survey_send", "POST"): row(302, 302, 404, 302, 302, 302, 302, 302, 302, 302),
    ("survey", "GET"): row(410, 410, 410, 410, 410, 410, 410, 410, 410, 410),
    ("survey", "POST"): row(410, 410, 410, 410, 410, 410, 410, 410, 410, 410),
    # Signed webhooks know neither sessions nor API tokens: no gateway row here, no monitor token.
    ("intake:sms", "POST"): row(404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("intake:mentions", "POST"): row(401, 401, 401, 401, 401, 401, 401, 401, 401, 401),
    ("conversations:public_reply", "POST"): row(302, 400, 404, 400, 400, 400, 302, 302, 302, 302),
    # The customer's status page: a link that is not one is 404 to everybody, logged in or not.
    ("portal:status", "GET"): row(404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("portal:reply", "POST"): row(404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("portal:callback_move", "POST"): row(404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("portal:callback_confirm", "POST"): row(404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("portal:callback_book", "POST"): row(302, 302, 404, 302, 302, 302, 302, 302, 302, 302),
    ("portal:callback_log", "POST"): row(302, 302, 404, 302, 302, 302, 302, 302, 302, 302),
    ("portal:link_revoke", "POST"): row(302, 302, 404, 302, 302, 302, 302, 302, 302, 302),
    ("portal:feed", "GET"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("portal:photo", "GET"): row(302, 404, 404, 404, 404, 404, 302, 302, 302, 302),
    # The desk's queues: bulk work, saved views, who else is on a case; the bell's own count.
    ("cases:bulk", "POST"): row(302, 400, 400, 400, 400, 400, 302, 302, 302, 302),
    ("cases:saved_view_save", "POST"): row(302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("cases:saved_view_delete", "POST"): row(302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("cases:presence", "POST"): row(302, 200, 404, 200, 200, 200, 302, 302, 302, 302),
    ("sla:bell", "GET"): row(204, 200, 200, 200, 200, 200, 204, 204, 204, 204),
    # Authority caps and the history of every rule: managers' and admins' alone.
    ("remedies:caps", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("remedies:caps", "POST"): row(302, 403, 403, 403, 400, 400, 302, 302, 302, 302),
    ("remedies:cap_edit", "GET"): row(302, 403, 403, 403, 404, 404, 302, 302, 302, 302),
    ("remedies:cap_remove", "POST"): row(302, 403, 403, 403, 404, 404, 302, 302, 302, 302),
    ("rules:history", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("rules:history_csv", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("rules:record_history", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("rules:record_history_csv", "GET"): row(302, 403, 403, 403, 200, 200, 302, 302, 302, 302),
    ("healthz", "GET"): row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("readyz", "GET"): row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}

KWARGS = {
    "reference": "reference",
    "pk": None,
    "action_id": "action",
    "approval_id": "approval",
    "token": None,
    "delivery_id": None,
    "stage": None,
    "action": None,
}
PK_FOR = {
    "cases:customer_export": "customer",
    "cases:customer_erase": "customer",
    "sla:delivery_retry": "outbox",
    "sla:policy_edit": "policy",
    "sla:calendar_edit": "calendar",
    "integrations:webhook_detail": "webhook",
    "integrations:webhook_toggle": "webhook",
    "integrations:webhook_redeliver": "webhook",
    "api:customer-detail": "customer",
    "api:article-detail": "article",
    "knowledge:article": "article",
    "knowledge:article_edit": "article",
    "knowledge:article_used": "article",
    "api:customer-story": "customer",
    "desk:customer": "customer",
    "api:team-detail": "team",
    "api:user-detail": "user",
    "api:product-detail": "product",
    "api:root-cause-detail": "root_cause",
    "api:webhook-detail": "webhook",
    "api:webhook-deliveries": "webhook",
    "api:webhook-redeliver": "webhook",
    "api:approval-detail": "approval",
    "api:approval-decide": "approval",
    "api:sla-policy-detail": "policy",
    "api:sla-calendar-detail": "calendar",
    "insights:improvement": None,
    "insights:improvement_status": None,
    "inbound:attachment": None,
    "desk:macro_edit": None,
    "cases:saved_view_delete": None,
    "remedies:cap_edit": None,
    "remedies:cap_remove": None,
    "rules:record_history": None,
    "rules:record_history_csv": None,
    "desk:macro_apply": None,
    "api:macro-detail": None,
}
FIXED = {
    "cases:transition": {"action": "respond"},
    "cases:triage": {"stage": "what"},
    "survey": {"token": "not-a-real-token"},
    "api:webhook-redeliver": {"delivery_id": 999999},
    "integrations:webhook_redeliver": {"delivery_id": 999999},
    "insights:improvement": {"pk": 999999},
    "insights:improvement_status": {"pk": 999999},
    "inbound:attachment": {"pk": 999999},
    "portal:status": {"token": "not-a-real-token"},
    "portal:reply": {"token": "not-a-real-token"},
    "portal:callback_move": {"token": "not-a-real-token", "pk": 999999},
    "portal:callback_confirm": {"token": "not-a-real-token", "pk": 999999},
    "portal:callback_log": {"pk": 999999},
    "portal:photo": {"pk": 999999},
    "api:remedy-kind-detail": {"code": "coupon"},
    "intake:sms": {"gateway": "twilio"},
    "rules:history": {"label": "remedies.authoritycap"},
    "rules:history_csv": {"label": "remedies.authoritycap"},
    "rules:record_history": {"label": "remedies.authoritycap"},
    "rules:record_history_csv": {"label": "remedies.authoritycap"},
}
SKIP_NAMESPACES = ("admin",)  # Django's admin checks is_staff itself; tested in its own tests


def resolve_path(name: str, ids: dict) -> str:
    kwargs = dict(FIXED.get(name, {}))
    pattern = _pattern_for(name)
    for param in pattern.regex.groupindex:
        if param in kwargs or param == "format":
            continue
        if param == "pk":
            kwargs["pk"] = ids.get(PK_FOR[name], 999999)  # None: no such row, a 404 once allowed in
        else:
            kwargs[param] = ids[KWARGS[param]]
    return reverse(name, kwargs=kwargs)


def _walk(patterns, ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            namespace = ns + (f"{p.namespace}:" if p.namespace else "")
            if namespace.rstrip(":").split(":")[0] in SKIP_NAMESPACES:
                continue
            yield from _walk(p.url_patterns, namespace)
        elif isinstance(p, URLPattern):
            yield ns, p


def _pattern_for(name: str):
    for ns, p in _walk(get_resolver().url_patterns):
        if p.name and f"{ns}{p.name}" == name and "format" not in p.pattern.regex.groupindex:
            return p.pattern
    raise LookupError(name)


def all_url_names() -> set[str]:
    return {f"{ns}{p.name}" for ns, p in _walk(get_resolver().url_patterns) if p.name}


def test_every_named_url_is_in_the_matrix():
    covered = {name for name, _method in ENDPOINTS}
    missing = all_url_names() - covered
    assert not missing, f"add these URLs to the permission matrix: {sorted(missing)}"


@pytest.fixture
def world(db):
    return build()


def _due_date() -> str:
    return (datetime.date(2030, 1, 1)).isoformat()


# Valid bodies: a 400 here would mean the input was wrong, so it can never stand in for a 403.
# Each takes the world's ids and the role (tokens name the person they act for).
BODIES: dict[tuple[str, str], Callable[[dict, str], dict]] = {
    ("api:article-list", "POST"): lambda ids, role: {"title": f"Offers {role}", "body": "Codes combine."},
    ("api:article-detail", "PATCH"): lambda ids, role: {"body": f"Boards change ({role})."},
    ("api:case-list", "POST"): lambda ids, role: {
        "customer": {"name": "Dana Diner", "email": f"dana-{role}@example.com"},
        "summary": "Charged twice",
        "product": ids["product"],
        "journey_stage": "billing",
        "team": ids["team"],
    },
    ("api:case-detail", "PATCH"): lambda ids, role: {"summary": "Charged twice for one box"},
    ("api:case-assign", "POST"): lambda ids, role: {
        "to_owner": ids["person:lead_a"],
        "reason": "Needs a refund",
    },
    ("api:case-corrective-actions", "POST"): lambda ids, role: {
        "description": "Check the vans",
        "owner": ids["person:lead_a"],
        "due_date": _due_date(),
    },
    ("api:case-corrective-action", "PATCH"): lambda ids, role: {"status": "done"},
    ("api:case-notes", "POST"): lambda ids, role: {"text": "Called back, no answer."},
    ("api:case-replies", "POST"): lambda ids, role: {"visibility": "internal", "body": "Called back."},
    ("api:case-macros", "POST"): lambda ids, role: {"macro": 999999},
    ("api:case-transition", "POST"): lambda ids, role: {
        "action": "respond",
        "message": "So sorry: I own this and will call you by 5pm.",
    },
    ("api:case-triage-what", "PATCH"): lambda ids, role: {"complaint": "The box was late."},
    ("api:customer-list", "POST"): lambda ids, role: {"name": "Eve", "email": f"eve-{role}@example.com"},
    ("api:webhook-list", "POST"): lambda ids, role: {
        "name": f"CRM {role}",
        "url": "https://crm.example.com/hook",
    },
    ("api:webhook-redeliver", "POST"): lambda ids, role: {},
    ("api:case-remedies", "POST"): lambda ids, role: {
        "kind": "coupon",
        "amount": "5.00",
        "currency": "GBP",
        **_for_person(ids, role, default="agent_a"),
    },
    ("api:approval-decide", "POST"): lambda ids, role: {
        "approve": True,
        "reason": "Fair",
        **_for_person(ids, role, default="lead_a"),
    },
    ("api:sla-policy-detail", "PATCH"): lambda ids, role: {"description": "Faster for chats"},
    ("api:sla-calendar-detail", "PATCH"): lambda ids, role: {"tz": "Europe/London"},
}


def _for_person(ids: dict, role: str, *, default: str) -> dict:
    if not role.startswith("token"):
        return {}
    person = "agent_b" if role == "token_b" else default
    return {"on_behalf_of": ids[f"person:{person}"]}


def test_every_api_write_in_the_matrix_sends_a_real_body():
    writes = {(name, method) for name, method in ENDPOINTS if name.startswith("api:") and method != "GET"}
    assert writes == set(BODIES)


@pytest.mark.parametrize(("name", "method"), list(ENDPOINTS))
def test_each_role_gets_exactly_the_expected_status(world, name, method):
    path = resolve_path(name, world.ids)
    got = {}
    for role in ROLES:
        world.log_in_again(role)
        extra = {}
        if (name, method) in BODIES:
            extra = {
                "content_type": "application/json",
                "data": json.dumps(BODIES[name, method](world.ids, role)),
            }
        # Each role meets the same world: what one role changed is rolled back before the next.
        with transaction.atomic():
            response = getattr(world.clients[role], method.lower())(path, **extra)
            transaction.set_rollback(True)
        got[role] = response.status_code
    assert got == ENDPOINTS[(name, method)]
