from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from organizations import demo
from organizations.models import Exemption, Member, Organization, OrganizationUserObjectPermission, User


class Command(BaseCommand):
    help = "生成演示数据：组织树、党员名册和各角色的演示账号（同一随机种子生成的数据相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(demo.SIZES), default="small", help="数据规模")
        parser.add_argument("--seed", type=int, default=2025, help="随机种子")
        parser.add_argument("--reset", action="store_true", help="先清空已有的组织、党员和账号")
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有组织时什么也不做")

    def handle(self, *args, size, seed, reset, if_empty, **options):
        if Organization.objects.exists():
            if if_empty:
                self.stdout.write("数据库中已有数据，跳过演示数据。")
                return
            if not reset:
                raise CommandError("数据库中已有组织数据。如需重新生成，请加 --reset（会清空现有数据）。")
            with transaction.atomic():
                Exemption.objects.all().delete()
                OrganizationUserObjectPermission.objects.all().delete()
                Member.objects.all().delete()
                Organization.objects.all().delete()
                User.objects.all().delete()
                for model in (Exemption, Member, Organization, OrganizationUserObjectPermission):
                    model.history.all().delete()
        result = demo.seed(size=size, seed_value=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成{size}规模演示数据：党组织 {result['organizations']} 个（党支部 {result['branches']} 个），"
                f"党员 {result['members']} 人，免于承诺 {result['exempt']} 人。"
            )
        )
        self.stdout.write(f"演示账号：{'、'.join(result['accounts'])}；密码均为 {demo.DEMO_PASSWORD}")
