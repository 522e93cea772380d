"""Readable timeline sentences for text messages and public posts."""

SENTENCES = {
    "sms.received": "received a text message from the customer",
    "sms.opted_out": "— the customer texted {keyword}: no more SMS to {from}",
    "sms.opted_in": "— the customer texted {keyword}: SMS to {from} allowed again",
    "sms.undelivered": "— an SMS to {to} was not delivered ({state})",
    "public.posted": "— posted in public on {platform}: the world is watching",
    "public.mention": "— posted again in public on {platform}",
    "public.updated": "— edited the public post on {platform}: rating {rating_before} → {rating}",
    "public.replied": "replied in public and moved the customer to {private_channel}",
}


def sentence(event) -> str:
    data = {k: ("none" if v is None else v) for k, v in (event.data or {}).items()}
    template = SENTENCES.get(event.kind)
    if template is None:
        return event.kind
    try:
        return template.format(**data)
    except (KeyError, IndexError):
        return template.split(":")[0]


def detail(event) -> str:
    data = event.data or {}
    if event.kind.startswith("public."):
        rating = f" ({data['rating']}/5)" if data.get("rating") else ""
        text = data.get("text", "")
        link = data.get("link") or data.get("url", "")
        return f"{text}{rating} {link}".strip()
    return data.get("text") or data.get("error", "")
