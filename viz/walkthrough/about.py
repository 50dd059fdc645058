"""What the page's header says: the model, the loss, the learning rate, where it starts,
what it should learn, and where every training pair comes from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..numbers import format_number
from .model import StepRecord

__all__ = ["About", "describe"]

_TEXT = {
    "en": {
        "article": "Model y = w·x + b, loss L = (y − t)²/2, learning rate {lr}, start {start}.",
        "l2": "Model y = w·x + b, loss L = (y − t)²/2 + R with weight decay "
              "R = λ·(w² + b²)/2, λ = {wd}, learning rate {lr}, start {start}.",
        "goal": "The pairs come from y = 2x + 1: w should approach 2 and b approach 1.",
        "goal_l2": "The pairs come from y = 2x + 1; the decay pulls w and b toward 0, so "
                   "they settle a little below 2 and 1.",
        "source": "From the deepin article: pairs {article} are its (0, 1) and (1, 2.9); "
                  "pairs {generated} are generated (x uniform in [−5, 5], t = 2x + 1 + "
                  "noise with σ = 0.1, seed 0).",
        "source_short": "From the deepin article: pairs {article} are its (0, 1) and (1, 2.9).",
        "user": "Your model: {model}; loss {loss}; learning rate {lr}; {pairs_given}; "
                "start {start}.",
        "pairs_given": "{n} training pairs you gave",
        "pair_given": "1 training pair you gave",
        "detail": "Pairs 1–{detail} are shown frame by frame; pairs {rest} only as numbers "
                  "(the table and the chart).",
        "reach": "On this stream w comes within 0.05 of 2 after {w} pairs, b within 0.05 of 1 "
                 "after {b}: not the article's \"a dozen or so\" (b learns slowly).",
        "never": "more than {n}",
        "default_loss": "L = (y − t)²/2",
        "pairs": "{a}–{b}",
        "pair": "{a}",
    },
    "zh": {
        "article": "模型 y = w·x + b，损失 L = (y − t)²/2，学习率 {lr}，初始 {start}。",
        "l2": "模型 y = w·x + b，损失 L = (y − t)²/2 + R，权重衰减 R = λ·(w² + b²)/2，"
              "λ = {wd}，学习率 {lr}，初始 {start}。",
        "goal": "训练对来自 y = 2x + 1：w 应当接近 2，b 应当接近 1。",
        "goal_l2": "训练对来自 y = 2x + 1；权重衰减把 w 和 b 拉向 0，"
                   "所以它们停在略低于 2 和 1 的地方。",
        "source": "来自 deepin 的文章：第 {article} 个训练对是文章中的 (0, 1) 和 (1, 2.9)；"
                  "第 {generated} 个是生成的（x 在 [−5, 5] 上均匀分布，t = 2x + 1 加上 "
                  "σ = 0.1 的噪声，种子 0）。",
        "source_short": "来自 deepin 的文章：第 {article} 个训练对是文章中的 (0, 1) 和 (1, 2.9)。",
        "user": "你的模型：{model}；损失 {loss}；学习率 {lr}；{pairs_given}；初始 {start}。",
        "pairs_given": "你给的 {n} 个训练对",
        "pair_given": "你给的 1 个训练对",
        "detail": "第 1–{detail} 个训练对逐帧演示；第 {rest} 个只有数字（表格和图表）。",
        "reach": "在这串训练对上，w 在第 {w} 个训练对之后离 2 不到 0.05，b 要到第 {b} 个之后才离 1 "
                 "不到 0.05：并不是文章说的“十几个”（b 学得慢）。",
        "never": "{n} 个以上",
        "default_loss": "L = (y − t)²/2",
        "pairs": "{a}–{b}",
        "pair": "{a}",
    },
}


@dataclass(frozen=True)
class About:
    """The header's sentences, in order; what the trajectory chart marks."""

    lines: tuple[str, ...]
    targets: dict[str, float] = field(default_factory=dict)  # {"w": 2, "b": 1}
    article_pairs: int = 0  # how many of the first pairs are the article's


