from django.core.management.base import BaseCommand, CommandError

from commitments.models import Signature


class Command(BaseCommand):
    help = "核对每个签名保存的承诺文本摘要（SHA-256）与承诺书当前内容是否一致；发现不一致时以非零状态退出。"

    def handle(self, *args, **options):
        checked = 0
        mismatches = []
        signatures = Signature.objects.select_related(
            "pledge__organization", "pledge__member", "pledge__pledger_organization"
        ).prefetch_related("pledge__items")
        for signature in signatures.iterator(chunk_size=500):
            checked += 1
            pledge = signature.pledge
            if signature.text_sha256 != pledge.text_sha256(list(pledge.items.all())):
                mismatches.append(signature)
        for s in mismatches:
            self.stderr.write(f"不一致：承诺书 #{s.pledge_id}（{s.pledge}）的{s.get_role_display()}签名 #{s.pk}")
        if mismatches:
            raise CommandError(f"共核对 {checked} 个签名，其中 {len(mismatches)} 个与承诺书内容不一致。")
        self.stdout.write(self.style.SUCCESS(f"共核对 {checked} 个签名，全部与承诺书内容一致。"))
