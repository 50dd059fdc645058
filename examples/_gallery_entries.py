"""Every figure of the gallery: which article, which sentence, captions, how it is drawn.

The quotes are the articles' own words, copied character for character from the seed
files (``001`` keeps the pinyin its source site inserted after rare characters), so a
reader can find each one with the article in hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure

from . import _figures_deepin as deepin
from . import _figures_training as training
from ._figures_function_fit import FIGURES as FIT_FIGURES
from ._gallery_sources import Sources


@dataclass(frozen=True)
class Article:
    """A source article: its seed file and its title."""

    file: str
    title: str


ARTICLES = {
    "000": Article("000_a8ad05ab392a1f32.txt", "浅析ChatGPT-机器学习和神经网络的训练"),
    "001": Article("001_66d26bb93a569114.txt", "大模型AIGC分享之「深度学习」篇（deepin 博客）"),
    "002": Article("002_8dac87f27092bcb5.txt", "《深度学习图解》第二部分：神经网络学习原理"),
    "003": Article("003_0843a27f6b99c4be.txt", "神经网络笔记：结构、梯度下降、反向传播、拟合"),
    "004": Article("004_255a24fae4dfa3a8.txt", "【NLP 3、深度学习简介】"),
}


@dataclass(frozen=True)
class Entry:
    """One figure: its file name stem, its article and sentence, captions, its drawing."""

    name: str
    article: str  # a key of ARTICLES
    quote: str  # the article's sentence, verbatim
    caption_zh: str
    caption_en: str
    draw: Callable[[Sources], Figure]
    script: str  # the example that prints this figure's numbers
    needs: tuple[str, ...] = ()  # modules beyond stepgrad's own dependencies


def _fit(name: str) -> Callable[[Sources], Figure]:
    draw = FIT_FIGURES[name]
    return lambda s: draw(s.function_fit)


_FIT = "python -m examples.function_fit"
ENTRIES: tuple[Entry, ...] = (
    Entry("fit_1_target", "000",
          "让我们看一个比“最近点”问题更简单的问题,只试着让神经网络学习如下函数。",
          "要学习的函数：区间 [−1, 1] 上的 t = sin(πx)，一个完整的周期，没有一条直线能接近它。",
          "The function to learn: t = sin(πx) on [−1, 1], one whole period that no straight "
          "line comes near.", _fit("fit_1_target"), _FIT),
    Entry("fit_2_network", "000", "对于这个任务,我们需要只有一个输入和一个输出的神经网络。",
          "一个输入、一个输出的 1-4-4-1 网络（tanh 隐藏层，线性输出，33 个参数）；线条颜色与粗细"
          "是训练后的权重。",
          "The 1-4-4-1 network: one input, one output, tanh hidden layers, 33 parameters; "
          "line colour and width show the trained weights.", _fit("fit_2_network"), _FIT),
    Entry("fit_3_random_weights", "000", "例如,下面是它对于几组随机选择的权重计算出的函数。",
          "同一个网络，五组随机权重（每个权重和偏置取自 U(−2, 2)）：算出的函数与目标相去甚远。",
          "The same network with five random weight settings (every weight and bias from "
          "U(−2, 2)): nothing like the target.", _fit("fit_3_random_weights"), _FIT),
    Entry("fit_4_more_examples", "000", "以下是逐渐增加样例后所得的结果。",
          "用 5、10、20、50、100 个样例各训练一个网络：样例少时，样例之外的地方随意弯曲（前 20 个"
          "随机样例"
          "恰好没有落在 x < −0.5）；50 个以后与目标重合。",
          "One network trained on each of 5, 10, 20, 50 and 100 examples: with few, the curve "
          "goes its own way where there are none (the first 20 random examples happen to miss "
          "x < −0.5); from 50 on it lies on the target.", _fit("fit_4_more_examples"), _FIT),
    Entry("fit_5_learning_curve", "000",
          "随着训练过程不断进行,我们看到损失函数逐渐减小(遵循特定的“学习曲线”,不同任务的学习曲线"
          "不同),直到神经网络成功地复现(或者至少很好地近似)我们想要的函数。",
          "L2 损失 Σ(y − t)² 随训练步数下降（对数坐标）；Adam 偶尔的尖峰随后又被压下去。",
          "The L2 loss Σ(y − t)² step by step (log scale): it falls by four orders of "
          "magnitude; Adam's occasional spikes are pulled back down.",
          _fit("fit_5_learning_curve"), _FIT),
    Entry("fit_6_landscape", "000",
          "然后,我们可能会有一个损失函数,它作为 w_1 和 w_2 的函数看起来如下所示。",
          "只让两个权重（输入到第 1、第 3 个隐藏单元）变化，其余权重取训练值：损失的等高线图与三维"
          "曲面"
          "（对数刻度），星号是训练得到的权重。",
          "The loss over two weights (input to hidden units 1 and 3), every other weight at its "
          "trained value: contour map and 3-D surface on a log scale; the star is the trained "
          "network.", _fit("fit_6_landscape"), _FIT),
    Entry("fit_7_descent", "000",
          "一个典型的方法就是从之前的任意 w_1 和 w_2 开始,逐步沿着最陡的下降路径前进。",
          "从两个任意起点沿梯度最陡的方向走：一条走到训练得到的谷底，另一条停在一个“山湖”——局部最"
          "小值。",
          "Steepest descent from two arbitrary starts: one reaches the trained valley, the other "
          "stops in a \"mountain lake\", a local minimum.", _fit("fit_7_descent"), _FIT),
    Entry("fit_8_equivalent", "000",
          "在实际的神经网络训练中,通常会做出许多随机选择,导致产生一些“不同但等效”的解决方案,就像下"
          "面"
          "这些一样。",
          "同样的 50 个样例，五个不同的随机初始权重：五个网络在训练区间内几乎重合。",
          "The same 50 examples, five random initial weights: five networks that coincide on the "
          "training interval.", _fit("fit_8_equivalent"), _FIT),
    Entry("fit_9_extrapolation", "000",
          "假如在我们给出训练样例的区域之外进行“外插”(extrapolation),可能会得到截然不同的结果。",
          "同样五个网络在 [−3, 3] 上：区间之外各自趋于不同的值，而 sin(πx) 继续振荡——谁也不“正确”"
          "。",
          "The same five networks on [−3, 3]: outside the interval each levels off at its own "
          "height while sin(πx) keeps oscillating; none is \"right\".",
          _fit("fit_9_extrapolation"), _FIT),
    Entry("gates_and_or", "001",
          "對(duì)于邏輯與來(lái)說(shuō),只有當(dāng)x1與x2都是1的時(shí)候,y才是1,否則y是0,容易嘗"
          "試得到一組可能的w1、w2與θ,分別是0.5、0.5與0.7,如圖2所示。",
          "文章的与门 w1 = w2 = 0.5、θ = 0.7，以及或门 θ = 0.3：一条直线把输出 1 的点与输出 0 的点"
          "分开。",
          "The article's AND (w1 = w2 = 0.5, θ = 0.7) and OR (θ = 0.3): one line separates "
          "the inputs giving 1 from those giving 0.", deepin.gates_and_or,
          "python -m examples.logic_gates"),
    Entry("gates_xor", "001",
          "但是對(duì)于邏輯異或來(lái)說(shuō),問(wèn)題就嚴(yán)重了,顯然無(wú)法找到滿(mǎn)足條"
          "件的w1、w2"
          "與θ,如圖3所示。",
          "异或：网格中 9,702 个阈值神经元没有一个能算出异或；加一个隐藏层（2-2-1，tanh）后，两条"
          "线合起来"
          "就能分开。",
          "XOR: none of 9,702 threshold neurons on the grid computes it; a 2-2-1 tanh network "
          "does, with two lines instead of one.", deepin.gates_xor,
          "python -m examples.logic_gates"),
    Entry("linear_trajectory", "001",
          "實(shí)際上,若繼續(xù)增加2x+1附近的數(shù)據(jù),可以發(fā)現(xiàn)到了十幾對(duì)訓(x"
          "ùn)練數(shù)對(duì)之后,"
          "w與b即可相當(dāng)接近2與1了。",
          "从 w = 0.5、b = 0.6 开始，每对数据一步 SGD：w 约 43 对后接近 2，b 要约 181 对才接近 1——"
          "“十几对”对 b 来说太乐观。",
          "From w = 0.5, b = 0.6, one SGD step per pair: w is within 0.05 of 2 after 43 pairs, "
          "b within 0.05 of 1 only after 181; \"a dozen or so\" is optimistic for b.",
          deepin.linear_trajectory, "python -m examples.linear"),
    Entry("digits_samples", "001",
          "MNIST涉及的手寫(xiě)數(shù)字在網(wǎng)上是公開(kāi)的,如圖5所示。",
          "MNIST 在这里无法下载，用 scikit-learn 自带的 8×8 手写数字代替：前 20 张测试图像和网络的"
          "回答，"
          "最后一行是它认错的。",
          "MNIST cannot be downloaded here, so scikit-learn's 8×8 digits stand in: the first 20 "
          "held-out images with the network's answers, then some it got wrong.",
          deepin.digits_samples, "python -m examples.digits", ("sklearn",)),
    Entry("digits_confusion", "001",
          "但是它的識(shí)別能力卻可以達(dá)到92.53%,也就是說(shuō)一萬(wàn)個(gè)手寫(xiě)數(shù)"
          "字,它能正確識(shí)別"
          "出9253個(gè)來(lái)。",
          "64-50-100-10 网络（sigmoid、sigmoid、softmax）在留出的测试图像上的混淆矩阵：对角线是认"
          "对的。",
          "The confusion matrix of the 64-50-100-10 network (sigmoid, sigmoid, softmax) on the "
          "held-out images: the diagonal is what it read right.", deepin.digits_confusion,
          "python -m examples.digits", ("sklearn",)),
    Entry("ice_bias", "002", "我们重复上述相同的过程,生成一个像这样的MSE图表:",
          "其余参数取最优值时，MSE 随输出层偏置变化的 U 形曲线；文章的六次猜测，以及从 0 出发的梯"
          "度下降，"
          "越接近谷底步子越小。（表格是合成的，文章的表格已丢失。）",
          "The MSE against the output bias with every other parameter at its optimum: the "
          "article's six guesses and gradient descent from 0, its steps shrinking near the "
          "bottom. (The table is synthetic; the article's was lost.)", training.ice_bias,
          "python -m examples.ice_cream"),
    Entry("ice_bowl", "002", "这个图将与上面显示的图类似,但将是三维的。",
          "同时放开一个权重和偏置：MSE 是一个三维的碗，梯度下降同时更新两者走到碗底。",
          "One weight and the bias free together: the MSE is a 3-D bowl, and gradient descent "
          "updates both at once down to its bottom.", training.ice_bowl,
          "python -m examples.ice_cream"),
    Entry("ice_methods", "002",
          "我们不是基于单个数据点或整个数据集来更新值,而是每次迭代处理一批数据点。",
          "全部 9 个参数：全批量（每步 10 行）、随机（每步 1 行）、小批量（每步 4 行），横轴是付出"
          "的导数计算次数。",
          "All nine parameters: full batch (10 rows a step), stochastic (1 row) and mini-batch "
          "(4 rows), against the derivative evaluations each has paid for.",
          training.ice_methods, "python -m examples.ice_cream"),
    Entry("sigmoid_derivative", "003", "Sigmoid函数的求导结果为: $$ S′(x)=S(x)(1−S(x)) $$",
          "S(x)、由 backward() 逐点算出的导数，以及虚线画在它上面的 S(x)(1 − S(x))：两者重合。",
          "S(x), its derivative computed by backward() point by point, and S(x)(1 − S(x)) "
          "dotted over it: they coincide.", training.sigmoid_derivative,
          "python -m examples.gallery"),
    Entry("softmax_temperature", "003",
          "就是在输出层输出的时候 , 这个数字越大就意味着输出越平均 , 越可能选择不确定的选项(更有创"
          "造性输出)",
          "同样四个分数在温度 0.5、1、2、5 下的 softmax：温度越高，分布越平。",
          "Softmax of the same four scores at temperatures 0.5, 1, 2 and 5: the higher the "
          "temperature, the flatter.", training.softmax_temperature,
          "python -m examples.gallery"),
    Entry("zero_init", "003", "大概率是初始化参数的问题, 全0初始化参数会出现神经元停止学习的问题",
          "全 0 初始化：四个隐藏单元得到同样的梯度、同样地更新，训练后仍一模一样；随机初始化则各不"
          "相同。",
          "All-zero start: the four hidden units get the same gradient, make the same update and "
          "end identical; from a random start they differ.", training.zero_init,
          "python -m examples.init_and_overfit"),
    Entry("overfitting", "003",
          "当出现训练数据损失不停减少, 但是测试数据损失在增加的时候. 说明出现了过拟合的问题",
          "49 个参数的网络拟合 8 个带噪声的点：训练损失一直下降，测试损失在某一轮之后上升；2 个参"
          "数的直线不会。",
          "A 49-parameter network on 8 noisy points: the training loss keeps falling while the "
          "test loss turns up; a 2-parameter line does not.", training.overfitting,
          "python -m examples.init_and_overfit"),
    Entry("guess_bisection", "004", "本例中可以采用二分法调整参数",
          "猜数字：每次猜剩余范围的中点，“大了/小了”让范围减半，0..100 中任何数最多 7 次猜中。",
          "Guess the number by bisection: each guess halves what is still possible; any number "
          "in 0..100 takes at most 7 guesses.", training.guess_bisection,
          "python -m examples.guess_number"),
)


def by_name() -> dict[str, Entry]:
    """The entries keyed by name, in gallery order."""
    return {e.name: e for e in ENTRIES}