def _span(lang: str, a: int, b: int) -> str:
    if a == b:
        return _TEXT[lang]["pair"].format(a=a)
    return _TEXT[lang]["pairs"].format(a=a, b=b)


def _start(records: Sequence[StepRecord], precision: int, most: int = 6) -> str:
    if not records:
        return ""
    items = list(records[0].before.items())
    shown = ", ".join(f"{name} = {format_number(v, precision)}" for name, v in items[:most])
    return shown + (f", … ({len(items)})" if len(items) > most else "")


def _describe_model(model: object) -> str:
    text = repr(model)
    if text.startswith("<"):  # a plain function: its name says more than its address
        text = getattr(model, "__name__", type(model).__name__)
    return text if len(text) <= 80 else text[:79] + "…"


def describe(lang: str, *, model: object, example: str, loss: Callable | None, lr: float,
             pairs: Sequence, article_pairs: int, records: Sequence[StepRecord], detail: int,
             weight_decay: float, precision: int) -> About:
    """The header of a walkthrough: built-in examples say what the article says; a user's
    model is described by what the user passed."""
    text = _TEXT[lang]
    num = lambda x: format_number(x, precision)  # noqa: E731
    start = _start(records, precision)
    n = len(pairs)
    if model is None:
        key = "l2" if example == "l2" else "article"
        lines = [text[key].format(lr=num(lr), start=start, wd=num(weight_decay))
                 + ("" if lang == "zh" else " ") + text["goal_l2" if example == "l2" else "goal"]]
        article = _span(lang, 1, min(article_pairs, n))
        if n > article_pairs:
            lines.append(text["source"].format(article=article,
                                               generated=_span(lang, article_pairs + 1, n)))
        else:
            lines.append(text["source_short"].format(article=article))
    else:
        loss_text = text["default_loss"] if loss is None else getattr(
            loss, "__name__", type(loss).__name__)
        given = text["pair_given"] if n == 1 else text["pairs_given"].format(n=n)
        lines = [text["user"].format(model=_describe_model(model), loss=loss_text,
                                     lr=num(lr), pairs_given=given, start=start)]
    if n > detail:
        lines.append(text["detail"].format(detail=detail, rest=_span(lang, detail + 1, n)))
    if model is None:
        if example == "article" and article_pairs > 0 and lr == ARTICLE_RATE \
                and records[0].before == ARTICLE_START:
            lines.append(_reach(lang, records, lr))
        return About(tuple(lines), {"w": 2.0, "b": 1.0}, max(article_pairs, 0))
    return About(tuple(lines))


REACH_WITHIN, REACH_LIMIT = 0.05, 2_000
ARTICLE_RATE, ARTICLE_START = 0.01, {"w": 0.5, "b": 0.6}


def _reach(lang: str, records: Sequence[StepRecord], lr: float) -> str:
    """After how many pairs of the article's stream w is within 0.05 of 2 and b of 1,
    from the same start and rate (plain floats: the same arithmetic as the engine's)."""
    from nn.datasets import linear_pairs

    start = records[0].before
    w, b = start["w"], start["b"]
    reached: dict[str, int] = {}
    for k, (x, t) in enumerate(linear_pairs(REACH_LIMIT, seed=0), 1):
        g = w * x[0] + b - t
        w, b = w - lr * g * x[0], b - lr * g
        for name, value, target in (("w", w, 2.0), ("b", b, 1.0)):
            if name not in reached and abs(value - target) < REACH_WITHIN:
                reached[name] = k
        if len(reached) == 2:
            break
    never = _TEXT[lang]["never"].format(n=f"{REACH_LIMIT:,}")
    return _TEXT[lang]["reach"].format(w=reached.get("w", never), b=reached.get("b", never))

