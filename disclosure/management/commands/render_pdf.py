"""Print one notice-board PDF from the command line (附件1–4)."""

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commitments.models import Pledge
from disclosure import pdf
from disclosure.selectors import public_campaign
from organizations.models import Member, Organization
from printing import REPLACEMENT, describe_characters, missing_characters

FORMS = {
    "1": f"附件1《{pdf.MEMBER_TITLE}》",
    "2": f"附件2《{pdf.ORGANIZATION_TITLE}》",
    "3": f"附件3《{pdf.ORGANIZATION_REGISTER_TITLE}》",
    "4": f"附件4《{pdf.MEMBER_REGISTER_TITLE}》",
    "window": f"窗口单位《{pdf.WINDOW_CARD_TITLE}》（每名党员一页）",
}


def _number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}”不是有效的编号，应为数字。") from None


class Command(BaseCommand):
    help = "生成公开栏 PDF：承诺书一式三份（附件1、附件2）或承诺登记（公示）表（附件3、附件4）。"

    def add_arguments(self, parser):
        # Required arguments are checked in handle() so that the messages are in Chinese.
        parser.add_argument(
            "--form",
            help="要生成的表：1 党员承诺书，2 党组织承诺书，3 党组织开展创先争优活动承诺登记（公示）表，"
            "4 党员承诺事项登记（公示）表，window 窗口单位党员窗口服务承诺卡。",
        )
        parser.add_argument("--org", help="党组织代码。")
        parser.add_argument("--member", type=_number, help="党员编号（ID），仅附件1使用。")
        parser.add_argument("--campaign", type=_number, help="承诺批次编号（ID）；默认为该党组织公开栏当前显示的批次。")
        parser.add_argument("--out", help="输出的 PDF 文件路径。")

    def handle(self, *args, form=None, org=None, member=None, campaign=None, out=None, **options):
        form = (form or "").strip()
        if form not in FORMS:
            raise CommandError("请用 --form 指定要生成的表：1、2、3、4 或 window（窗口单位承诺卡）。")
        if not org:
            raise CommandError("请用 --org 指定党组织代码。")
        if not out:
            raise CommandError("请用 --out 指定输出的 PDF 文件路径。")
        if form == "1" and member is None:
            raise CommandError("生成附件1（党员承诺书）须用 --member 指定党员编号。")
        if form != "1" and member is not None:
            raise CommandError("--member 只用于附件1（党员承诺书）。")
        organization = Organization.objects.filter(code=org).first()
        if organization is None:
            raise CommandError(f"找不到代码为“{org}”的党组织。")
        chosen = public_campaign(organization, campaign)
        if chosen is None:
            if campaign:
                raise CommandError(f"找不到编号为 {campaign} 且覆盖“{organization.name}”的承诺批次。")
            raise CommandError(f"“{organization.name}”还没有承诺批次。")

        with missing_characters() as missing:
            if form in ("1", "2"):
                data = pdf.pledge_pdf(self._pledge(form, organization, chosen, member))
            elif form == "window":
                if not organization.is_window_unit:
                    raise CommandError(f"“{organization.name}”不是窗口单位，没有窗口服务承诺卡。")
                data = pdf.window_cards_pdf(organization, chosen)
            elif form == "3":
                data = pdf.organization_register_pdf(organization, chosen)
            else:
                data = pdf.member_register_pdf(organization, chosen)

        path = Path(out)
        try:
            path.write_bytes(data)
        except OSError as err:
            raise CommandError(f"无法写入文件“{out}”：{err.strerror or err}") from None
        self.stdout.write(self.style.SUCCESS(f"已生成{FORMS[form]}：{path}"))
        if missing:
            self.stderr.write(
                self.style.WARNING(
                    f"警告：以下字符没有任何内嵌字体能印出，PDF 中已用“{REPLACEMENT}”代替，请核对：{describe_characters(missing)}"
                )
            )

    def _pledge(self, form: str, organization: Organization, campaign, member_id: int | None) -> Pledge:
        pledges = Pledge.objects.filter(campaign=campaign, is_current=True).select_related(
            "campaign", "organization", "member", "pledger_organization"
        )
        if form == "1":
            member = Member.objects.filter(pk=member_id).first()
            if member is None:
                raise CommandError(f"找不到编号为 {member_id} 的党员。")
            pledge = pledges.filter(member=member, organization=organization).first()
            if pledge is None:
                raise CommandError(f"{member.name}在“{organization.name}”没有“{campaign.name}”的承诺书。")
        else:
            pledge = pledges.filter(pledger_organization=organization).first()
            if pledge is None:
                raise CommandError(f"“{organization.name}”没有“{campaign.name}”的组织承诺书。")
        if pledge.status not in Pledge.COVERED:
            what = "承诺书" if form == "1" else "组织承诺书"
            raise CommandError(
                f"{pledge.pledger_name}的{what}当前为“{pledge.get_status_display()}”，双方签约后才能打印。"
            )
        return pledge
