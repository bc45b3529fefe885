from django.core.management.base import BaseCommand, CommandError

from bench.env import BenchRefused
from bench.runner import PARTS, run


class Command(BaseCommand):
    help = (
        "在 PostgreSQL + Redis 上按 DESIGN §9 做性能测试：页面延迟和吞吐量、SQL 查询次数、全县季度统计、PDF、"
        "Excel 导入；打印一张表，并把结果写入 bench/results/<时间>.json（说明见 bench/README.md）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size", choices=("county", "city"), default="county", help="数据规模（city 为 20 万党员，只测页面和统计）"
        )
        parser.add_argument("--seconds", type=float, default=10, help="每个页面、每种并发的施压秒数（默认 10）")
        parser.add_argument("--skip-build", action="store_true", help="不迁移、不生成数据；数据不符时直接退出")
        parser.add_argument("--reset", action="store_true", help="库中已有其他数据时清空后重建演示数据")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn 进程数（默认 4）")
        parser.add_argument(
            "--only", default=",".join(PARTS), help=f"只测其中几项，逗号分隔：{','.join(PARTS)}（默认全部）"
        )
        parser.add_argument(
            "--tool", choices=("auto", "wrk", "python"), default="auto", help="施压工具（默认有 wrk 用 wrk）"
        )

    def handle(self, *args, size, seconds, skip_build, reset, workers, only, tool, **options):
        parts = tuple(p.strip() for p in only.split(",") if p.strip())
        unknown = sorted(set(parts) - set(PARTS))
        if unknown:
            raise CommandError(f"不认识的测量项：{'、'.join(unknown)}；可选 {','.join(PARTS)}。")
        if seconds < 1 or workers < 1:
            raise CommandError("--seconds 和 --workers 至少为 1。")
        try:
            result = run(
                size=size,
                seconds=seconds,
                skip_build=skip_build,
                reset=reset,
                workers=workers,
                parts=parts,
                tool=tool,
                say=lambda text: self.stderr.write(text),
            )
        except BenchRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.table)
        self.stdout.write(f"\n结果已写入 {result.path}")
