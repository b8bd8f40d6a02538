"""The README's catalog table, generated from the registry.

``python tools/update_readme.py`` writes it between the README's catalog
markers; tests/test_readme.py fails when the README and the registry differ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from ._activation import Activation
    from ._catalog import Spec


def _signature(spec: Spec) -> str:
    params = ", ".join("%s=%r" % (p.name, p.default) if p.default is not None else p.name
                       for p in spec.params)
    return "%s(%s)" % (spec.name, params) if params else spec.name


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # "|x|" must not end the cell


def catalog_markdown(activations: Iterable[Activation]) -> str:
    """A markdown table: one row per activation of fastact.catalog()."""
    rows = [
        "| function | f(x) | f'(x) | range | backward uses | torch | jax |",
        "|---|---|---|---|---|---|---|",
    ]
    for act in activations:
        s = act.spec
        names = " ".join("`%s`" % n for n in (_signature(s),) + tuple(getattr(s, "aliases", ())))
        rows.append("| %s | %s | %s | %s | %s | `%s` | `%s` |" % (
            names, _cell(s.formula), _cell(s.derivative), s.output_range, s.backward_uses,
            s.torch, s.jax))
    return "\n".join(rows) + "\n"
