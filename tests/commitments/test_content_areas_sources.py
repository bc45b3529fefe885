"""The content areas a pledge may draw on, checked against the pieces they come from (issue 13 §4 and §7)."""

import pytest

from commitments.content_areas import areas_for_member, areas_for_organization
from organizations.models import Organization

from ..factories import MemberFactory, OrganizationFactory

S = Organization.Sector

pytestmark = pytest.mark.django_db


def test_sanlao_members_pledge_against_superstition_and_illegal_religion():
    """篇一: “三老”党员 … 带头移风易俗、破除封建迷信、调解邻里纠纷、反对非法宗教活动."""
    village = OrganizationFactory(sector=S.RURAL)
    sanlao = MemberFactory(organization=village, is_sanlao=True)
    ordinary = MemberFactory(organization=village)
    assert {"破除封建迷信", "反对非法宗教活动", "带头移风易俗"} <= set(areas_for_member(sanlao, village))
    assert "反对非法宗教活动" not in areas_for_member(ordinary, village)


def test_a_community_pledges_on_the_three_haves_and_one_transformation():
    """篇七: 社区党组织重点从落实“三有一化”、服务群众、凝聚人心 … 作出承诺."""
    assert areas_for_organization(OrganizationFactory(sector=S.COMMUNITY))[0] == "落实“三有一化”"


def test_enterprise_leaders_pledge_on_their_own_areas():
    """篇四: 国有企业党员领导人员 … 提高经营管理水平、实现增产增效 …; 党员业主 … 诚信守法经营、尊重和维护员工权益."""
    soe = OrganizationFactory(sector=S.STATE_ENTERPRISE)
    leader = MemberFactory(organization=soe, is_leader=True)
    worker = MemberFactory(organization=soe)
    assert {"提高经营管理水平", "实现增产增效", "自觉廉洁从业"} <= set(areas_for_member(leader, soe))
    assert "实现增产增效" not in areas_for_member(worker, soe)
    private = OrganizationFactory(sector=S.PRIVATE_ENTERPRISE)
    owner = MemberFactory(organization=private, is_leader=True)
    assert {"诚信守法经营", "尊重和维护员工权益", "支持党建工作", "履行社会责任"} <= set(
        areas_for_member(owner, private)
    )


def test_research_and_culture_units_stress_their_own_contents():
    """篇四: 科研单位要突出推动自主创新、培育科研人才、提升科研水平，文化系统要突出服务文化强省 … 繁荣先进文化."""
    areas = areas_for_organization(OrganizationFactory(sector=S.PUBLIC_INSTITUTION))
    assert {"推动自主创新", "培育科研人才", "提升科研水平", "服务文化强省", "繁荣先进文化"} <= set(areas)


def test_window_units_pledge_on_service_and_the_three_shows():
    """篇七: 机关和窗口单位党组织重点从优化服务环境、改进作风、提升服务质量 …; 篇五: “三亮三创”."""
    hall = OrganizationFactory(sector=S.GOVERNMENT, is_window_unit=True)
    office = OrganizationFactory(sector=S.GOVERNMENT)
    assert {"优化服务环境", "创群众满意窗口", "创优秀服务品牌"} <= set(areas_for_organization(hall))
    assert "创群众满意窗口" not in areas_for_organization(office)
    clerk = MemberFactory(organization=hall)
    assert {"亮身份、亮承诺、亮形象", "创岗位奉献先锋"} <= set(areas_for_member(clerk, hall))


def test_areas_are_listed_once_each_and_end_with_other():
    hall = OrganizationFactory(sector=S.GOVERNMENT, is_window_unit=True)  # 服务群众 is in two groups
    leader = MemberFactory(organization=hall, is_leader=True, is_sanlao=True)
    for areas in (areas_for_organization(hall), areas_for_member(leader, hall)):
        assert len(areas) == len(set(areas)) and areas[-1] == "其他"
