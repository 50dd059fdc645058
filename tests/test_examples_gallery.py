"""The gallery: its list of figures, the files it writes, the index that shows them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from examples import digits, gallery
from examples._gallery_entries import ARTICLES, ENTRIES, Entry
from examples._gallery_page import page
from examples._gallery_sources import Sources, bisection, digit_predictions
from viz.fonts import has_cjk

# Cheap figures (no training): enough to test writing, the index and determinism.
REDUCED = "softmax_temperature,guess_bisection"


class _Links(HTMLParser):
    """Every src and href of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [v for k, v in attrs if k in ("src", "href") and v]


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


@pytest.fixture(scope="module")
def reduced(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gallery")
    written = gallery.write_gallery(folder, gallery.choose(REDUCED), progress=False)
    return folder, written


def test_every_figure_the_issue_names_is_listed_once_with_its_article():
    names = [e.name for e in ENTRIES]
    assert len(names) == len(set(names)) == 22
    assert names[:9] == ["fit_1_target", "fit_2_network", "fit_3_random_weights",
                         "fit_4_more_examples", "fit_5_learning_curve", "fit_6_landscape",
                         "fit_7_descent", "fit_8_equivalent", "fit_9_extrapolation"]
    assert {"ice_bias", "ice_bowl", "ice_methods", "gates_and_or", "gates_xor",
            "linear_trajectory", "digits_samples", "digits_confusion", "guess_bisection",
            "zero_init", "overfitting", "sigmoid_derivative", "softmax_temperature"} \
        == set(names[9:])
    for e in ENTRIES:
        assert ARTICLES[e.article].file.startswith(e.article + "_")
        assert has_cjk(e.quote) and has_cjk(e.caption_zh) and not has_cjk(e.caption_en)
        assert re.fullmatch(r"python -m examples\.[a-z_]+", e.script)
    assert {e.article for e in ENTRIES} == set(ARTICLES)  # every article has a figure


def test_choose_keeps_gallery_order_and_names_the_unknown():
    assert [e.name for e in gallery.choose("guess_bisection, fit_1_target")] == \
        ["fit_1_target", "guess_bisection"]
    with pytest.raises(ValueError, match=r"unknown figure name\(s\) 'fit_10'; expected some "
                                         r"of: fit_1_target, "):
        gallery.choose("fit_1_target,fit_10")


def test_the_gallery_writes_every_file_its_index_lists(reduced):
    folder, written = reduced
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written) == [
        "guess_bisection.png", "guess_bisection.svg", "index.html",
        "softmax_temperature.png", "softmax_temperature.svg"]
    html = (folder / "index.html").read_text(encoding="utf-8")
    local = [u.split("#")[0] for u in links(html) if not u.startswith("#")]
    assert sorted(set(local)) == ["guess_bisection.png", "guess_bisection.svg",
                                  "softmax_temperature.png", "softmax_temperature.svg"]
    assert all((folder / u).is_file() for u in local)
    assert (folder / "guess_bisection.png").read_bytes()[:4] == b"\x89PNG"
    assert "二分法" in (folder / "guess_bisection.svg").read_text(encoding="utf-8")


def test_the_index_shows_article_quote_captions_and_command(reduced):
    folder, _ = reduced
    html = (folder / "index.html").read_text(encoding="utf-8")
    entry = next(e for e in ENTRIES if e.name == "guess_bisection")
    assert ARTICLES["004"].file in html and entry.quote in html
    assert entry.caption_zh in html and entry.caption_en in html
    assert "python -m examples.gallery OUT_DIR --only guess_bisection" in html
    assert "http://" not in html and "https://" not in html  # nothing from the network
    assert "<script" not in html


