"""Is the `autograd` Python found stepgrad's engine? PyPI's HIPS autograd has the same name.

Checked when ``nn`` is imported (``viz`` imports ``nn``), so a clash is one clear
ImportError at import time instead of an AttributeError deep in a model.
"""

from __future__ import annotations

REINSTALL = ("reinstall stepgrad into it: from the stepgrad folder, "
             "`pip install --force-reinstall --no-deps -e .` (or `./run setup`)")


def require_stepgrad_autograd() -> None:
    """Return if ``import autograd`` gives stepgrad's engine; else ImportError saying why."""
    try:
        import autograd
    except ImportError as exc:
        raise ImportError(f"stepgrad's nn and viz need its `autograd` package, which cannot "
                          f"be imported ({exc}); {REINSTALL}") from exc
    if getattr(autograd, "__stepgrad__", False):
        return
    where = getattr(autograd, "__file__", None)
    if where is None:  # folders without __init__.py: what an uninstall left behind
        folders = ", ".join(repr(p) for p in getattr(autograd, "__path__", [])) or "?"
        raise ImportError(
            f"stepgrad's `autograd` package is incomplete: {folders} has no __init__.py. "
            "`pip uninstall autograd` (PyPI's HIPS autograd, which has the same import "
            "name and overwrote the same files) removed stepgrad's files with its own. "
            f"Do not uninstall again: {REINSTALL}."
        )
    raise ImportError(
        "the 'autograd' package Python found is not stepgrad's (it is probably HIPS "
        f"autograd from PyPI, at {where}). Both use the import name 'autograd': install "
        "stepgrad in a virtual environment of its own, or 'pip uninstall autograd' and "
        f"then {REINSTALL} (the uninstall removes shared files)."
    )
