from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import Exemption, Member, Organization
from .permissions import OrgAction, Role, orgs_for
from .resources import MAX_IMPORT_BYTES


class ChineseBlankMixin:
    """Show “请选择” instead of Django's dashes as the empty choice of every select."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == "---------":
                    field.empty_label = "请选择"
            elif isinstance(field, forms.ChoiceField):
                field.choices = [
                    ("", "请选择") if (v == "" and label == "---------") else (v, label) for v, label in field.choices
                ]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth - 1, 0)}{obj.name}（{obj.code}）"


class OrganizationForm(ChineseBlankMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["code", "name", "level", "sector", "is_window_unit", "supervision_phone", "secretary_name"]
        help_texts = {
            "code": "全县唯一，例如 430621001；保存后用于公开栏网址和导入文件。",
            "supervision_phone": "公示在公开栏和承诺书上，供群众监督。",
        }

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class MoveOrganizationForm(ChineseBlankMixin, forms.Form):
    new_parent = OrganizationChoiceField(queryset=Organization.objects.none(), label="新的上级党组织")

    def __init__(self, *args, user, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = (
            orgs_for(user, OrgAction.MANAGE_ORG)
            .filter(is_active=True)
            .exclude(path__startswith=organization.path)
            .exclude(level=Organization.Level.BRANCH)
            .order_by("path")
        )


class MemberForm(ChineseBlankMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "political_status",
            "join_date",
            "post",
            "organization",
            "inflow_organization",
            "residence_organization",
            *Member.FLAG_FIELDS,
            "is_active",
        ]
        field_classes = {
            "organization": OrganizationChoiceField,
            "inflow_organization": OrganizationChoiceField,
            "residence_organization": OrganizationChoiceField,
        }
        widgets = {"birth_date": DateInput(), "join_date": DateInput()}
        help_texts = {"id_number": "18位，末位可为X；出生日期和性别须与之一致。"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        manageable = orgs_for(user, OrgAction.MANAGE_MEMBERS).filter(is_active=True).order_by("path")
        self.fields["organization"].queryset = manageable
        active = Organization.objects.filter(is_active=True).order_by("path")
        current = [self.instance.inflow_organization_id, self.instance.residence_organization_id]
        self.fields["inflow_organization"].queryset = active | Organization.objects.filter(pk__in=current)
        self.fields["residence_organization"].queryset = active.filter(
            Q(sector=Organization.Sector.COMMUNITY)
        ) | Organization.objects.filter(pk__in=current)
        self.fields["inflow_organization"].empty_label = "（不是流动党员）"
        self.fields["residence_organization"].empty_label = "（未报到）"

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()


class AccountCreateForm(forms.Form):
    username = forms.CharField(label="登录名", max_length=150, help_text="字母、数字或 @/./+/-/_，例如手机号。")


class ExemptionProposeForm(ChineseBlankMixin, forms.ModelForm):
    class Meta:
        model = Exemption
        fields = ["reason", "explanation"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 4})}


class ExemptionDecideForm(ChineseBlankMixin, forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "批准"), ("reject", "不批准")])
    comment = forms.CharField(
        label="审批意见", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", "不批准时请填写审批意见。")
        return data


class RoleGrantForm(ChineseBlankMixin, forms.Form):
    username = forms.CharField(label="登录名", max_length=150)
    role = forms.ChoiceField(label="角色")
    organization = OrganizationChoiceField(queryset=Organization.objects.none(), label="授权的党组织")

    def __init__(self, *args, roles: list[Role], organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        self.fields["organization"].queryset = organizations

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError("没有这个登录名的账号。党员的账号可在党员详情页创建。")
        self.cleaned_data["user"] = user
        return username


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件。")
        if f.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(f"文件不能超过 {MAX_IMPORT_BYTES // (1024 * 1024)} MB。")
        head = f.read(4)
        f.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError("该文件不是有效的 Excel（.xlsx）文件。")
        return f
