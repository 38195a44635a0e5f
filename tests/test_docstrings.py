"""Every public name documents itself: numpydoc sections, a runnable example, its paper.

Doctests themselves run through ``--doctest-modules`` (see pyproject.toml).
"""

import importlib
import inspect
import pkgutil
import re

import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc

import skpapers

# Infrastructure with no paper of its own.
_INFRASTRUCTURE = {"utils", "reproduce"}


def _public_names():
    for info in pkgutil.iter_modules(skpapers.__path__):
        if not info.ispkg or info.name.startswith("_") or info.name in _INFRASTRUCTURE:
            continue
        package = importlib.import_module(f"skpapers.{info.name}")
        for name in getattr(package, "__all__", []):
            yield f"skpapers.{info.name}.{name}", getattr(package, name)


PUBLIC = sorted(_public_names(), key=lambda item: item[0])


def test_subpackages_export_something():
    assert PUBLIC, "no public names found"


@pytest.mark.parametrize("qualname, obj", PUBLIC, ids=[q for q, _ in PUBLIC])
def test_public_name_cites_its_paper_and_has_an_example(qualname, obj):
    doc = ClassDoc(obj) if inspect.isclass(obj) else FunctionDoc(obj)
    assert doc["Summary"], f"{qualname}: no summary line"
    references = "\n".join(doc["References"]) if isinstance(doc["References"], list) else doc["References"]
    assert re.search(r"arXiv:?\s*\d{4}\.\d{4,5}", references), f"{qualname}: References must cite an arXiv id"
    assert doc["Examples"], f"{qualname}: no Examples section"
    assert ">>>" in "\n".join(doc["Examples"]), f"{qualname}: Examples has no runnable code"
    if inspect.isclass(obj) or doc["Parameters"]:
        documented = {p.name.split(":")[0].strip() for p in doc["Parameters"]}
        signature = inspect.signature(obj)
        wanted = {
            name
            for name, parameter in signature.parameters.items()
            if name not in {"self", "args", "kwargs"} and parameter.kind != parameter.VAR_KEYWORD
        }
        # numpydoc allows "a, b : type" for several parameters at once
        documented = {part.strip() for name in documented for part in name.split(",")}
        assert wanted <= documented, f"{qualname}: undocumented parameters {sorted(wanted - documented)}"
