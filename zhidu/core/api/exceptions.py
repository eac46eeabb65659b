"""API errors as JSON that say why: {"detail": ..., "code": ..., "errors": {...}}."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
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
    if isinstance(exc, ProtectedError | RestrictedError):
        # A delete that the database's PROTECT/RESTRICT refuses (a service without its own guard):
        # 409 saying why, not a server error.
        using = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        using = list(using)
        return Response(
            {"detail": _("It is still in use and cannot be deleted: %(count)d records refer to it, e.g. “%(example)s”.")
             % {"count": len(using), "example": using[0] if using else ""}, "code": "protected"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        errors = response.data
        response.data = {"detail": "; ".join(_messages(errors)), "code": "invalid", "errors": errors}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": "; ".join(map(str, response.data)), "code": "invalid"}
    return response


def _messages(errors, where: str = ""):
    """Every message of DRF's (nested) validation errors, prefixed with where it belongs:
    "title: …", "lines.1.unit_price: …" (a nested serializer's errors are a dict per item, keyed
    by its index, or a list of dicts; messages of `non_field_errors` have no prefix)."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = "" if key == "non_field_errors" else str(key)
            yield from _messages(value, f"{where}.{name}" if where and name else where or name)
    elif isinstance(errors, list | tuple):
        nested = bool(errors) and all(isinstance(item, dict) for item in errors)
        for index, item in enumerate(errors):
            yield from _messages(item, f"{where}.{index}" if nested and where else str(index) if nested else where)
    else:
        yield f"{where}: {errors}" if where else str(errors)


def page_not_found(request, exception=None):
    """handler404 (zhidu/urls.py): a URL under /api/ that matches no route (e.g. /api/org/people/0.5/)
    answers 404 in the API's JSON shape like every other API error, not with the HTML page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail), "code": "not_found"},
                            status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)