def test_the_gallery_is_deterministic(reduced, tmp_path):
    folder, _ = reduced
    timings = {}
    gallery.write_gallery(tmp_path, gallery.choose("softmax_temperature"), progress=False,
                          timings=timings)
    assert list(timings) == ["softmax_temperature"]  # (wall, CPU) seconds, for the benchmark
    for name in ("softmax_temperature.png", "softmax_temperature.svg"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes()


def test_every_text_of_the_index_is_escaped():
    evil = Entry("x", "000", "<script>alert(1)</script>", "中文 <b>", "English & <i>",
                 lambda s: None, "python -m examples.x")
    html = page([evil])
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "中文 &lt;b&gt;" in html and "English &amp; &lt;i&gt;" in html


def test_main_lists_names_and_refuses_bad_arguments(tmp_path, capsys):
    assert gallery.main(["--list"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("fit_1_target ")
    taken = tmp_path / "taken"
    taken.write_text("mine")
    for argv, message in (([str(taken)], f"OUT_DIR {str(taken)!r} is a file; give a folder"),
                          ([str(tmp_path), "--only", "nope"], "unknown figure name(s) 'nope'"),
                          ([], "give OUT_DIR")):
        with pytest.raises(SystemExit) as stop:
            gallery.main(argv)
        assert stop.value.code == 2
        assert message in capsys.readouterr().err
    assert taken.read_text() == "mine"


def test_main_says_up_front_when_the_digits_need_scikit_learn(tmp_path, capsys, monkeypatch):
    assert gallery.missing(gallery.choose("digits_samples,guess_bisection")) == []
    real = gallery.importlib.util.find_spec
    monkeypatch.setattr(gallery.importlib.util, "find_spec",
                        lambda name: None if name == "sklearn" else real(name))
    assert gallery.missing(gallery.choose("digits_samples,digits_confusion")) == ["sklearn"]
    assert gallery.missing(gallery.choose("guess_bisection")) == []
    with pytest.raises(SystemExit) as stop:
        gallery.main([str(tmp_path / "out")])
    assert stop.value.code == 2
    assert "the digits figures need sklearn: pip install 'stepgrad[examples]'" in \
        capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing written


def test_main_writes_the_chosen_figures(tmp_path, capsys):
    assert gallery.main([str(tmp_path / "out"), "--only", "softmax_temperature"]) == 0
    assert "wrote 1 figures (2 files)" in capsys.readouterr().out
    assert (tmp_path / "out" / "index.html").is_file()


def test_bisection_records_the_interval_before_each_guess():
    b = bisection(49)
    assert b.guesses == (50, 24, 37, 43, 46, 48, 49)
    assert b.lows == (0, 0, 25, 38, 44, 47, 49) and b.highs == (100, 49, 49, 49, 49, 49, 49)
    assert all(lo <= g <= hi and lo <= 49 <= hi
               for g, lo, hi in zip(b.guesses, b.lows, b.highs, strict=True))
    assert Sources(0).bisection.target == 49  # guess_number's number for seed 0


def test_digit_predictions_are_the_digits_examples_network():
    train, test, name = digits.load(None, seed=0)
    train, test = train[:96], test[:40]  # a few images: the point is the same network
    ours = digit_predictions(seed=0, epochs=2, data=(train, test))
    theirs = digits.train_and_test(train, test, name, seed=0, epochs=2)
    assert ours.accuracy == theirs.test_accuracy  # same data, same training, same answers
    assert ours.sizes == (64, 50, 100, 10)
    table = ours.confusion
    assert sum(map(sum, table)) == len(ours.labels) == theirs.n_test
    assert sum(table[k][k] for k in range(10)) == round(ours.accuracy * len(ours.labels))


def test_every_quote_is_the_articles_own_words():
    # the articles live outside the repository (../shared/seeds in the project's workspace)
    found = [p / "shared" / "seeds" for p in Path(__file__).resolve().parents
             if (p / "shared" / "seeds").is_dir()]
    if not found:
        pytest.skip("the seed articles are not in a shared/seeds folder above the repository")
    seeds = found[0]
    for e in ENTRIES:
        text = (seeds / ARTICLES[e.article].file).read_text(encoding="utf-8")
        assert e.quote in text, e.name
