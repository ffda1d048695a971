"""`--domain junyi` of the classroom study: the exercise table's map and topics, four questions
per exercise, parameters drawn as for a course without responses. Synthetic tables here; the
real file when it is at hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evaluation.domains import JUNYI_ITEMS, curriculum_order, junyi_domain
from tests.unit.test_junyi import REAL_FILE, row, write_csv
from tutor.errors import InvalidInput


def test_the_tables_map_topics_and_exercises_make_the_domain(tmp_path: Path) -> None:
    table = write_csv(tmp_path,
                      row("count", topic="numbers"),
                      row("add", "count", topic="numbers"),
                      row("fractions_1", "add", topic="fractions"),
                      row("fractions_2", "fractions_1,add", topic="fractions"),
                      row("loop_a", "loop_b", topic="loops"),
                      row("loop_b", "loop_a", topic="loops"))  # a cycle: one edge goes
    domain = junyi_domain(table, seed=1)
    p = domain.params
    assert domain.name == "junyi" and p.n_kps == 6
    assert p.n_items == 6 * len(JUNYI_ITEMS)
    assert all(len(kps) == 1 for kps in p.item_kps)
    index = {k.rsplit(":kp:", 1)[1]: i for i, k in enumerate(p.kp_ids)}
    assert set(p.prereqs[index["fractions_2"]]) == {index["fractions_1"], index["add"]}
    assert p.prereqs[index["count"]] == ()
    assert len(curriculum_order(p.prereqs)) == 6  # acyclic
    named = [sorted(p.kp_ids[k].rsplit(":kp:", 1)[1] for k in c) for c in domain.chapters]
    assert named[0] == ["add", "count"] and ["fractions_1", "fractions_2"] in named
    assert sorted(len(c) for c in domain.chapters) == [2, 2, 2]
    # per KP, basic to challenge: shifts centred, harder questions shifted up
    shifts = p.item_shift[:len(JUNYI_ITEMS)]
    assert shifts.sum() == pytest.approx(0.0) and shifts[0] < shifts[1] < shifts[3]
    assert p.ability_sd > 0 and np.all((p.learn > 0) & (p.learn < 1))
    again = junyi_domain(table, seed=1).params
    assert np.array_equal(again.learn, p.learn)  # seeded


def test_a_missing_table_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no Junyi exercise table there"):
        junyi_domain(tmp_path / "junyi" / "junyi_Exercise_table.csv")


@pytest.mark.skipif(not REAL_FILE.is_file(), reason=f"no Junyi table at {REAL_FILE}")
def test_the_real_table_gives_835_kps_in_41_topics() -> None:
    domain = junyi_domain(REAL_FILE)
    assert domain.params.n_kps == 835 and len(domain.chapters) == 41
    assert len(curriculum_order(domain.params.prereqs)) == 835
