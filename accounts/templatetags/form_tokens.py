"""`{% form_token %}`: the hidden one-use token every state-changing form carries."""

from django import template
from django.utils.html import format_html

from accounts.formtokens import FIELD, form_token_issue

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, form_token_issue())
