from django.db import migrations

DEFAULTS = [
    (
        "apology",
        "Apology and ownership",
        "We are sorry: {owner} is looking after this",
        "Hello {first_name},\n\nI am sorry about what happened with {product}. That is not the service you "
        "should have had from us.\n\nMy name is {owner} and I am looking after this for you myself until "
        "it is put right. Your reference is {reference}.\n\n{owner}",
    ),
    (
        "expectation",
        "We will do it by a time",
        "What happens next",
        "Hello {first_name},\n\nHere is what happens next: we will have this sorted for you by "
        "{promised_time}. If anything changes I will tell you before then.\n\nYour reference is "
        "{reference}.\n\n{owner}",
    ),
    (
        "update",
        "Update",
        "An update on your case",
        "Hello {first_name},\n\nA quick update on {reference}:\n\nI will be in touch again soon.\n\n{owner}",
    ),
    (
        "resolution",
        "Resolution",
        "Your case is resolved",
        "Hello {first_name},\n\nThe problem with {product} is now put right.\n\nThank you for your "
        "patience. If anything is still not right, answer this message and it comes straight to me.\n\n"
        "{owner}",
    ),
    (
        "follow_up",
        "Follow-up",
        "Is everything all right now?",
        "Hello {first_name},\n\nI wanted to check that everything is all right now with {product} after "
        "{reference}. Is there anything else we can do?\n\n{owner}",
    ),
    (
        "acknowledgement",
        "Automatic acknowledgement",
        "We have your message",
        "Hello {first_name},\n\nThank you for telling us. Your reference is {reference}.\n\nA person from "
        "our team will answer you by {first_response_due}.\n",
    ),
]


def add_defaults(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for kind, name, subject, body in DEFAULTS:
        MessageTemplate.objects.get_or_create(
            name=name, defaults={"kind": kind, "subject": subject, "body": body}
        )


def remove_defaults(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessageTemplate.objects.filter(name__in=[name for _, name, _, _ in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
