import django_filters
from django import forms
from django.db.models import Q

from .models import Member

FLAG_CHOICES = [(f, Member._meta.get_field(f).verbose_name) for f in Member.FLAG_FIELDS] + [
    ("is_exempt", "免于承诺"),
    ("floating", "流动党员"),
]


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="搜索",
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": "姓名、职务或身份证号后四位"}),
    )
    org = django_filters.ChoiceFilter(label="党组织", method="filter_org", empty_label="我能查看的全部组织")
    political_status = django_filters.ChoiceFilter(
        label="政治面貌", choices=Member.PoliticalStatus.choices, empty_label="全部政治面貌"
    )
    flag = django_filters.ChoiceFilter(label="标记", choices=FLAG_CHOICES, method="filter_flag", empty_label="全部标记")
    active = django_filters.ChoiceFilter(
        label="在册",
        choices=[("1", "在册"), ("0", "已出册")],
        method="filter_active",
        empty_label="在册与出册",
    )

    class Meta:
        model = Member
        fields = ["q", "org", "political_status", "flag", "active"]

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Organizations the user may read, indented by depth; filtering by one takes its whole subtree.
        base = min((o.depth for o in organizations), default=1)
        self.filters["org"].extra["choices"] = [(o.code, "　" * (o.depth - base) + o.name) for o in organizations]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q(name__contains=value) | Q(post__contains=value)
        if value[:-1].isdigit() and len(value) <= 6:
            # A digit string searches the tail of the 身份证号, never the whole number.
            q |= Q(id_number__endswith=value.upper())
        return queryset.filter(q)

    def filter_org(self, queryset, name, value):
        # The view resolves the organization through the permission module and narrows the queryset to its
        # subtree before filtering; here the field only offers the choice.
        return queryset

    def filter_flag(self, queryset, name, value):
        if value == "floating":
            return queryset.filter(inflow_organization__isnull=False)
        if value == "is_exempt" or value in Member.FLAG_FIELDS:
            return queryset.filter(**{value: True})
        return queryset

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1")
