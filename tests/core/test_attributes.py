"""The attribute vocabulary, the caption grammar, the label files and identity-disjoint folds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.attributes.captions import article, caption_for, join_list, prompts
from core.attributes.data import unlabelled_paths
from core.attributes.folds import identity_folds, split_train_validation
from core.attributes.labels import LFW_COLUMNS, read_lfw_attributes, read_maad
from core.attributes.vocabulary import ATTRIBUTES, KEYS, attribute
from core.errors import FacexplainError
from tests.conftest import LFW

MAAD_47 = ["Male", "Young", "Middle_Aged", "Senior", "Asian", "White", "Black", "Rosy_Cheeks", "Shiny_Skin", "Bald", "Wavy_Hair", "Receding_Hairline", "Bangs", "Sideburns", "Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair", "No_Beard", "Mustache", "5_o_Clock_Shadow", "Goatee", "Oval_Face", "Square_Face", "Round_Face", "Double_Chin", "High_Cheekbones", "Chubby", "Obstructed_Forehead", "Fully_Visible_Forehead", "Brown_Eyes", "Bags_Under_Eyes", "Bushy_Eyebrows", "Arched_Eyebrows", "Mouth_Closed", "Smiling", "Big_Lips", "Big_Nose", "Pointy_Nose", "Heavy_Makeup", "Wearing_Hat", "Wearing_Earrings", "Wearing_Necktie", "Wearing_Lipstick", "No_Eyewear", "Eyeglasses", "Attractive"]


def test_the_vocabulary_is_maad_faces_47_attributes_in_order() -> None:
    assert tuple(MAAD_47) == KEYS
    assert attribute("Eyeglasses").label == "eyeglasses"
    assert attribute("Male").absent_label == "woman"
    with pytest.raises(KeyError, match="Spectacles"):
        attribute("Spectacles")


def test_the_papers_example_caption() -> None:
    assert caption_for(["Male", "Senior", "White", "Gray_Hair", "Eyeglasses"]) == (
        "A photo of an old white man's face with gray hair and eyeglasses.")


def test_articles_follow_the_sound_of_the_next_word() -> None:
    assert [article(w) for w in ("old", "Asian", "young", "oval", "hour", "one-eyed", "man")] == [
        "an", "an", "a", "an", "an", "a", "a"]
    assert caption_for(["Asian", "Young"]) == "A photo of a young Asian person's face."
    assert caption_for(["Oval_Face"]) == "A photo of an oval face."
    assert caption_for(["Obstructed_Forehead"]) == "A photo of a face with an obstructed forehead."


def test_lists_join_with_commas_and_and() -> None:
    assert join_list([]) == "" and join_list(["a"]) == "a"
    assert join_list(["a", "b"]) == "a and b"
    assert join_list(["a", "b", "c"]) == "a, b and c"
    assert caption_for(["Mustache", "Goatee", "Eyeglasses", "Wearing_Hat"]) == (
        "A photo of a face with a mustache, a goatee, a hat and eyeglasses.")  # vocabulary order


def test_adjectives_take_their_usual_order_and_shared_nouns_merge() -> None:
    text = caption_for(["Eyeglasses", "Gray_Hair", "Wavy_Hair", "White", "Senior", "Chubby",
                        "Attractive", "Smiling", "Oval_Face", "Big_Nose", "Pointy_Nose"],
                       absent=["Male"])
    assert text == ("A photo of an attractive chubby old white woman's smiling oval face with "
                    "wavy gray hair, a big pointy nose and eyeglasses.")
    assert caption_for(["Black_Hair", "Brown_Hair"]) == (
        "A photo of a face with black and brown hair.")


def test_absent_attributes_are_not_named_except_the_person() -> None:
    assert caption_for([], absent=["Eyeglasses", "Smiling"]) == "A photo of a face."
    assert caption_for(["Smiling"], absent=["Male"]) == "A photo of a woman's smiling face."
    assert caption_for(["No_Beard", "No_Eyewear"]) == (
        "A photo of a face without a beard or glasses.")


def test_every_attribute_has_a_positive_and_a_different_negative_prompt() -> None:
    for key in KEYS:
        pos, neg = prompts(key)
        assert pos.startswith("A photo of ") and pos.endswith(".") and pos != neg
    assert prompts("Eyeglasses") == ("A photo of a face with eyeglasses.",
                                     "A photo of a face without eyeglasses.")
    assert prompts("Male") == ("A photo of a man's face.", "A photo of a woman's face.")
    assert prompts("Young")[1] == "A photo of a face that is not young."


def test_every_maad_attribute_maps_to_an_lfw_column() -> None:
    assert set(LFW_COLUMNS) | {"Attractive"} == set(KEYS)
    assert len({a.label for a in ATTRIBUTES}) == len(KEYS)


def test_lfw_attribute_scores_become_labels(tmp_path: Path) -> None:
    columns = ["person", "imagenum", *LFW_COLUMNS.values(), "Attractive Man", "Attractive Woman"]
    rows = [["Jane Doe", "3"] + ["-1.5"] * (len(columns) - 2),
            ["John Roe", "12"] + ["0.7"] * (len(columns) - 2)]
    rows[0][columns.index("Attractive Woman")] = "0.2"  # a woman: her "Attractive Woman" score counts
    rows[1][columns.index("Attractive Man")] = "-0.4"
    tsv = tmp_path / "attrs.tsv"
    tsv.write_text("\n".join("\t".join(r) for r in [columns, *rows]) + "\n")
    data = read_lfw_attributes(tsv)
    assert data.paths == ["Jane_Doe/Jane_Doe_0003.jpg", "John_Roe/John_Roe_0012.jpg"]
    assert data.identities == ["Jane Doe", "John Roe"]
    att = KEYS.index("Attractive")
    assert data.labels[0, KEYS.index("Male")] == -1 and data.labels[1, KEYS.index("Male")] == 1
    assert data.labels[0, att] == 1 and data.labels[1, att] == -1


def test_maad_annotations_keep_unknown_as_zero(tmp_path: Path) -> None:
    header = ["Filename", "Identity", *reversed(KEYS)]  # any column order
    values = [1 if i % 3 == 0 else (-1 if i % 3 == 1 else 0) for i in range(len(KEYS))]
    csv = tmp_path / "MAAD_Face.csv"
    csv.write_text(",".join(header) + "\n" + ",".join(["n000002/0001_01.jpg", "2",
                                                       *map(str, reversed(values))]) + "\n")
    data = read_maad(csv)
    assert data.paths == ["n000002/0001_01.jpg"] and data.identities == ["2"]
    assert data.labels[0].tolist() == values
    with pytest.raises(FacexplainError):
        read_maad(tmp_path / "missing.csv")


def test_folds_never_split_a_person_and_spread_the_minority() -> None:
    rng = np.random.default_rng(1)
    people = [f"p{i}" for i in range(40)]
    ids = [p for p in people for _ in range(int(rng.integers(3, 30)))]
    female = {p for p in people[:10]}
    flags = np.array([p not in female for p in ids])
    folds = identity_folds(ids, 5, seed=0, strata=flags)
    for p in people:
        assert len(set(folds[np.array(ids) == p])) == 1
    women_per_fold = [len({i for i, f in zip(ids, folds, strict=True) if f == k and i in female})
                      for k in range(5)]
    assert women_per_fold == [2, 2, 2, 2, 2]
    sizes = np.bincount(folds)
    assert sizes.max() - sizes.min() < 30
    assert np.array_equal(folds, identity_folds(ids, 5, seed=0, strata=flags))
    train, val = split_train_validation(ids, seed=0, strata=flags)
    assert not {ids[i] for i in train} & {ids[i] for i in val}
    assert len(train) + len(val) == len(ids)


@pytest.mark.skipif(not (LFW / "attributes").is_dir(), reason="../shared LFW attributes absent")
def test_the_shared_lfw_subset_reads_as_2999_images_of_62_people() -> None:
    data = read_lfw_attributes(LFW / "attributes" / "lfw_attributes_62people.tsv")
    assert len(data.paths) == 2999 and len(set(data.identities)) == 62
    assert (LFW / "deepfunneled" / data.paths[0]).is_file()
    assert 0.85 < float(np.mean(data.labels[:, 0] > 0)) < 0.9  # 88% of the images are men


def test_unlabelled_faces_are_view1_images_of_people_outside_the_labelled_set(tmp_path: Path) -> None:
    assert unlabelled_paths(tmp_path, set()) == []  # no View 1 files: no unlabelled faces
    (tmp_path / "pairsDevTrain.txt").write_text("1\nAna_Lee\t1\t2\nAna_Lee\t1\tBo_Yu\t3\n")
    (tmp_path / "pairsDevTest.txt").write_text("1\nCy_Ho\t1\t4\nBo_Yu\t3\tCy_Ho\t2\n")
    (tmp_path / "pairs.txt").write_text("1 1\nDee_Ray\t1\t2\nDee_Ray\t1\tEd_Po\t1\n")
    assert unlabelled_paths(tmp_path, {"Cy_Ho"}) == [
        "Ana_Lee/Ana_Lee_0001.jpg", "Ana_Lee/Ana_Lee_0002.jpg", "Bo_Yu/Bo_Yu_0003.jpg"]


@pytest.mark.skipif(not (LFW / "pairsDevTrain.txt").is_file(), reason="../shared LFW absent")
def test_the_shared_lfw_view1_holds_4782_unlabelled_faces_of_other_people() -> None:
    data = read_lfw_attributes(LFW / "attributes" / "lfw_attributes_62people.tsv")
    people = {p.split("/")[0] for p in data.paths}
    pool = unlabelled_paths(LFW, people)
    assert len(pool) == 4782 and not {p.split("/")[0] for p in pool} & people
    assert (LFW / "deepfunneled" / pool[0]).is_file()
