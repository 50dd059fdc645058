"""The sentences of a walkthrough: forward equations, chain-rule lines, updates.

Every rule is the op table's own template, written with the graph's names and then
the number: ``∂(w × x)/∂w = x = 1``. Numbers come from the engine (``.grad``,
``local_grads()``), never recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograd import Value
from autograd.ops import rule_uses_names

from ..numbers import format_factor, format_number
from . import captions
from .model import Answer, StepGraph
from .names import expression, number_operands, wrap
from .picture import data_text, grad_text

__all__ = ["Explainer", "Explained"]

MAX_CAPTION_TERMS = 2  # a sum over more consumers folds in the caption (whole in the inspector)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Explained:
    """A frame's caption, its whole text for the inspector, and its quiz answer."""

    caption: str
    full: str
    answer: Answer | None = None


def _d(of: str, by: str) -> str:
    return f"∂{wrap(of)}/∂{wrap(by)}"


def _operands(graph: StepGraph, node: Value) -> list[str]:
    """The names of ``node``'s inputs as they stand in a formula: ``(w × x)``, ``b``."""
    return [wrap(graph.names[p]) for p in node.inputs]


class Explainer:
    """Writes the sentences of one walkthrough in one language and precision."""

    def __init__(self, lang: str, precision: int) -> None:
        self.lang, self.precision = lang, precision

    def num(self, x: float | None) -> str:
        return format_number(x, self.precision)

    def factor(self, x: float) -> str:
        return format_factor(x, self.precision)

    def t(self, key: str, **values: object) -> str:
        return captions.text(self.lang, key, **values)

    # --- forward -----------------------------------------------------------------

    def forward(self, graph: StepGraph, node: Value) -> str:
        """``y = (w × x) + b = 0.5 + 0.604 = 1.104``."""
        symbolic = expression(node, _operands(graph, node))
        numeric = expression(node, number_operands(node, self.precision))
        name = graph.names[node]
        head = symbolic if name == symbolic else f"{name} = {symbolic}"
        return f"{head} = {numeric} = {self.num(node.data)}"

    # --- backward ----------------------------------------------------------------

    def rule(self, graph: StepGraph, consumer: Value, position: int) -> str:
        """The op table's rule in the graph's names, then its number: ∂(w × x)/∂w = x = 1."""
        op = consumer.op_entry
        names = _operands(graph, consumer)
        text = op.rule_text(position, names)
        if not rule_uses_names(op.rules[0 if op.arity is None else position]):
            # An op registered with plain text in letters: say which node each letter is.
            letters = ", ".join(f"{_LETTERS[i]} = {n}" for i, n in enumerate(names[:26]))
            text = f"{text} ({letters})"
        local = self.num(consumer.local_grads()[position])
        if text.rsplit("= ", 1)[-1] != local:
            text += f" = {local}"
        return text

    def chain(self, graph: StepGraph, node: Value, uses: list[tuple[Value, int]],
              loss_name: str) -> Explained:
        """∂L/∂a = Σ ∂L/∂c · ∂c/∂a over the consumers c, with the numbers and the rules."""
        name = graph.names[node]
        terms = []
        for consumer, position in uses:
            c = graph.names[consumer]
            local = consumer.local_grads()[position]
            # ∂L/∂L · ∂L/∂a would read as a circle: the loss's own factor is written out,
            # ∂L/∂L · ∂((y − t)² ÷ 2)/∂(y − t)²
            by = c if consumer is not graph.root else expression(consumer,
                                                                 _operands(graph, consumer))
            terms.append((f"{_d(loss_name, c)} · {_d(by, name)}", consumer.grad, local,
                          self.rule(graph, consumer, position)))
        result = self.num(node.grad)
        whole = self._chain_text(name, loss_name, terms, result, fold=False, line=True)
        caption = self._chain_text(name, loss_name, terms, result, fold=True)
        question = self._chain_text(name, loss_name, terms, "?", fold=True)
        line = self._chain_text(name, loss_name, terms, "?", fold=False, line=True)
        answer = Answer(node.grad, result, question,
                        (grad_text(self.lang, node.grad, self.precision),), line)
        return Explained(caption, whole, answer)

    def _chain_text(self, name: str, loss_name: str, terms: list, result: str,
                    fold: bool, line: bool = False) -> str:
        """The chain-rule sentence; ``fold``: at most two lines, a long sum as Σ with its
        first product and "…" (the inspector shows it whole);
        ``line``: without the phase in front (the inspector labels it)."""
        folded = fold and len(terms) > MAX_CAPTION_TERMS
        if folded:
            symbols = f"Σ {_d(loss_name, 'c')} · {_d('c', name)}"
            shown = terms[:1] + [None]  # the first product, then …: two lines at most
            rules = []  # each term's rule is in the inspector
        else:
            symbols = " + ".join(t[0] for t in terms)
            shown = terms
            rules = list(dict.fromkeys(t[3] for t in terms))
        if len(terms) == 1:
            (_, upstream, local, _), = terms
            numeric = f"{self.num(upstream)} × {self.factor(local)}"
        else:
            numeric = " + ".join("…" if t is None else
                                 f"({self.num(t[1])} × {self.factor(t[2])})" for t in shown)
        equation = f"{_d(loss_name, name)} = {symbols} = {numeric} = {result}"
        key = ("line" if line else "backward") + ("_one" if len(terms) == 1 else
                                                   "_folded" if folded else "_sum")
        return self.t(key, chain=self.t("chain_rule"), equation=equation,
                      rule="; ".join(rules), count=len(terms), name=name)

    # --- update ------------------------------------------------------------------

    def update(self, name: str, old: float, lr: float, grad: float, new: float,
               loss_name: str) -> Explained:
        """``w ← w − lr·∂L/∂w = 0.5 − 0.01 × (−1.796) = 0.51796``."""
        def equation(result: str) -> str:
            return (f"{name} ← {name} − lr·∂{loss_name}/∂{wrap(name)} = {self.num(old)} − "
                    f"{self.num(lr)} × {self.factor(grad)} = {result}")

        def caption(result: str) -> str:
            return self.t("update_one", lr_name=self.t("learning_rate"), lr=self.num(lr),
                          equation=equation(result))

        answer = Answer(new, self.num(new), caption("?"),
                        (data_text(self.lang, new, self.precision),), equation("?"),
                        (old, 2 * old - new))
        return Explained(caption(self.num(new)), equation(self.num(new)), answer)
