"""The only writers of conversations' rows: SMS in, opt-outs, receipts, mentions, public replies."""

from .mentions import MentionIn, mention_receive, public_reply_record
from .sms import SmsIn, sms_opt_out_reason, sms_receipt, sms_receive

__all__ = [
    "MentionIn",
    "SmsIn",
    "mention_receive",
    "public_reply_record",
    "sms_opt_out_reason",
    "sms_receipt",
    "sms_receive",
]
