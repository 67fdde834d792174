"""mypy plugin: calling a factory_boy factory gives what it makes, not a factory.

factory_boy's metaclass turns `UserFactory(...)` into `UserFactory.create(...)`, which mypy cannot see: it would
type `UserFactory()` as a `UserFactory`. The result is the factory's model when the factory names it
(`DjangoModelFactory[User]`), otherwise Any.
"""

from collections.abc import Callable

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import TypeInfo
from mypy.plugin import FunctionContext, Plugin
from mypy.types import AnyType, Instance, Type, TypeOfAny, TypeVarType, get_proper_type

BASE_FACTORY = "factory.base.BaseFactory"


def _base_factory(info: TypeInfo) -> TypeInfo | None:
    return next((base for base in info.mro if base.fullname == BASE_FACTORY), None)


def _made(ctx: FunctionContext) -> Type:
    factory = get_proper_type(ctx.default_return_type)
    base = _base_factory(factory.type) if isinstance(factory, Instance) else None
    if not (isinstance(factory, Instance) and base):
        return ctx.default_return_type
    made = map_instance_to_supertype(factory, base).args[0]
    if isinstance(get_proper_type(made), TypeVarType | AnyType):
        return AnyType(TypeOfAny.implementation_artifact)
    return made


class FactoryPlugin(Plugin):
    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        symbol = self.lookup_fully_qualified(fullname)
        if symbol and isinstance(symbol.node, TypeInfo) and _base_factory(symbol.node):
            return _made
        return None


def plugin(version: str) -> type[Plugin]:
    return FactoryPlugin
