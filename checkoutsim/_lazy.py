"""Public names of a package imported on first use (PEP 562), shared by the package root and
the scenario layer so that ``checkoutsim --help`` and ``validate`` import only what they use."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def lazy_exports(
    package: str, public: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose name ``public[name]`` lives in
    the module ``public[name]``; a name once imported is stored on the package, so later
    lookups skip ``__getattr__``."""
    namespace = sys.modules[package].__dict__

    def get_attribute(name: str) -> Any:
        module = public.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def names() -> list[str]:
        return sorted(set(namespace) | set(public))

    return get_attribute, names
