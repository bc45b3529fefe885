import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from commitments.models import Pledge
from demo import activities as activities_demo
from demo import commitments as commitments_demo
from demo import evaluations as evaluations_demo
from demo import organizations as organizations_demo
from demo import practice as practice_demo
from demo import reporting as reporting_demo
from organizations.models import Exemption, Member, Organization, OrganizationUserObjectPermission, User


def _delete_evaluation_and_disclosure_data() -> None:
    """Rows of the later apps that point at organizations, members or pledges go first."""
    from disclosure.models import BoardSetting, Job, SupervisionReport
    from evaluations import models as ev

    for model in (
        ev.Ballot,
        ev.BallotCode,
        ev.PaperTally,
        ev.RankingEntry,
        ev.Ranking,
        ev.Tally,
        ev.Bulletin,
        ev.MonthlyRecord,
        ev.Award,
    ):
        model.objects.all().delete()
    ev.Appraisal.objects.update(rectification=None)
    ev.Rectification.objects.all().delete()
    ev.Appraisal.objects.all().delete()
    ev.LeaderReview.objects.all().delete()
    for model in (SupervisionReport, Job, BoardSetting):
        model.objects.all().delete()
    for model in (ev.Appraisal, ev.Rectification, ev.Award, ev.Bulletin, ev.Ranking, ev.RankingEntry):
        model.history.all().delete()


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”无效，请写成 YYYY-MM-DD，例如 2025-09-15。") from None


