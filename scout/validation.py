"""Request schemas: one pydantic model per request both parses the request and describes it in
the OpenAPI document (:mod:`scout.views.api.openapi`), so the two cannot drift apart.

A field's ``Annotated`` type carries a :class:`Say`: the message, in the catalogues, shown next
to that field when its value is refused. Pydantic's own English text never reaches a user:
:func:`parse_json` and :func:`parse_args` raise :class:`~scout.errors.BadRequest` naming the
top-level field (``error.field`` of the JSON answer) with that field's message.

Models are strict (a JSON string is not a number, ``"true"`` is not a boolean) so that what the
document allows is exactly what the server takes; rules JSON Schema cannot say (the service
area's outline, "drop-off before pick-up") raise :func:`refuse` with their own message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from scout.errors import BadRequest

M = TypeVar("M", bound=BaseModel)

BODY = "body"
BODY_MESSAGE = _l("Send the request as a JSON object.")
# A field without its own message (there should be none; tests/web/test_openapi.py checks).
FALLBACK_MESSAGE = _l("This value is not valid.")
_BODY_ERRORS = {"json_invalid", "json_type", "model_type", "model_attributes_type", "dict_type"}


@dataclass(frozen=True, slots=True)
class Say:
    """What to tell the user when this field is refused: a lazy string (translated when the
    error is shown), with its ``%(name)s`` values already bound."""

    message: Any


class Request(BaseModel):
    """Base of every request model: strict types, unknown keys ignored, finite numbers."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, allow_inf_nan=False)


class QueryRequest(Request):
    """A request read from a query string: every value arrives as text, so numbers are
    converted (still finite, still within their bounds)."""

    model_config = ConfigDict(strict=False)


def refuse(message: Any, field: str | None = None) -> PydanticCustomError:
    """An error for a rule JSON Schema cannot express; ``message`` (lazy) is shown as is,
    next to ``field`` (by default the top-level field the rule belongs to)."""
    return PydanticCustomError("scout", "refused", {"say": message, "field": field})


def field_message(model: type[BaseModel], name: str) -> Any:
    """The :class:`Say` message of field ``name`` of ``model`` (or the fallback)."""
    info = model.model_fields.get(name)
    for meta in info.metadata if info else ():
        if isinstance(meta, Say):
            return meta.message
    return FALLBACK_MESSAGE


def field_name(model: type[BaseModel], name: str) -> str:
    """The name of field ``name`` in requests (its alias, if it has one)."""
    info = model.model_fields.get(name)
    return (info.alias if info and info.alias else None) or name


def _refusal(model: type[BaseModel], err: ValidationError) -> BadRequest:
    errors = err.errors(include_url=False)
    # A rule's own message first (in a union, the other members' errors are noise).
    first = next((e for e in errors if e["type"] == "scout"), errors[0])
    loc = first.get("loc") or ()
    ctx = first.get("ctx") or {}
    if first["type"] == "scout":
        top = str(loc[0]) if loc else BODY
        return BadRequest(ctx["say"], field=ctx.get("field") or top)
    if not loc or not isinstance(loc[0], str):
        return BadRequest(BODY_MESSAGE, field=BODY)
    by_name = {field_name(model, n): n for n in model.model_fields}
    attr = by_name.get(loc[0], loc[0])
    return BadRequest(field_message(model, attr), field=field_name(model, attr))


def parse_json(model: type[M], body: bytes | str, context: Mapping[str, Any] | None = None) -> M:
    """``model`` from a JSON text (a request body); raises :class:`BadRequest`.

    Parsed by pydantic's own JSON reader, which refuses absurdly nested input instead of
    recursing (Python's ``json`` would)."""
    try:
        return model.model_validate_json(body, context=dict(context or {}))
    except ValidationError as err:
        raise _refusal(model, err) from None


def parse_args(
    model: type[M], args: Mapping[str, Any], context: Mapping[str, Any] | None = None
) -> M:
    """``model`` from a query string or form fields (a werkzeug ``MultiDict``): values are
    text, so numbers are converted (still finite, still in bounds); list fields take every
    value of a repeated parameter. Raises :class:`BadRequest`."""
    data: dict[str, Any] = {}
    getlist = getattr(args, "getlist", None)
    for attr, info in model.model_fields.items():
        key = info.alias or attr
        if key not in args:
            continue
        many = getattr(info.annotation, "__origin__", None) in (list, set, frozenset)
        data[key] = getlist(key) if many and getlist else args[key]
    try:
        return model.model_validate(data, strict=False, context=dict(context or {}))
    except ValidationError as err:
        raise _refusal(model, err) from None


def json_body() -> bytes:
    """The current request's body, refused unless it is declared JSON (so a plain cross-site
    form cannot post it without a preflight)."""
    if not request.is_json:
        raise BadRequest(BODY_MESSAGE, field=BODY)
    return request.get_data()


def _integral(value: Any) -> Any:
    """``5.0`` → ``5``: JSON Schema counts an integral number as an integer, and so do we
    (but a string is still not a number)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Text a person typed: anything but NUL (PostgreSQL text cannot hold it).
TEXT = r"^[^\x00]*$"

# Put after an int's constraints (``Annotated[int, Field(ge=1), INTEGRAL]``) so that they
# still reach the document.
INTEGRAL = BeforeValidator(_integral)

PlaceId = Annotated[
    int,
    Field(ge=1, lt=2**31, description="A published place's id (404 if there is none)."),
    INTEGRAL,
    Say(_l("Choose a place from the list.")),
]
