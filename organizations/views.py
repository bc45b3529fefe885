"""Pages for the organization tree, the roster, exemptions, roles and Excel import/export.

Views stay thin: they find the object through the permission module, call one service, and turn a refusal
into a Chinese message.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import services
from .audit import timeline, timelines
from .errors import DomainError
from .filters import MemberFilter
from .forms import (
    AccountCreateForm,
    ActivityFilterForm,
    ActivityForm,
    AttachmentUploadForm,
    ExemptionDecideForm,
    ExemptionProposeForm,
    ImportUploadForm,
    MemberForm,
    MoveOrganizationForm,
    OrganizationForm,
    RoleGrantForm,
)
from .models import Activity, ActivityAttachment, Exemption, Member, Organization, OrganizationUserObjectPermission
from .permissions import (
    OrgAction,
    Role,
    grants_of,
    has_any_role,
    may,
    member_get_for_user_or_404,
    org_get_for_user_or_404,
    orgs_for,
    own_member,
    password_reset_refusal,
    refusal,
    require,
)
from .redirects import redirect_back
from .resources import (
    IMPORT_SYNC_MAX_ROWS,
    KIND_ACTIONS,
    KIND_LABELS,
    KIND_UNITS,
    SHOWN_PROBLEMS,
    ImportFileError,
    ImportReport,
    count_import_rows,
    import_commit,
    import_job_start,
    import_preview,
    import_template,
    import_upload_path,
    import_upload_save,
    roster_xlsx,
)
from .selectors import (
    activities_in,
    activity_list,
    activity_totals,
    ancestors_of,
    member_activities,
    member_list,
    role_grants_in,
    with_counts,
)
from .transitions import available

PAGE_SIZE = 25


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class FirstPasswordChangeView(PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        user = services.user_set_own_password(user=form.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)
        messages.success(self.request, "密码已修改。")
        return redirect(self.get_success_url())


# --- organizations ---------------------------------------------------------------------------------------


@login_required
def organization_tree(request):
    user = request.user
    query = request.GET.get("q", "").strip()
    visible = orgs_for(user, OrgAction.VIEW_ORG)
    if query:
        results = visible.filter(name__contains=query) | visible.filter(code__icontains=query)
        page = Paginator(results.order_by("path"), PAGE_SIZE).get_page(request.GET.get("page"))
        qs = urlencode({"q": query})
        return render(request, "organizations/tree.html", {"query": query, "page": page, "qs": qs})
    # The roots of what the user may see: nodes whose parent is not visible to him.
    visible_paths = list(visible.values_list("path", flat=True)) if not user.is_superuser else []
    if user.is_superuser:
        tops = list(Organization.objects.get_root_nodes())
    else:
        path_set = set(visible_paths)
        top_paths = [p for p in visible_paths if p[: -Organization.steplen] not in path_set]
        tops = list(Organization.objects.filter(path__in=top_paths).order_by("path"))
    return render(request, "organizations/tree.html", {"tops": tops, "query": query})


@login_required
def organization_children(request, code):
    """htmx fragment: the children of one node, loaded when the user expands it."""
    org = org_get_for_user_or_404(request.user, code)
    children = [c for c in Organization.objects.get_children(org) if may(request.user, OrgAction.VIEW_ORG, c)]
    return render(request, "organizations/_tree_children.html", {"children": children})


@login_required
def organization_create(request, code):
    parent = org_get_for_user_or_404(request.user, code, "manage_org")
    form = OrganizationForm(request.POST or None, initial={"sector": parent.sector})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(parent=parent, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            _apply_errors(form, e)
        except DomainError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"已新建党组织“{org.name}”。")
            return redirect(org)
    return render(request, "organizations/organization_form.html", {"form": form, "parent": parent})


@login_required
def organization_edit(request, code):
    org = org_get_for_user_or_404(request.user, code, "manage_org")
    form = OrganizationForm(request.POST or None, instance=Organization.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_update(organization=org, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            _apply_errors(form, e)
        except DomainError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "已保存。")
            return redirect(org)
    return render(request, "organizations/organization_form.html", {"form": form, "org": org})


@login_required
def organization_move(request, code):
    org = org_get_for_user_or_404(request.user, code, "manage_org")
    form = MoveOrganizationForm(request.POST or None, user=request.user, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_move(
                organization=org, new_parent=form.cleaned_data["new_parent"], by=request.user
            )
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"已将“{org.name}”移到“{form.cleaned_data['new_parent'].name}”之下。")
            return redirect(org)
    return render(request, "organizations/organization_move.html", {"form": form, "org": org})


@login_required
@require_POST
def organization_set_active(request, code):
    org = org_get_for_user_or_404(request.user, code, "manage_org")
    active = request.POST.get("active") == "1"
    merged_code = (request.POST.get("merged_into") or "").strip().upper()
    try:
        merged_into = None
        if merged_code:
            merged_into = Organization.objects.filter(code=merged_code).first()
            if merged_into is None or not may(request.user, OrgAction.VIEW_ORG, merged_into):
                raise DomainError(f"没有找到代码为 {merged_code} 的党组织。")
        services.organization_set_active(organization=org, active=active, by=request.user, merged_into=merged_into)
    except (DomainError, PermissionDenied) as e:
        messages.error(request, str(e))
    else:
        done = "启用" if active else ("停用并并入“" + merged_into.name + "”" if merged_into else "停用")
        messages.success(request, f"已{done}“{org.name}”。")
    return redirect(org)


@login_required
@require_POST
def organization_delete(request, code):
    org = org_get_for_user_or_404(request.user, code, "manage_org")
    parent = Organization.objects.get_parent(org)
    try:
        services.organization_delete(organization=org, by=request.user)
    except (DomainError, PermissionDenied) as e:
        messages.error(request, str(e))
        return redirect(org)
    messages.success(request, f"已删除“{org.name}”。")
    return redirect(parent or "organizations:tree")


@login_required
def organization_roles(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code, "grant_roles")
    roles = services.grantable_roles(user, org)
    form = RoleGrantForm(
        request.POST or None,
        roles=roles,
        organizations=org.subtree().filter(is_active=True).order_by("path"),
        initial={"organization": org},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.role_grant(
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                organization=form.cleaned_data["organization"],
                by=user,
            )
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "已授予角色。")
            return redirect("organizations:roles", code=org.code)
    grants = role_grants_in(org)
    page = Paginator(grants, 50).get_page(request.GET.get("page"))
    return render(request, "organizations/roles.html", {"org": org, "form": form, "page": page})


@login_required
@require_POST
def role_revoke(request, pk):
    grant = get_object_or_404(OrganizationUserObjectPermission.objects.select_related("content_object", "user"), pk=pk)
    org = grant.content_object
    if not may(request.user, OrgAction.VIEW_ORG, org):
        return render(request, "404.html", status=404)
    try:
        services.role_revoke(grant=grant, by=request.user)
    except (DomainError, PermissionDenied) as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"已撤销 {grant.user} 的角色。")
    return redirect_back(request, reverse("organizations:roles", args=[org.code]), field="back")


@login_required
def roster_export(request, code):
    org = org_get_for_user_or_404(request.user, code, "export_roster")
    queryset = member_list(user=request.user, organization=org).select_related("residence_organization")
    content = roster_xlsx(queryset=queryset, user=request.user)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"{org.name}党员名册{stamp}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- members ---------------------------------------------------------------------------------------------


@login_required
def member_index(request):
    user = request.user
    data = request.GET.copy()
    data.setdefault("active", "1")
    org = None
    grant_orgs = {g.organization_id for g in grants_of(user)}
    if data.get("org"):
        org = org_get_for_user_or_404(user, data["org"], "view_members")
    elif len(grant_orgs) == 1:
        # Someone who works for one organization starts on its roster.
        org = Organization.objects.get(pk=grant_orgs.pop())
        data["org"] = org.code
    elif not has_any_role(user):
        member = own_member(user)
        if member is None:
            raise PermissionDenied("您没有可查看的党员名册。")
        org = member.organization
        data["org"] = org.code
    queryset = member_list(user=user, organization=org)
    organizations = orgs_for(user, OrgAction.VIEW_MEMBERS).filter(is_active=True).only("code", "name", "depth", "path")
    member_filter = MemberFilter(data, queryset=queryset, organizations=organizations.order_by("path"))
    page = Paginator(member_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for m in page.object_list:
        m.may_see_personal = may(user, OrgAction.VIEW_PERSONAL_DATA, m)
    query = data.copy()
    query.pop("page", None)
    context = {
        "filter": member_filter,
        "page": page,
        "org": org,
        "qs": query.urlencode(),
        "can_add": bool(org and may(user, OrgAction.MANAGE_MEMBERS, org)),
        "can_import": bool(org and may(user, OrgAction.MANAGE_MEMBERS, org)),
        "can_export": bool(org and may(user, OrgAction.EXPORT_ROSTER, org)),
    }
    return render(request, "organizations/member_list.html", context)


@login_required
def member_create(request):
    user = request.user
    org = None
    if request.GET.get("org"):
        org = org_get_for_user_or_404(user, request.GET["org"], "manage_members")
    elif not has_any_role(user, {Role.CLERK, Role.SECRETARY}):
        raise PermissionDenied("您无权新增党员。")
    form = MemberForm(request.POST or None, user=user, initial={"organization": org})
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_create(by=user, **form.cleaned_data)
        except ValidationError as e:
            _apply_errors(form, e)
        except PermissionDenied as e:
            form.add_error("organization", str(e))
        else:
            messages.success(request, f"已新增党员“{member.name}”。")
            return redirect(member)
    return render(request, "organizations/member_form.html", {"form": form, "org": org})


@login_required
def member_edit(request, pk):
    user = request.user
    member = member_get_for_user_or_404(user, pk, "manage_members")
    form = MemberForm(request.POST or None, instance=Member.objects.get(pk=member.pk), user=user)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_update(member=member, by=user, **form.cleaned_data)
        except ValidationError as e:
            _apply_errors(form, e)
        except PermissionDenied as e:
            form.add_error("organization", str(e))
        else:
            messages.success(request, "已保存。")
            return redirect(member)
    return render(request, "organizations/member_form.html", {"form": form, "m": member})


@login_required
def member_account(request, pk):
    user = request.user
    member = member_get_for_user_or_404(user, pk)
    can_create = may(user, OrgAction.MANAGE_MEMBERS, member)
    reset_refusal = password_reset_refusal(user, member.user, member) if member.user_id else None
    if not can_create and (not member.user_id or reset_refusal):
        raise PermissionDenied(reset_refusal or refusal("manage_members"))
    form = AccountCreateForm(request.POST or None, initial={"username": member.phone})
    password = None
    if request.method == "POST":
        if request.POST.get("reset") == "1":
            try:
                password = services.member_password_reset(member=member, by=user)
            except (DomainError, PermissionDenied) as e:
                messages.error(request, str(e))
                return redirect(member)
        elif form.is_valid():
            try:
                _account, password = services.member_account_create(
                    member=member, by=user, username=form.cleaned_data["username"]
                )
            except (DomainError, PermissionDenied) as e:
                form.add_error("username", str(e))
        if password:
            member.refresh_from_db()
    last_reset = member.user.password_resets.select_related("by").first() if member.user_id else None
    return render(
        request,
        "organizations/member_account.html",
        {"m": member, "form": form, "password": password, "reset_refusal": reset_refusal, "last_reset": last_reset},
    )


@login_required
def exemption_propose(request, pk):
    user = request.user
    member = member_get_for_user_or_404(user, pk)
    require(user, OrgAction.PROPOSE_EXEMPTION, member.organization)
    form = ExemptionProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exemption_propose(member=member, by=user, **form.cleaned_data)
        except DomainError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "免于承诺申请已提交，等待上级党委审批。")
            return redirect(member)
    return render(request, "organizations/exemption_form.html", {"form": form, "m": member})


@login_required
def exemption_index(request):
    user = request.user
    status = request.GET.get("status", Exemption.Status.PENDING)
    deciding = orgs_for(user, OrgAction.DECIDE_EXEMPTION)
    proposing = orgs_for(user, OrgAction.PROPOSE_EXEMPTION)
    qs = (
        Exemption.objects.filter(member__organization__in=deciding)
        | Exemption.objects.filter(member__organization__in=proposing)
    ).select_related("member__organization", "proposed_by", "decided_by")
    if status in Exemption.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-proposed_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    histories = timelines(page.object_list, user)
    for e in page.object_list:
        e.can_decide = bool(available(e, user) & DECISIONS)
        e.timeline = histories.get(e.pk, [])
    return render(
        request,
        "organizations/exemption_list.html",
        {"page": page, "status": status, "statuses": Exemption.Status.choices},
    )


@login_required
def exemption_decide(request, pk):
    user = request.user
    exemption = get_object_or_404(Exemption.objects.select_related("member__organization", "proposed_by"), pk=pk)
    if not may(user, OrgAction.VIEW_MEMBER, exemption.member):
        return render(request, "404.html", status=404)
    require(user, OrgAction.DECIDE_EXEMPTION, exemption.member.organization)
    form = ExemptionDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exemption_decide(
                exemption=exemption,
                by=user,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "已审批。")
            return redirect("organizations:exemptions")
    context = {
        "form": form,
        "e": exemption,
        "can_decide": form.is_bound or bool(available(exemption, user) & DECISIONS),
        "timeline": timeline(exemption, user),
    }
    return render(request, "organizations/exemption_decide.html", context)


DECISIONS = {"approve", "reject"}


# --- Excel import ----------------------------------------------------------------------------------------


def _import_action(kind: str) -> str:
    return KIND_ACTIONS[kind]


def _keep_upload(request, content: bytes, *, kind: str, org, rows: int, at) -> str:
    """Keep the file for the confirmation, which only this person, in this session, can give. `at` is when it
    was uploaded, before its preview was made: records changed after it are not updated from the file."""
    token = import_upload_save(content)
    request.session[f"import_{token}"] = {
        "kind": kind,
        "org": org.code,
        "user": request.user.pk,
        "rows": rows,
        "at": at.isoformat(),
    }
    return token


def _upload_time(ticket: dict):
    at = ticket.get("at")
    return datetime.datetime.fromisoformat(at) if at else None


def _import_job(request, *, kind: str, stage: str, token: str, org, since=None):
    try:
        job = import_job_start(kind=kind, stage=stage, token=token, scope=org, by=request.user, since=since)
    except DomainError as e:
        messages.error(request, str(e))
        return redirect("organizations:import", code=org.code, kind=kind)
    return redirect(job)


@login_required
def import_upload(request, code, kind):
    user = request.user
    if kind not in KIND_LABELS:
        return render(request, "404.html", status=404)
    org = org_get_for_user_or_404(user, code, _import_action(kind))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    report = None
    token = None
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        uploaded_at = timezone.now()
        try:
            rows = count_import_rows(content)  # refuses a file too large before reading any cell
        except ImportFileError as e:
            report = ImportReport(file_errors=[str(e)])
        else:
            if rows > IMPORT_SYNC_MAX_ROWS:
                token = _keep_upload(request, content, kind=kind, org=org, rows=rows, at=uploaded_at)
                return _import_job(request, kind=kind, stage="preview", token=token, org=org)
            report = import_preview(kind=kind, content=content, scope=org, by=user)
            if report.ok and report.has_changes:
                token = _keep_upload(request, content, kind=kind, org=org, rows=rows, at=uploaded_at)
    context = {
        "org": org,
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "unit": KIND_UNITS[kind],
        "form": form,
        "report": report,
        "token": token,
        "problems": report.problems[:SHOWN_PROBLEMS] if report else [],
        "sync_max_rows": IMPORT_SYNC_MAX_ROWS,
    }
    return render(request, "organizations/import.html", context)


@login_required
@require_POST
def import_confirm(request, code, kind):
    user = request.user
    if kind not in KIND_LABELS:
        return render(request, "404.html", status=404)
    org = org_get_for_user_or_404(user, code, _import_action(kind))
    token = request.POST.get("token", "")
    ticket = request.session.get(f"import_{token}") or {}
    path = import_upload_path(token)
    expected = {"kind": kind, "org": org.code, "user": user.pk}
    if path is None or not path.exists() or any(ticket.get(key) != value for key, value in expected.items()):
        messages.error(request, "导入已失效，请重新上传文件。")
        return redirect("organizations:import", code=org.code, kind=kind)
    del request.session[f"import_{token}"]
    since = _upload_time(ticket)
    if ticket.get("rows", 0) > IMPORT_SYNC_MAX_ROWS:
        return _import_job(request, kind=kind, stage="commit", token=token, org=org, since=since)
    report = import_commit(kind=kind, content=path.read_bytes(), scope=org, by=user, since=since)
    path.unlink(missing_ok=True)
    if not report.ok:
        messages.error(request, "导入时发现错误，未写入任何数据，请按下列提示修改后重新上传。")
        form = ImportUploadForm()
        return render(
            request,
            "organizations/import.html",
            {
                "org": org,
                "kind": kind,
                "kind_label": KIND_LABELS[kind],
                "unit": KIND_UNITS[kind],
                "form": form,
                "report": report,
                "problems": report.problems[:SHOWN_PROBLEMS],
                "sync_max_rows": IMPORT_SYNC_MAX_ROWS,
            },
        )
    messages.success(request, report.done_message(KIND_UNITS[kind]))
    if kind == "members":
        return redirect(f"{reverse('organizations:members')}?org={org.code}")
    if kind == "opinions":
        return redirect("commitments:opinions", code=org.code)
    if kind == "activities":
        return redirect("organizations:activities", code=org.code)
    return redirect(org)


@login_required
def import_template_download(request, kind):
    if kind not in KIND_LABELS:
        return render(request, "404.html", status=404)
    if not has_any_role(request.user):
        raise PermissionDenied("您无权导入数据。")
    response = HttpResponse(
        import_template(kind), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(KIND_LABELS[kind] + '导入模板.xlsx')}"
    return response


# --- 日常活动记实 -------------------------------------------------------------------------------------------

ACTIVITY_PAGE_SIZE = 20


def _activity_or_404(user, pk: int, action: str = OrgAction.VIEW_ACTIVITIES) -> Activity:
    """The activity if the user may read its organization's register (404 alike for absent and not visible);
    a 403 with the refusal when he may read it but not take `action`."""
    activity = Activity.objects.select_related("organization", "kind", "recorded_by").filter(pk=pk).first()
    if activity is None or not may(user, OrgAction.VIEW_ACTIVITIES, activity):
        raise Http404("没有找到该活动记实。")
    require(user, action, activity)
    return activity


def _activity_period(data) -> tuple:
    """(start, end) from the filters: the year, narrowed by the dates when they are given."""
    start, end = data.get("start"), data.get("end")
    year = data.get("year")
    if year:
        first, last = datetime.date(int(year), 1, 1), datetime.date(int(year), 12, 31)
        start = max(start, first) if start else first
        end = min(end, last) if end else last
    return start, end


@login_required
def activity_index(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code, OrgAction.VIEW_ACTIVITIES)
    can_record = may(user, OrgAction.RECORD_ACTIVITY, org)
    # The register of the organizations below is read by those who hold a role over them; a member reads his own.
    with_scope = can_record and org.numchild > 0
    years = [d.year for d in activities_in(org, subtree=with_scope).dates("held_on", "year", order="DESC")]
    form = ActivityFilterForm(request.GET or None, years=years, with_scope=with_scope)
    data = form.cleaned_data if form.is_valid() else {}
    start, end = _activity_period(data)
    subtree = with_scope and data.get("scope") != "own"
    queryset = activities_in(
        org, subtree=subtree, kind=data.get("kind") or None, start=start, end=end, query=data.get("q", "")
    )
    page = Paginator(activity_list(queryset), ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_counts(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "org": org,
        "ancestors": [a for a in ancestors_of(org) if may(user, OrgAction.VIEW_ORG, a)],
        "form": form,
        "page": page,
        "qs": query.urlencode(),
        "filtered": any(data.get(k) for k in ("kind", "year", "start", "end", "q")),
        "totals": activity_totals(queryset),
        "subtree": subtree,
        "can_record": can_record and org.is_active,
        "can_import": can_record and org.is_active,
    }
    return render(request, "organizations/activity_list.html", context)


def _activity_fields(data) -> dict:
    return {k: data.get(k) for k in services.ACTIVITY_FIELDS}


@login_required
def activity_create(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code, OrgAction.RECORD_ACTIVITY)
    initial = {"held_on": timezone.localdate()}
    form = ActivityForm(request.POST or None, request.FILES or None, organization=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_record(
                organization=org,
                by=user,
                participants=data["participants"],
                files=data.get("files") or [],
                **_activity_fields(data),
            )
        except ValidationError as e:
            _apply_errors(form, e)
        except DomainError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"已记录活动“{activity.title}”。")
            return redirect(activity)
        if data.get("files") and "files" not in form.errors:
            form.add_error("files", "所选附件没有保存，请改正上面的问题后重新选择。")
    return render(request, "organizations/activity_form.html", {"form": form, "org": org})


@login_required
def activity_edit(request, pk):
    user = request.user
    activity = _activity_or_404(user, pk, OrgAction.RECORD_ACTIVITY)
    org = activity.organization
    form = ActivityForm(request.POST or None, instance=activity, organization=org, with_files=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_update(
                activity=activity, by=user, participants=data["participants"], **_activity_fields(data)
            )
        except ValidationError as e:
            _apply_errors(form, e)
        except DomainError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "已保存。")
            return redirect(activity)
    # The form changed the instance while validating; the page names the activity as it is stored.
    stored = Activity.objects.only("title").get(pk=activity.pk)
    return render(
        request, "organizations/activity_form.html", {"form": form, "org": org, "activity": activity, "stored": stored}
    )


@login_required
def activity_detail(request, pk):
    user = request.user
    activity = _activity_or_404(user, pk)
    org = activity.organization
    participants = list(
        activity.participants.select_related("organization", "inflow_organization", "residence_organization").order_by(
            "organization__path", "name", "id"
        )
    )
    for m in participants:
        m.may_view = may(user, OrgAction.VIEW_MEMBER, m)
    can_record = may(user, OrgAction.RECORD_ACTIVITY, activity)
    context = {
        "activity": activity,
        "org": org,
        "ancestors": [a for a in ancestors_of(org) if may(user, OrgAction.VIEW_ORG, a)],
        "participants": participants,
        "attachments": list(activity.attachments.select_related("uploaded_by")),
        "can_record": can_record,
        "upload_form": AttachmentUploadForm() if can_record else None,
        "timeline": timeline(activity, user),
    }
    return render(request, "organizations/activity_detail.html", context)


@login_required
@require_POST
def activity_delete(request, pk):
    activity = _activity_or_404(request.user, pk, OrgAction.RECORD_ACTIVITY)
    org = activity.organization
    try:
        services.activity_delete(activity=activity, by=request.user)
    except (DomainError, PermissionDenied) as e:
        messages.error(request, str(e))
        return redirect(activity)
    messages.success(request, f"已删除活动记实“{activity.title}”。")
    return redirect("organizations:activities", code=org.code)


@login_required
@require_POST
def activity_attachments_add(request, pk):
    activity = _activity_or_404(request.user, pk, OrgAction.RECORD_ACTIVITY)
    form = AttachmentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(activity)
    try:
        made = services.activity_attachments_add(activity=activity, by=request.user, files=form.cleaned_data["files"])
    except (DomainError, PermissionDenied) as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"已上传 {len(made)} 个附件。")
    return redirect(activity)


def _attachment_or_404(user, pk: int, action: str = OrgAction.VIEW_ACTIVITIES) -> ActivityAttachment:
    attachment = ActivityAttachment.objects.select_related("activity__organization").filter(pk=pk).first()
    if attachment is None or not may(user, OrgAction.VIEW_ACTIVITIES, attachment.activity):
        raise Http404("没有找到该附件。")
    require(user, action, attachment.activity)
    return attachment


@login_required
def activity_attachment_download(request, pk):
    attachment = _attachment_or_404(request.user, pk)
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=not attachment.is_image, filename=attachment.original_name
    )
    response["Content-Type"] = attachment.content_type  # from the checked content, never from the name
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def activity_attachment_delete(request, pk):
    attachment = _attachment_or_404(request.user, pk, OrgAction.RECORD_ACTIVITY)
    activity = attachment.activity
    try:
        services.activity_attachment_delete(attachment=attachment, by=request.user)
    except (DomainError, PermissionDenied) as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"已删除附件“{attachment.original_name}”。")
    return redirect(activity)


@login_required
def member_activities_index(request, pk):
    """Every activity a member took part in (of the organizations whose register the reader may see)."""
    user = request.user
    member = member_get_for_user_or_404(user, pk)
    page = Paginator(member_activities(member, user), ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "organizations/member_activities.html", {"m": member, "page": page})
