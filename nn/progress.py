"""The training progress bar: a widget in Jupyter, a text bar in a terminal, nothing in logs."""

from __future__ import annotations


def progress_bar(total: int, desc: str, enabled: bool = True):
    """A tqdm bar over ``total`` steps, chosen by tqdm.auto for where the code runs.

    In a Jupyter kernel (JupyterLab, Notebook, VS Code) it is tqdm's notebook widget,
    always shown: a kernel's stderr is never a terminal, so tqdm's own check would hide
    it. Elsewhere it is the text bar on stderr, shown only when stderr is a terminal:
    quiet in CI logs, pipes and files. ``enabled=False`` hides it everywhere.
    """
    # auto comes first: it imports autonotebook with its "experimental" warning silenced
    from tqdm import auto, autonotebook, std

    if not enabled:
        disable = True
    elif autonotebook.tqdm is std.tqdm:
        disable = None  # tqdm's test: shown only when stderr is a terminal
    else:
        disable = False  # the notebook widget (ipywidgets installed, inside a kernel)
    return auto.tqdm(total=total, desc=desc, unit="step", disable=disable, leave=False)
