"""Names in the official order: by the strokes of the surname, then of the following characters."""

import printing


def test_stroke_counts_come_from_unihan_for_every_block():
    assert printing.strokes("王") == 4
    assert printing.strokes("李") == 7
    assert printing.strokes("䶮") == 9  # Extension A
    assert printing.strokes("𠮷") == 6  # Extension B
    assert printing.strokes("A") is None and printing.strokes("·") is None


def test_names_sort_by_surname_strokes_then_the_following_characters():
    names = ["欧阳堃喆", "阿不都热依木·买买提", "李䶮", "王𠮷", "王二", "丁一", "Anna", "王一"]
    ordered = printing.by_strokes(names, name=lambda n: n)
    assert ordered == ["丁一", "王一", "王二", "王𠮷", "李䶮", "阿不都热依木·买买提", "欧阳堃喆", "Anna"]


def test_same_names_keep_a_stable_tie_break():
    people = [("张三", 9), ("张三", 2), ("张三", 5)]
    assert printing.by_strokes(people, name=lambda p: p[0], tie=lambda p: p[1]) == sorted(people, key=lambda p: p[1])
