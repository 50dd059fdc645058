"""The articles' worked examples, each runnable as ``python -m examples.NAME``.

Every module prints the article's number next to the one stepgrad computes, has a
``main(argv=None) -> int`` and a function returning its results as data (what the
tests assert on and the plots draw):

- ``linear``: y = 2x + 1 learned by one neuron, the deepin post's two SGD steps.
- ``logic_gates``: AND / OR threshold neurons, why no single neuron does XOR, a 2-2-1 net that does.
- ``ice_cream``: 2-2-1 ReLU net; brute force, gradient descent, full-batch vs SGD vs mini-batch.
- ``guess_number``: the guess / loss / adjust loop: feedback only, bisection, signed loss.
- ``init_and_overfit``: all-zero initialisation keeps neurons identical; overfitting.
- ``digits``: the digit-recognition network on scikit-learn's digits.
- ``function_fit``: the first article: sin(πx) learned by 1-4-4-1, its nine lost figures.

``gallery`` draws every figure of every article (PNG, SVG and an index.html).
"""
