"""Bidirectional control characters (U+202A–U+202E, U+2066–U+2069) never reach a page or a stored record.

They make a text display in another order than it is stored ("Trojan source"), so a pledge could read one way on
the public board and another in the record.
"""

import pytest

from commitments.models import PledgeItem
from organizations.text import BIDI_CONTROLS, strip_bidi

pytestmark = pytest.mark.django_db

SPOOF = "按时\u202e成完\u202c修好路灯\u2066（承诺）\u2069"


def test_strip_bidi_removes_every_control_and_nothing_else():
    assert strip_bidi(SPOOF) == "按时成完修好路灯（承诺）"
    assert strip_bidi("".join(BIDI_CONTROLS)) == ""
    assert strip_bidi("阿不都热依木·买买提 ‏") == "阿不都热依木·买买提 ‏"  # U+200F (a mark) is not a control here


def test_text_is_stored_without_bidi_controls(world):
    from commitments import services

    pledge = services.pledge_create_for_member(
        member=world.member, organization=world.tree.branch_a1, by=world.member.user
    )
    import datetime

    services.pledge_update(
        pledge=pledge,
        by=world.member.user,
        items=[
            {
                "content_area": "服务农民群众",
                "content": SPOOF,
                "measures": "每月\u202d走访",
                "deadline": datetime.date(2025, 6, 30),
            }
        ],
    )
    item = PledgeItem.objects.get(pledge=pledge)
    assert item.content == "按时成完修好路灯（承诺）" and item.measures == "每月走访"


def test_a_public_board_never_shows_them_even_from_old_rows(client, world, published):
    pledge = published()
    # An old row written before the cleaning existed (bypassing the model's save).
    PledgeItem.objects.filter(pledge=pledge, position=1).update(content=SPOOF)
    page = client.get("/gs/CA1/").content.decode()
    assert "按时成完修好路灯（承诺）" in page
    assert not any(c in page for c in BIDI_CONTROLS)
