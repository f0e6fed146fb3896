from typing import Any

from django.conf import settings
from django.http import HttpRequest


def union(request: HttpRequest) -> dict[str, Any]:
    return {"UNION_NAME": settings.UNION_NAME}
