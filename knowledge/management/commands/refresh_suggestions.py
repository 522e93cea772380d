from django.core.management.base import BaseCommand

from knowledge import suggestions
from knowledge.models import TriageModel


class Command(BaseCommand):
    help = "Retrain the assisted triage's model from the triaged cases now."

    def handle(self, *args, **options):
        if suggestions.training_elsewhere():
            self.stdout.write("A training is running already; its model is used once it is stored.")
            return
        row = suggestions.model_refresh(force=True)
        if row is None:
            count = TriageModel.objects.count()
            self.stdout.write(
                "Too few triaged cases to train suggestions." if not count else "No model trained."
            )
            return
        self.stdout.write(
            f"Trained on {row.triaged_cases} triaged cases ({row.causes} root causes) in {row.seconds:.1f} s."
        )
