"""Field resolvers: the allow-list between client field paths and ORM paths.

The compiler never turns a client name into an ORM path by itself; it asks a resolver,
which answers with an ORM lookup path (``"category__name"``) and the model field at its end,
or raises :class:`~agnost_django.core.exceptions.InvalidField`. The path is only ever used
inside ``F()`` (or what :meth:`FieldResolver.reference` returns), never as an alias or a
keyword argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F

from agnost_django.core.exceptions import InvalidField

if TYPE_CHECKING:
    from django.db.models import Expression, Field, Model


class FieldResolver:
    """Maps a client field path to an ORM path on the queryset's model."""

    def resolve(self, path: tuple[str, ...]) -> tuple[str, Field]:
        """``path`` e.g. ``("category", "name")`` (the ``this.`` prefix already stripped).
        Return the ORM lookup path (``"category__name"``) and the model field at the end
        (used for type coercion: an ISO text compared with a ``DateTimeField`` is parsed,
        a text with a ``DecimalField``...). Raise :class:`InvalidField` for unknown or hidden
        fields."""
        raise InvalidField(f"unknown field '{'.'.join(path)}'")

    def resolve_lookup(self, path: tuple[str, ...]) -> tuple[str, Field]:
        """Like :meth:`resolve` for ``lookup.<path>`` (the candidate object of a complex
        lookup). Resolvers that support complex lookups override it; by default such
        references are refused."""
        raise InvalidField(f"lookup fields are not available here ('lookup.{'.'.join(path)}')")

    def reference(self, orm_path: str, scope: str) -> Expression:
        """The ORM expression referring to a resolved path; ``scope`` is ``"this"`` or
        ``"lookup"``. ``F(orm_path)`` by default (a subquery resolver may return
        ``OuterRef``)."""
        return F(orm_path)


#: ``relations`` of :class:`ModelFieldResolver`: relation name -> resolver of the related model.
Relations = Mapping[str, FieldResolver] | Callable[[str], FieldResolver | None]


class ModelFieldResolver(FieldResolver):
    """Allows the concrete fields of ``model`` by name.

    * ``allowed`` restricts the top-level names (``None``: every concrete field); ``hidden``
      names are always refused, with the same error as an unknown field.
    * ``_id`` is the primary key (allowed unless ``"_id"`` is hidden).
    * A forward ``ForeignKey``/``OneToOneField`` named alone is the related object's id;
      ``rel._id`` (or ``rel.<pk name>``) too. Other paths through it (``category.name``)
      need a resolver for the related model in ``relations`` — a mapping from the relation
      name, or a callable ``name -> resolver | None`` — and that resolver decides what the
      rest of the path may reach.
    * Reverse and many-to-many relations, and any name containing ``__``, are refused.
    """

    def __init__(
        self,
        model: type[Model],
        allowed: Iterable[str] | None = None,
        hidden: Iterable[str] = (),
        relations: Relations | None = None,
    ) -> None:
        self.model = model
        self.allowed = None if allowed is None else frozenset(allowed)
        self.hidden = frozenset(hidden)
        self.relations = relations

    def resolve(self, path: tuple[str, ...]) -> tuple[str, Field]:
        dotted = ".".join(path)
        if not path or any(not segment or "__" in segment for segment in path):
            raise InvalidField(f"unknown field '{dotted}'")
        name, rest = path[0], path[1:]
        if name in self.hidden:
            raise InvalidField(f"unknown field '{dotted}'")
        pk = self.model._meta.pk
        if name == "_id":
            if rest:
                raise InvalidField(f"unknown field '{dotted}'")
            return pk.name, pk
        if self.allowed is not None and name not in self.allowed:
            raise InvalidField(f"unknown field '{dotted}'")
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            raise InvalidField(f"unknown field '{dotted}'") from None
        if not getattr(field, "concrete", False) or field.many_to_many or field.one_to_many:
            raise InvalidField(f"unknown field '{dotted}'")
        if field.name != name:  # get_field() also answers to other spellings
            raise InvalidField(f"unknown field '{dotted}'")
        if not rest:
            return field.name, field
        if not (field.many_to_one or field.one_to_one) or field.related_model is None:
            raise InvalidField(f"unknown field '{dotted}'")
        resolver = self._related_resolver(name)
        if resolver is not None:
            try:
                sub_path, sub_field = resolver.resolve(rest)
            except InvalidField:
                raise InvalidField(f"unknown field '{dotted}'") from None
            return f"{field.name}__{sub_path}", sub_field
        related_pk = field.related_model._meta.pk
        if rest in (("_id",), (related_pk.name,)):
            return f"{field.name}__{related_pk.name}", related_pk
        raise InvalidField(f"unknown field '{dotted}'")

    def _related_resolver(self, name: str) -> FieldResolver | None:
        relations = self.relations
        if relations is None:
            return None
        if callable(relations) and not isinstance(relations, Mapping):
            return relations(name)
        return relations.get(name)
