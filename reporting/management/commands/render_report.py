"""python manage.py render_report --template pian12 --org 430621 --period 2025 --out report.pdf|report.xlsx

Renders any statistics form for any organization and period, as PDF or .xlsx (by the extension of --out). The
entered blanks come from the form issued for that period to the organization or the nearest committee above it;
without one they are marked 未报.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluations.statistics import parse_period
from organizations.errors import DomainError
from organizations.models import Organization
from reporting.exports import report_pdf, report_xlsx
from reporting.models import ReportTemplate
from reporting.selectors import filled_form, nearest_issue, rollup_table


class Command(BaseCommand):
    help = "按统计表模板生成某党组织某期间的统计表（PDF 或 Excel）。"

    def add_arguments(self, parser):
        parser.add_argument("--template", required=True, help="统计表代码，如 pian12、tongji")
        parser.add_argument("--org", required=True, help="党组织代码")
        parser.add_argument("--period", required=True, help="2025、2025H1、2025Q3 或 2025-07")
        parser.add_argument("--out", required=True, help="输出文件，扩展名 .pdf 或 .xlsx")

    def handle(self, *args, **options):
        out = Path(options["out"])
        if out.suffix.lower() not in (".pdf", ".xlsx"):
            raise CommandError("--out 的扩展名应为 .pdf 或 .xlsx。")
        template = ReportTemplate.objects.filter(code=options["template"]).first()
        if template is None:
            codes = "、".join(ReportTemplate.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"没有代码为“{options['template']}”的统计表。可用：{codes}")
        org = Organization.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"没有代码为“{options['org']}”的党组织。")
        try:
            period = parse_period(options["period"])
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        issue = nearest_issue(template, org, period.label)
        form = filled_form(template=template, organization=org, period=period, issue=issue)
        table = rollup_table(form)
        data = report_pdf(form, table) if out.suffix.lower() == ".pdf" else report_xlsx(form, table)
        out.write_bytes(data)
        blanks = sum(len(item.blanks) for item in form.items)
        self.stdout.write(
            f"已生成 {out}：{template.name}，{org.name}，{period.display}，{len(form.items)} 项 {blanks} 个空格"
            + (f"，下级已上报 {form.reported_count}/{form.expected_count}" if issue else "，未下发填报")
            + "。"
        )
