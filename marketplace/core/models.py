from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by a periodic task: proof that the background worker runs (shown by /api/v1/health)."""

    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "battement du worker"

    def __str__(self) -> str:
        return f"worker alive at {self.at:%Y-%m-%d %H:%M}"
