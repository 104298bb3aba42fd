"""The viewpoint benchmark runs end to end on a small labelled set written here."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from bench import viewpoints

TOPIC = "We should ban cars from the city centre"
POINTS = {
    "kp_air": (
        "1",
        [
            "cars pollute the air in the centre and children breathe it every day",
            "the air in the centre is dirty because of car exhaust and it makes people ill",
            "exhaust fumes from cars make the centre's air unhealthy to breathe",
            "banning cars would clean the air that everyone in the centre breathes",
        ],
    ),
    "kp_shops": (
        "-1",
        [
            "shops in the centre will lose customers who arrive by car",
            "small shops depend on shoppers who drive in and park near them",
            "without cars, customers will go to the malls and the shops will close",
            "shop owners say most of their customers come by car",
        ],
    ),
    "kp_safe": (
        "1",
        [
            "streets without cars are safer for people walking and cycling",
            "fewer cars means fewer accidents for pedestrians in the centre",
            "children could walk safely through the centre if cars were banned",
        ],
    ),
}


def write_set(folder: Path) -> None:
    arguments, labels, key_points = [], [], []
    n = 0
    for point, (stance, texts) in POINTS.items():
        key_points.append(
            {"key_point_id": point, "key_point": point, "topic": TOPIC, "stance": stance}
        )
        for text in texts:
            arg = f"arg_{n}"
            n += 1
            arguments.append({"arg_id": arg, "argument": text, "topic": TOPIC, "stance": stance})
            for other in POINTS:
                labels.append({"arg_id": arg, "key_point_id": other, "label": int(other == point)})
    for name, rows in (("arguments", arguments), ("labels", labels), ("key_points", key_points)):
        with open(folder / f"{name}_train.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def test_the_benchmark_prints_every_system_and_credits_the_data(tmp_path: Path, capsys) -> None:
    write_set(tmp_path)
    assert viewpoints.main(["--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for row in ("ThreadBrief", "random (same sizes)", "oracle (human groups)"):
        assert row in out
    oracle = next(line for line in out.splitlines() if line.startswith("oracle"))
    assert oracle.split()[3:5] == ["1.000", "1.000"]  # human groups are pure by definition
    assert "CDLA-Sharing" in out and "time per topic" in out


def test_in_process_viewpoints_are_the_ones_the_cli_prints(tmp_path: Path) -> None:
    write_set(tmp_path)
    [topic] = viewpoints.load(tmp_path, "train")
    assert viewpoints.threadbrief_groups(topic) == viewpoints.cli_groups(topic)


def test_scores_of_a_perfect_grouping(tmp_path: Path) -> None:
    write_set(tmp_path)
    [topic] = viewpoints.load(tmp_path, "train")
    perfect = viewpoints.score(topic, viewpoints.oracle_groups(topic))
    assert perfect["stance"] == perfect["kp_purity"] == perfect["nmi"] == 1.0
    assert perfect["cov@5"] == 1.0 and perfect["distinct@5"] == 1.0
    mixed = viewpoints.score(topic, [([a["arg_id"] for a in topic.arguments], ["arg_0"])])
    assert mixed["stance"] == pytest.approx(7 / 11)


def test_missing_data_is_a_clear_refusal(tmp_path: Path, capsys) -> None:
    assert viewpoints.main(["--data", str(tmp_path / "nowhere")]) == 2
    assert "No ArgKP train split" in capsys.readouterr().err


def test_one_real_topic_scores_above_random_groups(capsys) -> None:
    if not (viewpoints.DEFAULT_DATA / "arguments_train.csv").exists():
        pytest.skip(f"ArgKP is not at {viewpoints.DEFAULT_DATA}")
    [topic] = viewpoints.load(viewpoints.DEFAULT_DATA, "train")[:1]
    ours = viewpoints.threadbrief_groups(topic)
    assert ours and all(quotes for _, quotes in ours)
    placed = [i for members, _ in ours for i in members]
    assert len(placed) == len(set(placed))  # every argument in one viewpoint at most
    chance = viewpoints.random_groups(topic, [len(m) for m, _ in ours], random.Random(0))
    assert viewpoints.score(topic, ours)["kp_purity"] > viewpoints.score(topic, chance)["kp_purity"]