def _cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class Command(BaseCommand):
    help = (
        "生成演示数据：组织树、党员名册、各角色的演示账号、各党组织的活动记实，以及本年度公开承诺的意见征集、承诺书、"
        "践诺记录和评诺、统计（数据截至今天；1月至3月新年度承诺尚在签订，演示上一年度截至12月31日的数据；"
        "同一随机种子、同一日期生成的数据相同）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(organizations_demo.SIZES), default="small", help="数据规模")
        parser.add_argument("--seed", type=int, default=2025, help="随机种子")
        parser.add_argument("--reset", action="store_true", help="先清空已有的组织、党员、账号和承诺数据")
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有组织时什么也不做")
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            metavar="YYYY-MM-DD",
            help="按这一天生成演示数据（默认今天），用于重现同一份数据",
        )

    def handle(self, *args, size, seed, reset, if_empty, today=None, **options):
        if isinstance(today, str):  # call_command(..., today="2025-09-15") skips the parser's type
            today = _day(today)
        given = today is not None
        today = today or timezone.localdate()
        day = commitments_demo.data_date(today)
        if Organization.objects.exists():
            if if_empty:
                self.stdout.write("数据库中已有数据，跳过演示数据。")
                return
            if not reset:
                raise CommandError("数据库中已有组织数据。如需重新生成，请加 --reset（会清空现有数据）。")
            with transaction.atomic():
                reporting_demo.delete_reports()
                _delete_evaluation_and_disclosure_data()
                activities_demo.delete_activities()
                commitments_demo.delete_commitments()
                Exemption.objects.all().delete()
                OrganizationUserObjectPermission.objects.all().delete()
                Member.objects.all().delete()
                Organization.objects.all().delete()
                User.objects.all().delete()
                for model in (Exemption, Member, Organization, OrganizationUserObjectPermission):
                    model.history.all().delete()
        with transaction.atomic():
            result = organizations_demo.seed(size=size, seed_value=seed, data_date=day)
            activities = activities_demo.seed_activities(seed_value=seed, today=day)
            pledges = commitments_demo.seed_commitments(seed_value=seed, today=day)
            evaluations = evaluations_demo.seed_evaluations(seed_value=seed, today=day)
            reports = reporting_demo.seed_reports(seed_value=seed, today=day)
            practice = practice_demo.seed_practice(seed_value=seed, today=day)
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成{size}规模演示数据：党组织 {result['organizations']} 个（党支部 {result['branches']} 个），"
                f"党员 {result['members']} 人，免于承诺 {result['exempt']} 人。"
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"活动记实：{activities['organizations']} 个党组织记录活动 {activities['activities']} 次，"
                f"登记参加党员 {activities['links']} 人次，帮扶和捐助金额 {activities['amount']:,.0f} 元。"
            )
        )
        by_status = "、".join(f"{label} {pledges['by_status'][value]}" for value, label in Pledge.Status.choices)
        self.stdout.write(
            self.style.SUCCESS(
                f"承诺批次“{commitments_demo.campaign_name(day.year)}”：群众意见建议 {pledges['opinions']} 条"
                f"（已转化为承诺事项 {pledges['opinions_answered']} 条，未采纳 {pledges['opinions_not_adopted']} 条，"
                f"已解决 {pledges['opinions_solved']} 条）；"
                f"承诺书 {pledges['pledges']} 份（组织承诺 {pledges['org_pledges']} 份，党员承诺 "
                f"{pledges['member_pledges']} 份，其中口头承诺 {pledges['oral_pledges']} 份）；"
                f"承诺事项 {pledges['items']} 项（已销号 {pledges['ticked_off']} 项，待确认销号 "
                f"{pledges['tick_requested']} 项，逾期 {pledges['overdue']} 项，需帮扶 {pledges['needs_help']} 项）；"
                f"签名 {pledges['signatures']} 个，审核记录 {pledges['reviews']} 条，践诺记录 {pledges['logs']} 条，"
                f"月度自查 {pledges['self_checks']} 条，季度检查 {pledges['inspections']} 次"
                f"（不通过 {pledges['inspections_failed']} 次），站内通知 {pledges['notifications']} 条。"
            )
        )
        self.stdout.write(f"承诺书状态：{by_status}。")
        self._write_evaluations(evaluations)
        if reports["issues"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"统计报表：县委已下发《创先争优活动有关项目统计》（{day.year}年度），"
                    f"应填报 {reports['submissions']} 个党组织，已上报 {reports['submitted']}、已审核 "
                    f"{reports['accepted']}、已退回 {reports['returned']}。"
                )
            )
        if practice["paper"] or practice["offline_reports"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"纸质签字的书面承诺 {practice['paper']} 份、线下收到的群众意见 {practice['offline_reports']} 条"
                    f"（电话、意见箱、来信，由党务干事登记）；口头承诺的 {practice['oral_marked']} 名党员已标为“不能书写”；"
                    f"县委领导 xianwei 的联系点 {practice['contact_points']} 个（红星村）。"
                )
            )
        self.stdout.write(f"演示账号：{'、'.join(result['accounts'])}；密码均为 {organizations_demo.DEMO_PASSWORD}")
        if day == today:
            self.stdout.write(f"数据日期为 {_cn(day)}{'' if given else '（今天）'}。")
        else:
            self.stdout.write(
                f"数据日期为 {_cn(day)}：{_cn(today)}时新年度的承诺书尚在征求意见和签订（签订截止于3月31日），"
                f"演示的是{day.year}年度承诺批次全年的数据；查看统计、点评等页面时请选择{day.year}年的期间。"
            )

    def _write_evaluations(self, ev: dict) -> None:
        from evaluations.models import Award, LeaderReview, Rectification

        kinds = "、".join(f"{label} {ev['reviews_by_kind'][value]}" for value, label in LeaderReview.Kind.choices)
        rects = "、".join(
            f"{label} {ev['rectifications_by_status'][value]}" for value, label in Rectification.Status.choices
        )
        awards = "、".join(f"{label} {ev['awards_by_status'][value]}" for value, label in Award.Status.choices)
        self.stdout.write(
            self.style.SUCCESS(
                f"评诺：领导点评 {ev['reviews']} 条（{kinds}；其中点评党组织 {ev['org_reviews']} 条，"
                f"在公开栏公布 {ev['reviews_published']} 条）；群众评议 {ev['appraisals_closed'] + ev['appraisals_open']} 场"
                f"（已结束 {ev['appraisals_closed']} 场，其中整改后再次评议 {ev['reappraisals']} 场，满意度低于90%的 "
                f"{ev['below_threshold']} 场；评议中 {ev['appraisals_open']} 场），评议票 {ev['ballots']} 张，"
                f"票码 {ev['codes']} 个（已使用 {ev['codes_used']} 个），纸质测评表汇总 {ev['paper_tallies']} 份；"
                f"整改 {ev['rectifications']} 项（{rects}）；表彰 {ev['awards']} 项（{awards}）；"
                f"上评下议排名 {ev['rankings']} 个（已公布 {ev['rankings_published']} 个）；"
                f"每月记实 {ev['records']} 篇（书记点评 {ev['records_commented']} 篇）；"
                f"践诺情况通报 {ev['bulletins']} 份；统计快照 {ev['tallies']} 个。"
            )
        )
        if ev["try_codes"]:
            codes = "、".join(f"/pj/{code}/" for code in ev["try_codes"])
            self.stdout.write(
                f"试投票：“{ev['try_title']}”正在进行，还有 {ev['try_codes_unused']} 个未使用的票码，"
                f"可打开 {codes} 投票（每个票码只能投一次）。"
            )
