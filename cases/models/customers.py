from django.db import models

from ..validators import validate_person_name


class Customer(models.Model):
    name = models.CharField(max_length=200, validators=[validate_person_name])
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"])]

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
