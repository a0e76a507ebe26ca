import hashlib

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A bearer token for one user; it can do exactly what that user can. Only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What uses it: 'AMI head-end', 'pay-by-phone'.")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters of the token, to tell tokens apart.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [
            ("post_machine_reads", "Can post AMI/AMR reads and batches of reads (integrations)"),
        ]

    def __str__(self):
        return f"{self.prefix}… {self.name} ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
