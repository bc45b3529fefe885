from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from commitments import signing
from commitments.models import Signature


class Command(BaseCommand):
    help = (
        "核对每个网上签名：防篡改封印、保存的签署文本与摘要、承诺书现在的内容与签署时是否一致；"
        "逐个说明哪一项、哪个字段变了，只有真正的改动才以非零状态退出。"
    )

    def handle(self, *args, **options):
        checked = 0
        bad = []
        signatures = (
            Signature.objects.select_related(
                "pledge__organization", "pledge__member", "pledge__pledger_organization", "pledge__campaign"
            )
            .prefetch_related("pledge__items")
            .order_by("pk")
        )
        for signature in signatures.iterator(chunk_size=500):
            checked += 1
            finding = signing.check(signature, list(signature.pledge.items.all()))
            if not finding.ok:
                bad.append((signature, finding))
        for s, finding in bad:
            self.stderr.write(
                f"不一致：承诺书 #{s.pledge_id}（{s.pledge}）的{s.get_role_display()}签名 #{s.pk}"
                f"（{s.signer_name}，{timezone.localtime(s.signed_at):%Y-%m-%d}）："
            )
            for problem in finding.problems:
                self.stderr.write(f"  - {problem}")
        if bad:
            raise CommandError(f"共核对 {checked} 个签名，其中 {len(bad)} 个与签署时不一致。")
        self.stdout.write(self.style.SUCCESS(f"共核对 {checked} 个签名，全部与签署时一致。"))
