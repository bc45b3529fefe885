"""The pledge state machine (DESIGN §4): every state × every action, taken by the right person.

An action the state allows moves the pledge on; any other is refused with a Chinese DomainError and changes
nothing: not the status, not the history, not the signatures, not the items.
"""

import pytest

from commitments import services
from commitments.models import Pledge, PledgeItem, Review, Signature
from organizations.errors import DomainError
from tests.factories import PASSWORD
from tests.history import transitions

from .conftest import FULL_CHECKS, STATES, name_of


def _submit(ctx):
    services.pledge_submit(pledge=ctx.pledge, by=ctx.member.user)


def _return(ctx):
    services.pledge_return(pledge=ctx.pledge, by=ctx.reviewer, comment="请补充措施。")


def _approve(ctx):
    services.pledge_approve(pledge=ctx.pledge, by=ctx.reviewer, checks=FULL_CHECKS)


def _sign(ctx):
    services.pledge_sign(pledge=ctx.pledge, by=ctx.member.user, password=PASSWORD, typed_name=ctx.member.name)


def _countersign(ctx):
    services.pledge_countersign(pledge=ctx.pledge, by=ctx.reviewer, password=PASSWORD, typed_name=name_of(ctx.reviewer))


def _publish(ctx):
    services.pledge_publish(pledge=ctx.pledge, by=ctx.clerk)


def _amend(ctx):
    services.pledge_amend(pledge=ctx.pledge, by=ctx.member.user, reason="岗位调整，变更承诺。")


def _request_tick_off(ctx):
    services.item_request_tick_off(item=ctx.pledge.items.first(), by=ctx.member.user, note="已完成。")


ACTIONS = {
    "submit": _submit,
    "return": _return,
    "approve": _approve,
    "sign": _sign,
    "countersign": _countersign,
    "publish": _publish,
    "amend": _amend,
    "request_tick_off": _request_tick_off,
}

# (state, action) → the status afterwards. Every pair not listed must be refused.
ALLOWED = {
    ("draft", "submit"): Pledge.Status.SUBMITTED,
    ("returned", "submit"): Pledge.Status.SUBMITTED,
    ("submitted", "return"): Pledge.Status.RETURNED,
    ("submitted", "approve"): Pledge.Status.APPROVED,
    ("approved", "sign"): Pledge.Status.APPROVED,  # the pledger's half; countersigning makes it signed
    ("pledger_signed", "countersign"): Pledge.Status.SIGNED,
    ("signed", "publish"): Pledge.Status.PUBLISHED,
    ("signed", "amend"): Pledge.Status.SUPERSEDED,
    ("published", "amend"): Pledge.Status.SUPERSEDED,
    ("published", "request_tick_off"): Pledge.Status.PUBLISHED,
}


class Ctx:
    def __init__(self, world, pledge, reviewer):
        self.pledge = pledge
        self.member = world.member
        self.reviewer = reviewer
        self.clerk = world.clerk


def _snapshot(pledge):
    pledge = Pledge.objects.get(pk=pledge.pk)
    return {
        "status": pledge.status,
        "is_current": pledge.is_current,
        "history": pledge.history.count(),
        "reviews": Review.objects.filter(pledge=pledge).count(),
        "signatures": sorted(Signature.objects.filter(pledge=pledge).values_list("role", flat=True)),
        "items": list(pledge.items.values_list("pk", "state", "tick_request_note")),
        "revisions": Pledge.objects.filter(campaign=pledge.campaign, member=pledge.member).count(),
    }


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("state", STATES)
def test_transition_table(world, pledge_in, state, action):
    pledge = pledge_in(state)
    # "pledger_signed" is the approved state with the pledger's signature already given.
    expected_before = "approved" if state == "pledger_signed" else state
    assert pledge.status == expected_before
    ctx = Ctx(world, pledge, world.secretary)
    before = _snapshot(pledge)

    if (state, action) in ALLOWED:
        ACTIONS[action](ctx)
        after = Pledge.objects.get(pk=pledge.pk)
        assert after.status == ALLOWED[(state, action)]
        assert _snapshot(pledge) != before
    else:
        with pytest.raises(DomainError) as err:
            ACTIONS[action](ctx)
        assert str(err.value), "a refusal must say why, in Chinese"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))
        assert _snapshot(pledge) == before


@pytest.mark.parametrize(
    ("state", "action", "fragment"),
    [
        ("draft", "approve", "承诺书当前为“草拟”，不能审定通过"),
        ("approved", "publish", "承诺书当前为“已审定”，不能公示"),
        ("published", "submit", "承诺书当前为“已公示（践诺中）”，不能提交审核"),
        ("superseded", "publish", "承诺书当前为“已变更”，不能公示"),
        ("completed", "amend", "承诺书当前为“已兑现”，不能变更承诺"),
        ("approved", "countersign", "承诺人还没有签署"),
        ("pledger_signed", "sign", "承诺方已经签署过了"),
        ("signed", "request_tick_off", "公示后才能申请销号"),
        ("submitted", "sign", "承诺书当前为“待审”，不能签署"),
    ],
)
def test_refusals_name_the_current_state(world, pledge_in, state, action, fragment):
    pledge = pledge_in(state)
    with pytest.raises(DomainError, match=fragment):
        ACTIONS[action](Ctx(world, pledge, world.secretary))


def test_each_allowed_transition_is_recorded_old_to_new(world, pledge_in):
    pledge = pledge_in("published", n=1)
    rows = [(c.before, c.after, c.by) for c in transitions(pledge)]
    assert rows == [
        ("draft", "submitted", "dangyuan"),
        ("submitted", "approved", "shuji"),
        ("approved", "approved", "dangyuan"),  # the pledger's signature
        ("approved", "signed", "shuji"),
        ("signed", "published", "ganshi"),
    ]
    assert pledge.submitted_at and pledge.approved_at and pledge.signed_at and pledge.published_at
    assert pledge.published_by == world.clerk


def test_completion_is_recorded_when_the_last_item_is_ticked_off(world, pledge_in):
    pledge = pledge_in("completed", n=2)
    assert pledge.status == Pledge.Status.COMPLETED and pledge.completed_at
    last = transitions(pledge)[-1]
    assert (last.before, last.after, last.label) == ("published", "completed", "全部事项销号")
    assert set(pledge.items.values_list("state", flat=True)) == {PledgeItem.State.TICKED_OFF}


@pytest.mark.parametrize(
    ("state", "who", "expected"),
    [
        ("draft", "member", {"submit"}),
        ("returned", "member", {"submit"}),
        ("submitted", "secretary", {"approve", "return_for_changes"}),
        ("submitted", "member", set()),
        ("approved", "member", {"sign_as_pledger"}),
        ("pledger_signed", "secretary", {"countersign"}),
        ("pledger_signed", "member", set()),
        ("signed", "clerk", {"publish"}),
        ("signed", "member", {"amend"}),
        ("published", "member", {"amend"}),
        ("completed", "member", set()),
        ("superseded", "member", set()),
    ],
)
def test_buttons_offered_follow_the_table(world, pledge_in, state, who, expected):
    """The UI lists the transitions django-fsm says this user may take now; they match the services."""
    pledge = pledge_in(state)
    user = {"member": world.member.user, "secretary": world.secretary, "clerk": world.clerk}[who]
    names = {t.name for t in pledge.get_available_user_status_transitions(user)}
    names.discard("complete")  # taken by the system when the last item is ticked off, never offered
    assert names == expected
