import time

from django.core.management.base import BaseCommand, CommandError

from evaluations.statistics import INDICATORS, MAIN_INDICATORS, format_value, parse_period, tally_build
from organizations.errors import DomainError
from organizations.models import Organization


class Command(BaseCommand):
    help = "生成（或重新生成）一个党组织及其下级在某一期间的统计快照，例如 --org 430621 --period 2025Q3。"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="党组织代码")
        parser.add_argument(
            "--period", required=True, help="期间：2025-07（月）、2025Q3（季度）、2025H2（半年）或 2025（年度）"
        )
        parser.add_argument("--all", action="store_true", dest="show_all", help="列出全部指标，而不只是主要指标")

    def handle(self, *args, org, period, show_all, **options):
        organization = Organization.objects.filter(code=org.strip()).first()
        if organization is None:
            raise CommandError(f"没有代码为“{org}”的党组织。")
        try:
            p = parse_period(period)
        except DomainError as err:
            raise CommandError(str(err)) from None
        started = time.perf_counter()
        tally = tally_build(org=organization, period=p.label)
        seconds = time.perf_counter() - started
        data = tally.indicators
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成“{organization.name}”{p.display}（{p.range_display}）统计快照，用时 {seconds:.2f} 秒。"
            )
        )
        self.stdout.write(f"统计截止：{_date(data['as_of'])}")
        keys = [i.key for i in INDICATORS] if show_all else MAIN_INDICATORS
        by_key = {i.key: i for i in INDICATORS}
        for key in keys:
            indicator = by_key[key]
            value = format_value(key, data.get(key))
            unit = "" if indicator.unit == "%" or value == "—" else indicator.unit
            detail = _detail(key, data)
            self.stdout.write(f"  {indicator.label}：{value}{unit}{detail}")
        children = data.get("children") or []
        if children:
            self.stdout.write(f"下级党组织 {len(children)} 个（覆盖率 / 兑现率 / 满意度）：")
            for row in children:
                self.stdout.write(
                    f"  {row['name']}：{format_value('member_coverage', row['coverage'])} / "
                    f"{format_value('fulfilment_rate', row['fulfilment_rate'])} / "
                    f"{format_value('satisfaction', row['satisfaction'])}"
                )


def _date(iso: str) -> str:
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{year}年{month}月{day}日"


def _detail(key: str, data: dict) -> str:
    """The counts behind a rate, e.g. （230/282）."""
    pairs = {
        "organization_coverage": ("organizations_pledged", "organizations"),
        "member_coverage": ("members_pledged", "members_expected"),
        "fulfilment_rate": ("items_ticked_off", "items"),
        "on_time_rate": ("items_due_on_time", "items_due"),
        "member_review_coverage": ("member_reviews_done", "member_reviews_due"),
        "monthly_record_rate": ("monthly_records", "monthly_records_due"),
    }
    if key in pairs:
        numerator, denominator = pairs[key]
        return f"（{data.get(numerator, 0)}/{data.get(denominator, 0)}）"
    if key in ("opinions_answered", "opinions_solved"):
        return f"（共收集 {data.get('opinions', 0)} 条）"
    if key == "satisfaction":
        return f"（参评党组织 {data.get('organizations_appraised', 0)} 个，低于90%的 {data.get('organizations_below_threshold', 0)} 个）"
    return ""
