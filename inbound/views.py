"""Files that came by mail, handed only to people who may see their case."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from cases.permissions import visible_cases

from .models import InboundAttachment


@login_required
@require_GET
def attachment_download(request, pk: int):
    attachment = (
        InboundAttachment.objects.select_related("message")
        .filter(pk=pk, message__case__in=visible_cases(request.user))
        .exclude(file="")
        .first()
    )
    if attachment is None:  # another team's file is as absent as a missing one
        raise Http404("No such attachment.")
    # Always a download, never rendered by the browser: the customer chose these bytes.
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["Content-Security-Policy"] = "sandbox"
    return response
