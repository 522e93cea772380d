from django.conf import settings
from django.db import models
from django.db.models.functions import Upper

from ..validators import validate_person_name


class Customer(models.Model):
    name = models.CharField(max_length=200, validators=[validate_person_name])
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name"]),
            # Intake matches customers by e-mail whatever its case (email__iexact is UPPER(email)
            # = UPPER(...)): without this index that filtered every customer.
            models.Index(Upper("email"), name="customer_email_any_case"),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerExternalId(models.Model):
    """The customer's id in another system (order system, CRM, social handle...)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="external_ids")
    source = models.CharField(max_length=50, help_text="The system that owns the id, e.g. 'shopify'.")
    external_id = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="customer_external_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class CustomerErasure(models.Model):
    """Who erased a customer's personal data, when, why, and how much: never the data itself."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="erasures")
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField()
    reason = models.TextField()
    counts = models.JSONField(default=dict, help_text="Things erased, per kind: {'inbound.attachments': 2}.")

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"Erasure of customer {self.customer_id} at {self.erased_at:%Y-%m-%d %H:%M}"
