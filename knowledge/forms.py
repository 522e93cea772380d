from django import forms

from cases.models import Channel, JourneyStage, Product, RootCause

from .models import Article


class ArticleForm(forms.ModelForm):
    journey_stages = forms.MultipleChoiceField(
        choices=JourneyStage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: every stage.",
    )
    channels = forms.MultipleChoiceField(
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: every channel.",
    )
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.filter(active=True), required=False, help_text="None: every product."
    )
    root_causes = forms.ModelMultipleChoiceField(
        queryset=RootCause.objects.filter(active=True, parent__isnull=False).select_related("parent"),
        required=False,
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "body",
            "customer_text",
            "products",
            "journey_stages",
            "root_causes",
            "channels",
            "valid_from",
            "valid_until",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "customer_text": forms.Textarea(attrs={"rows": 4}),
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"body": "Markdown: **bold**, *italic*, lists, links. HTML is shown as text."}

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["products"] = [p.pk for p in data["products"]]
        data["root_causes"] = [r.pk for r in data["root_causes"]]
        return data
