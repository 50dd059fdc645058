"""Frame captions in English and Chinese: the same numbers, two languages."""

from __future__ import annotations

__all__ = ["LANGS", "PHASES", "text"]

LANGS = ("en", "zh")
PHASES = ("forward", "loss", "backward", "update")

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "forward": "forward",
        "loss": "loss",
        "backward": "backward",
        "update": "update",
        "chain_rule": "chain rule",
        "learning_rate": "learning rate",
        "start": "Pair {k} of {n}: {pair}. Forward pass: the inputs and the current "
                 "parameters {params} are known; every other node is still to be computed.",
        "compute": "{phase}: {equation}",
        "backward_start": "backward: start at the loss, ∂{L}/∂{L} = 1. Gradients now flow "
                          "from the loss back to every node, in reverse topological order.",
        "backward_one": "backward ({chain}): {equation}   (rule: {rule})",
        "backward_sum": "backward ({chain}, summed over the {count} places that read "
                        "{name}): {equation}   (rules: {rule})",
        "not_learned": " — {name} is data, not a parameter: its gradient is not used.",
        "update_one": "update ({lr_name} lr = {lr}): {equation}",
        "done": "After pair {k}: {params} (the loss on this pair was {L} = {loss}). "
                "Gradients are reset to 0 before the next pair.",
        "step": "step",
        "frame": "frame",
        "play": "play",
        "pause": "pause",
        "prev": "prev",
        "next": "next",
        "title": "stepgrad: backpropagation step by step",
        "table_caption": "parameters after each step",
        "nodes_caption": "nodes of this pair",
        "inspector_title": "node inspector",
        "node": "node",
        "value": "value",
        "gradient": "gradient",
        "inspector": "Click a node to see its forward value and its chain-rule line.",
        "inspector_forward": "forward",
        "inspector_backward": "backward",
        "legend_param": "parameter",
        "legend_input": "input",
        "legend_loss": "loss",
        "legend_now": "this frame",
        "legend_faded": "not computed yet",
        "keys": "keys: ← → step · Home/End · space play/pause",
    },
    "zh": {
        "forward": "前向传播",
        "loss": "损失",
        "backward": "反向传播",
        "update": "参数更新",
        "chain_rule": "链式法则",
        "learning_rate": "学习率",
        "start": "第 {k}/{n} 组样本：{pair}。前向传播：输入和当前参数 {params} 已知，"
                 "其余节点尚待计算。",
        "compute": "{phase}：{equation}",
        "backward_start": "反向传播：从损失开始，∂{L}/∂{L} = 1。梯度按拓扑逆序从损失流回每个节点。",
        "backward_one": "反向传播（{chain}）：{equation}   （规则：{rule}）",
        "backward_sum": "反向传播（{chain}，对读取 {name} 的 {count} 处求和）：{equation}   "
                        "（规则：{rule}）",
        "not_learned": " —— {name} 是数据而非参数：它的梯度不会被使用。",
        "update_one": "参数更新（{lr_name} lr = {lr}）：{equation}",
        "done": "第 {k} 组样本之后：{params}（这组样本的损失 {L} = {loss}）。"
                "处理下一组之前梯度清零。",
        "step": "步",
        "frame": "帧",
        "play": "播放",
        "pause": "暂停",
        "prev": "上一帧",
        "next": "下一帧",
        "title": "stepgrad：逐步演示反向传播",
        "table_caption": "每步之后的参数",
        "nodes_caption": "本组样本的节点",
        "inspector_title": "节点详情",
        "node": "节点",
        "value": "值",
        "gradient": "梯度",
        "inspector": "点击节点，查看它的前向值和链式法则的计算。",
        "inspector_forward": "前向传播",
        "inspector_backward": "反向传播",
        "legend_param": "参数",
        "legend_input": "输入",
        "legend_loss": "损失",
        "legend_now": "当前帧",
        "legend_faded": "尚未计算",
        "keys": "按键：← → 单步 · Home/End · 空格 播放/暂停",
    },
}


def text(lang: str, key: str, **values: object) -> str:
    """The ``key`` sentence in ``lang`` with ``values`` filled in."""
    return _TEXT[lang][key].format(**values)
