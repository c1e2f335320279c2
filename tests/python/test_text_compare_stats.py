"""bench/scansnap_text_compare.py --stats: the exact permutation p of a difference of means."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))

import scansnap_text_compare as cmp  # noqa: E402


def test_permutation_p_closed_forms():
    # 3 vs 3 fully separated: only the observed split and its mirror reach the observed gap: 2 of C(6,3) = 20.
    assert cmp.permutation_p([1.0, 2.0, 3.0], [10.0, 11.0, 12.0]) == 2 / 20
    # Identical values: every split ties with the observed gap of 0.
    assert cmp.permutation_p([5.0, 5.0], [5.0, 5.0, 5.0]) == 1.0
    # 2 vs 2 interleaved: |mean gap| 1 for {1,3}|{2,4} (observed), 0 for {1,4}|{2,3}, 2 for {1,2}|{3,4}:
    # 4 of the 6 splits reach 1 or more.
    assert cmp.permutation_p([1.0, 3.0], [2.0, 4.0]) == 4 / 6
