"""API errors as JSON that say why: {"detail": ..., "code": ..., "errors": {...}}."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from zhidu.core.errors import Conflict, RuleViolation


def exception_handler(exc, context):
    if isinstance(exc, RuleViolation):
        return Response(
            {"detail": exc.message, "code": exc.code, "article": exc.article},
            status=status.HTTP_409_CONFLICT if isinstance(exc, Conflict) else status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(
            {"detail": "; ".join(m for ms in errors.values() for m in ms), "code": "invalid", "errors": errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        errors = response.data
        flat = []
        for key, value in errors.items():
            items = value if isinstance(value, list) else [value]
            flat.extend(f"{key}: {v}" if key != "non_field_errors" else str(v) for v in items)
        response.data = {"detail": "; ".join(flat), "code": "invalid", "errors": errors}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": "; ".join(map(str, response.data)), "code": "invalid"}
    return response
