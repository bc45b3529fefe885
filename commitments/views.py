"""Pages of the pledge lifecycle. Each view finds its object through the permission module, calls one
service, and turns refusals into Chinese messages; action buttons come from the FSM's available transitions."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from organizations.audit import timeline, timelines
from organizations.errors import DomainError
from organizations.models import Organization, PasswordReset
from organizations.permissions import (
    Role,
    grants_of,
    may,
    member_get_for_user_or_404,
    org_get_for_user_or_404,
    orgs_for,
    own_member,
    require,
)
from organizations.redirects import redirect_back, safe_return_url
from organizations.selectors import default_organization, organization_from_request
from organizations.transitions import available
from organizations.uploads import content_type_of

from . import selectors, services
from .content_areas import areas_for_pledge
from .forms import (
    AmendForm,
    CampaignForm,
    DeclineForm,
    FulfilmentLogForm,
    HelpForm,
    InspectionForm,
    OnBehalfPledgeForm,
    OpinionForm,
    PaperSignatureForm,
    PledgeItemFormSet,
    ReasonForm,
    ReviewForm,
    SelfCheckForm,
    SignForm,
    SolveForm,
    TickRequestForm,
    WitnessForm,
)
from .models import (
    Attachment,
    Campaign,
    Inspection,
    Notification,
    Opinion,
    Pledge,
    PledgeItem,
    Review,
    SelfCheck,
    Signature,
    first_of_month,
    quarter_of,
)
from .permissions import PledgeAction

PAGE_SIZE = 30

# How each transition is offered on the pledge page: a page to open, or a form posted after a confirmation.
TRANSITION_UI = {
    "submit": ("post", "commitments:pledge_submit", "btn-primary"),
    "return_for_changes": ("link", "commitments:pledge_review", "btn-outline-danger"),
    "approve": ("link", "commitments:pledge_review", "btn-primary"),
    "sign_as_pledger": ("link", "commitments:pledge_sign", "btn-primary"),
    "countersign": ("link", "commitments:pledge_sign", "btn-primary"),
    "publish": ("post", "commitments:pledge_publish", "btn-primary"),
    "amend": ("link", "commitments:pledge_amend", "btn-outline-secondary"),
}


def _pledge_or_404(user, pk, action="view_pledge") -> Pledge:
    pledge = (
        Pledge.objects.select_related(
            "campaign", "organization", "member__user", "member__organization", "pledger_organization", "previous"
        )
        .filter(pk=pk)
        .first()
    )
    if pledge is None or not may(user, PledgeAction.VIEW_PLEDGE, pledge):
        raise Http404("没有找到这份承诺书。")
    require(user, action, pledge)
    return pledge


def _item_or_404(user, pk, action="view_pledge") -> PledgeItem:
    item = PledgeItem.objects.select_related("pledge").filter(pk=pk).first()
    if item is None:
        raise Http404("没有找到该承诺事项。")
    item.pledge = _pledge_or_404(user, item.pledge_id)
    require(user, action, item.pledge)
    return item


def _fail(request, error) -> None:
    messages.error(request, str(error.messages[0] if isinstance(error, ValidationError) else error))


def actions_for(user, pledge) -> list[dict]:
    """The buttons this user may press now, from the transitions django-fsm says are available to him."""
    seen, buttons = set(), []
    for transition in pledge.get_available_user_status_transitions(user):
        ui = TRANSITION_UI.get(transition.name)
        if ui is None:
            continue
        kind, url_name, css = ui
        if transition.name in ("return_for_changes", "approve"):
            label, key = "审核", "review"
        elif transition.name == "sign_as_pledger" and pledge.is_paper:
            label, key = "登记纸质签字", transition.name
        else:
            label, key = transition.custom.get("label", transition.name), transition.name
        if key in seen:
            continue
        seen.add(key)
        buttons.append(
            {
                "kind": kind,
                "url": reverse(url_name, args=[pledge.pk]),
                "label": label,
                "css": css,
                "confirm": transition.custom.get("confirm", ""),
            }
        )
    return buttons


# --- campaigns -------------------------------------------------------------------------------------------


@login_required
def campaign_index(request):
    user = request.user
    committee_orgs = orgs_for(user, PledgeAction.OPEN_CAMPAIGN)
    form = None
    top = default_organization(user, role=Role.COMMITTEE)
    if top is not None:
        year = timezone.localdate().year
        form = CampaignForm(
            request.POST or None,
            initial={
                "name": f"{year}年度公开承诺",
                "year": year,
                "starts_on": f"{year}-01-01",
                "sign_deadline": f"{year}-03-31",
                "ends_on": f"{year}-12-31",
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.campaign_open(organization=top, by=user, **form.cleaned_data)
            except ValidationError as e:
                for field, errs in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            except (DomainError, PermissionDenied) as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, f"已为“{top.name}”开启承诺批次。")
                return redirect("commitments:campaigns")
    visible = orgs_for(user, PledgeAction.VIEW_LEDGER)
    campaigns = (
        Campaign.objects.filter(Q(organization__in=visible) | Q(organization__path__in=_ancestor_paths_of_grants(user)))
        .select_related("organization", "opened_by")
        .distinct()
    )
    rows = []
    for c in campaigns:
        scope = c.organization if c.organization in committee_orgs else None
        rows.append(
            (
                c,
                selectors.campaign_coverage(c, scope or _first_grant_org(user) or c.organization),
                "close" in available(c, user),
            )
        )
    return render(request, "commitments/campaigns.html", {"rows": rows, "form": form, "top": top})


def _ancestor_paths_of_grants(user) -> list[str]:
    paths = set()
    for g in grants_of(user):
        step = Organization.steplen
        paths |= {g.path[: step * i] for i in range(1, len(g.path) // step + 1)}
    member = own_member(user)
    if member:
        paths |= set(member.organization.ancestor_paths())
    return sorted(paths)


def _first_grant_org(user):
    return default_organization(user) if grants_of(user) else None


@login_required
@require_POST
def campaign_close(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        services.campaign_close(campaign=campaign, by=request.user)
    except (DomainError, PermissionDenied) as e:
        _fail(request, e)
    else:
        messages.success(request, f"承诺批次“{campaign.name}”已结束。")
    return redirect("commitments:campaigns")


# --- opinions --------------------------------------------------------------------------------------------


SOLVED = "solved"  # the 已解决 tab: a fact apart from the statuses


@login_required
def opinion_index(request, code):
    user = request.user
    org = org_get_for_user_or_404(user, code, "view_ledger")
    can_manage = may(user, PledgeAction.MANAGE_OPINIONS, org)
    form = OpinionForm(request.POST or None, initial={"received_on": _default_day(org)})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("您无权维护该党组织的群众意见。")
        if "solve" in request.POST:
            return _opinion_solve(request, org, can_manage)
        if form.is_valid():
            try:
                services.opinion_create(organization=org, by=user, **form.cleaned_data)
            except ValidationError as e:
                for field, errs in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            except DomainError as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, "已录入一条意见建议。")
                return redirect("commitments:opinions", code=org.code)
    return _opinions_page(request, org, form=form, can_manage=can_manage)


def _default_day(org):
    """Issue 13 §8: a form's default date inside the running campaign (today while it runs)."""
    campaign = services.campaign_for(org)
    return campaign.default_date() if campaign else timezone.localdate()


def _opinions_page(request, org, *, form, can_manage, solving=None, solve_form=None):
    """The opinions of `org`'s subtree in the current campaign; `solve_form` is the bound 标为已解决 form of the
    opinion `solving` (pk) when it came back with errors."""
    campaign = services.campaign_for(org)
    status = request.GET.get("status", "")
    qs = (
        Opinion.objects.filter(organization__path__startswith=org.path)
        .select_related(
            "organization",
            "campaign",
            "solved_by_item__pledge__member",
            "solved_by_item__pledge__pledger_organization",
        )
        .annotate(item_count=Count("answering_items"))
        .order_by("-received_on", "-id")
    )
    if campaign:
        qs = qs.filter(campaign=campaign)
    if status in Opinion.Status.values:
        qs = qs.filter(status=status)
    elif status == SOLVED:
        qs = qs.filter(solved_on__isnull=False)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    answers = {}
    ids = [o.pk for o in page.object_list]
    for link in PledgeItem.cited_opinions.through.objects.filter(opinion_id__in=ids).select_related(
        "pledgeitem__pledge__member", "pledgeitem__pledge__pledger_organization"
    ):
        answers.setdefault(link.opinion_id, []).append(link.pledgeitem)
    for o in page.object_list:
        o.answers = answers.get(o.pk, [])
        if can_manage and o.solved_on is None:
            if o.pk == solving:
                o.solve_form = solve_form
            else:
                o.solve_form = SolveForm(
                    items=o.answers,
                    auto_id=f"id_solve{o.pk}_%s",
                    initial={"solved_on": o.campaign.default_date()},
                )
    return render(
        request,
        "commitments/opinions.html",
        {
            "org": org,
            "form": form,
            "page": page,
            "campaign": campaign,
            "can_manage": can_manage,
            "status": status,
            "statuses": Opinion.Status.choices,
            "solved": SOLVED,
            "qs": urlencode({"status": status}),
            "decline_form": DeclineForm(),
        },
    )


@login_required
@require_POST
def opinion_decline(request, pk):
    opinion = get_object_or_404(Opinion.objects.select_related("organization"), pk=pk)
    if not may(request.user, PledgeAction.VIEW_LEDGER, opinion.organization):
        raise Http404
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.opinion_decline(opinion=opinion, by=request.user, reason=form.cleaned_data["reason"])
        except (DomainError, PermissionDenied) as e:
            _fail(request, e)
        else:
            messages.success(request, "已标为未采纳。")
    else:
        messages.error(request, "请填写未采纳的原因。")
    return redirect("commitments:opinions", code=opinion.organization.code)


def _opinion_solve(request, org, can_manage):
    """标为已解决, posted to the opinions page (field `solve`: the opinion); a form with errors comes back on the
    page with what was typed."""
    opinion = get_object_or_404(
        Opinion.objects.select_related("organization").filter(organization__path__startswith=org.path),
        pk=request.POST.get("solve") if str(request.POST.get("solve", "")).isdigit() else None,
    )
    items = list(opinion.answering_items.select_related("pledge__member", "pledge__pledger_organization"))
    form = SolveForm(request.POST, items=items, auto_id=f"id_solve{opinion.pk}_%s")
    if form.is_valid():
        try:
            services.opinion_mark_solved(
                opinion=opinion,
                by=request.user,
                solved_on=form.cleaned_data["solved_on"],
                how=form.cleaned_data["how"],
                item=form.cleaned_data["item"],
            )
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, "已标为已解决。")
            return redirect(request.get_full_path())
    blank = OpinionForm(initial={"received_on": _default_day(org)})
    return _opinions_page(request, org, form=blank, can_manage=can_manage, solving=opinion.pk, solve_form=form)


@login_required
@require_POST
def opinion_unsolve(request, pk):
    opinion = get_object_or_404(Opinion.objects.select_related("organization"), pk=pk)
    if not may(request.user, PledgeAction.VIEW_LEDGER, opinion.organization):
        raise Http404
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.opinion_unmark_solved(opinion=opinion, by=request.user, reason=reason)
    except (DomainError, PermissionDenied) as e:
        _fail(request, e)
    else:
        messages.success(request, "已撤销“已解决”。")
    return redirect("commitments:opinions", code=request.POST.get("org") or opinion.organization.code)


# --- my pledges and creating pledges ---------------------------------------------------------------------


@login_required
def my_pledges(request):
    member = own_member(request.user)
    if member is None:
        raise PermissionDenied("您的账号没有关联党员信息。")
    pledges = list(selectors.my_pledges(member))
    existing = {(p.campaign_id, p.organization_id) for p in pledges if p.is_current}
    places = []
    for org in services.pledge_places(member):
        campaign = services.campaign_for(org)
        if campaign and (campaign.pk, org.pk) not in existing and not member.is_exempt:
            places.append((org, campaign))
    return render(request, "commitments/my_pledges.html", {"member": member, "pledges": pledges, "places": places})


@login_required
@require_POST
def pledge_create_own(request):
    member = own_member(request.user)
    if member is None:
        raise PermissionDenied("您的账号没有关联党员信息。")
    org = get_object_or_404(Organization, pk=request.POST.get("organization"))
    try:
        pledge = services.pledge_create_for_member(member=member, organization=org, by=request.user)
    except (DomainError, PermissionDenied) as e:
        _fail(request, e)
        return redirect("commitments:my_pledges")
    messages.success(request, "已新建承诺书，请填写承诺事项。")
    return redirect("commitments:pledge_edit", pk=pledge.pk)


@login_required
def pledge_create_oral(request, pk):
    """代录承诺: the branch enters a member's pledge signed by hand on paper, or an oral one (篇一, 篇四)."""
    member = member_get_for_user_or_404(request.user, pk)
    places = services.pledge_places(member)
    allowed = [
        o
        for o in places
        if may(request.user, PledgeAction.ENTER_PAPER_PLEDGE, o) or may(request.user, PledgeAction.ENTER_ORAL_PLEDGE, o)
    ]
    if not allowed:
        raise PermissionDenied("只有本支部的书记或党务干事可以代录党员的承诺。")
    form = OnBehalfPledgeForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        org = next((o for o in allowed if str(o.pk) == request.POST.get("organization")), allowed[0])
        kind = form.cleaned_data["form"]
        try:
            pledge = services.pledge_create_for_member(
                member=member,
                organization=org,
                by=request.user,
                form=Pledge.Form.ORAL if kind == "oral" else Pledge.Form.PAPER,
                witness_name=form.cleaned_data["witness_name"],
            )
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            what = "口头承诺" if kind == "oral" else "纸质签字的书面承诺"
            messages.success(request, f"已为{member.name}新建{what}，请照原件录入承诺事项。")
            return redirect("commitments:pledge_edit", pk=pledge.pk)
    return render(request, "commitments/oral_pledge.html", {"m": member, "form": form, "places": allowed})


@login_required
@require_POST
def pledge_create_org(request, code):
    org = org_get_for_user_or_404(request.user, code, "create_org_pledge")
    try:
        pledge = services.pledge_create_for_organization(organization=org, by=request.user)
    except (DomainError, PermissionDenied) as e:
        _fail(request, e)
        return redirect(org)
    messages.success(request, "已新建组织承诺书，请填写承诺事项。")
    return redirect("commitments:pledge_edit", pk=pledge.pk)


# --- the pledge ------------------------------------------------------------------------------------------


@login_required
def pledge_detail(request, pk):
    user = request.user
    pledge = _pledge_or_404(user, pk)
    items = list(
        pledge.items.prefetch_related(
            "cited_opinions", "logs__attachments", "logs__by", "review_comments__review"
        ).select_related("ticked_off_by")
    )
    latest_review = pledge.reviews.select_related("by").first()
    item_comments = {}
    if latest_review and latest_review.decision == Review.Decision.RETURN:
        for c in latest_review.item_comments.all():
            item_comments[c.item_id] = c.comment
    can_fulfil = (
        may(user, PledgeAction.FULFIL_PLEDGE, pledge) and pledge.status in services.FULFILLING and pledge.is_current
    )
    item_timelines = timelines(items, user)
    for i in items:
        i.review_comment = item_comments.get(i.pk, "")
        i.transitions = available(i, user, "state")
        i.timeline = item_timelines.get(i.pk, [])
        # The logs shown on this page are the evidence a 确认销号 from here carries back (`evidence_seen`).
        i.evidence = selectors.evidence_summary(i)
    context = {
        "pledge": pledge,
        "items": items,
        "actions": actions_for(user, pledge),
        "timeline": timeline(pledge, user),
        "signatures": pledge.signatures.select_related("signer"),
        "latest_review": latest_review,
        "can_edit": pledge.is_editable and may(user, PledgeAction.EDIT_PLEDGE, pledge),
        "can_fulfil": can_fulfil,
        "can_self_check": may(user, PledgeAction.FULFIL_PLEDGE, pledge)
        and pledge.status in (*services.FULFILLING, Pledge.Status.COMPLETED),
        "can_inspect": may(user, PledgeAction.INSPECT_PLEDGE, pledge)
        and pledge.status in (*services.FULFILLING, Pledge.Status.COMPLETED),
        "can_flag_help": can_fulfil or may(user, PledgeAction.ENTER_ORAL_PLEDGE, pledge.organization),
        "revisions": _revisions(pledge),
        "can_see_scan": pledge.is_paper and may(user, PledgeAction.VIEW_PAPER_SCAN, pledge),
        "inspections": pledge.inspections.select_related("by").order_by("-year", "-quarter"),
        "printable": ("signed", "published", "completed", "superseded"),
    }
    return render(request, "commitments/pledge_detail.html", context)


def _revisions(pledge) -> list[Pledge]:
    """The other revisions of this pledge, newest first, in one query: every revision has the same campaign and
    pledger, so those pledges are read together and the chain is followed through `previous` in memory."""
    same = Pledge.objects.filter(campaign_id=pledge.campaign_id)
    if pledge.member_id:
        same = same.filter(member_id=pledge.member_id)
    else:
        same = same.filter(pledger_organization_id=pledge.pledger_organization_id)
    by_id = {p.pk: p for p in same.exclude(pk=pledge.pk)}
    by_previous = {p.previous_id: p for p in by_id.values() if p.previous_id}
    older, current = [], pledge
    while current.previous_id:
        current = by_id.get(current.previous_id) or Pledge.objects.get(pk=current.previous_id)
        older.append(current)
    newer, current = [], by_previous.get(pledge.pk)
    while current is not None:
        newer.insert(0, current)
        current = by_previous.get(current.pk)
    return newer + older


def _opinion_choices(pledge):
    return (
        Opinion.objects.filter(campaign=pledge.campaign, organization__path__in=pledge.organization.ancestor_paths())
        .exclude(status=Opinion.Status.NOT_ADOPTED)
        .order_by("-received_on")[:100]
    )


@login_required
def pledge_edit(request, pk):
    user = request.user
    pledge = _pledge_or_404(user, pk, "edit_pledge")
    if not pledge.is_editable:
        messages.error(request, f"承诺书当前为“{pledge.get_status_display()}”，不能修改。")
        return redirect(pledge)
    areas = areas_for_pledge(pledge)
    opinions = list(_opinion_choices(pledge))
    kwargs = {"areas": areas, "opinions": opinions, "org_pledge": not pledge.is_member_pledge}
    witness_form = (
        WitnessForm(request.POST or None, initial={"witness_name": pledge.witness_name}) if pledge.is_oral else None
    )
    if request.method == "POST":
        formset = PledgeItemFormSet(request.POST, form_kwargs=kwargs, prefix="items")
        if formset.is_valid() and (witness_form is None or witness_form.is_valid()):
            items = [
                {**f.cleaned_data, "delete": f.cleaned_data.get("DELETE", False)}
                for f in formset.forms
                if f.cleaned_data
            ]
            try:
                services.pledge_update(
                    pledge=pledge,
                    by=user,
                    items=items,
                    witness_name=witness_form.cleaned_data["witness_name"] if witness_form else None,
                )
            except services.ItemErrors as e:
                kept = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
                for index, fields in e.errors.items():
                    for field, msgs in fields.items():
                        kept[index].add_error(field if field in kept[index].fields else None, msgs)
                messages.error(request, str(e))
            except ValidationError as e:
                messages.error(request, "；".join(e.messages))
            except DomainError as e:
                messages.error(request, str(e))
            else:
                if request.POST.get("then") == "submit":
                    try:
                        services.pledge_submit(pledge=pledge, by=user)
                    except (DomainError, PermissionDenied) as e:
                        messages.error(request, f"已保存，但未能提交：{e}")
                        return redirect("commitments:pledge_edit", pk=pledge.pk)
                    messages.success(request, "已保存并提交审核。")
                    return redirect(pledge)
                messages.success(request, "已保存承诺书草稿。")
                return redirect(pledge)
    else:
        initial = [
            {
                "id": i.pk,
                "content_area": i.content_area,
                "content": i.content,
                "measures": i.measures,
                "deadline": i.deadline,
                "responsible_person": i.responsible_person,
                "indicator": i.indicator,
                "unit": i.unit,
                "baseline_value": i.baseline_value,
                "target_value": i.target_value,
                "opinions": [o.pk for o in i.cited_opinions.all()],
            }
            for i in pledge.items.prefetch_related("cited_opinions")
        ] or [{"deadline": pledge.campaign.ends_on}]
        formset = PledgeItemFormSet(initial=initial, form_kwargs=kwargs, prefix="items")
    latest_review = pledge.reviews.select_related("by").first()
    return render(
        request,
        "commitments/pledge_edit.html",
        {
            "pledge": pledge,
            "formset": formset,
            "witness_form": witness_form,
            "min_items": pledge.min_items_required(),
            "latest_review": latest_review
            if latest_review and latest_review.decision == Review.Decision.RETURN
            else None,
            "review_comments": {c.item_id: c.comment for c in latest_review.item_comments.all()}
            if latest_review
            else {},
        },
    )


@login_required
@require_POST
def pledge_submit(request, pk):
    pledge = _pledge_or_404(request.user, pk)
    try:
        services.pledge_submit(pledge=pledge, by=request.user)
    except (DomainError, PermissionDenied) as e:
        _fail(request, e)
    else:
        messages.success(request, "已提交审核。")
    return redirect(pledge)


@login_required
def pledge_review(request, pk):
    user = request.user
    pledge = _pledge_or_404(user, pk, "review_pledge")
    items = list(pledge.items.prefetch_related("cited_opinions"))
    form = ReviewForm(request.POST or None, items=items, points=pledge.campaign.review_checklist())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        checks = form.checks()
        try:
            if data["decision"] == Review.Decision.APPROVE:
                services.pledge_approve(pledge=pledge, by=user, checks=checks, comment=data["comment"])
                messages.success(request, "已审定通过，等待双方签署。")
            else:
                item_comments = {i.pk: data.get(f"item_{i.pk}", "") for i in items}
                services.pledge_return(
                    pledge=pledge, by=user, comment=data["comment"], checks=checks, item_comments=item_comments
                )
                messages.success(request, "已退回修改。")
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            return redirect(pledge)
    return render(request, "commitments/pledge_review.html", {"pledge": pledge, "items": items, "form": form})


def _pledger_reset_before_signing(pledge):
    """The last reset of the pledger's password before he signed, for the countersigner to weigh (he may ask
    the member in person whether he signed himself)."""
    signature = pledge.signatures.filter(role=Signature.Role.PLEDGER).first()
    if signature is None or not pledge.member_id or not pledge.member.user_id:
        return None
    return (
        PasswordReset.objects.filter(user_id=pledge.member.user_id, at__lte=signature.signed_at)
        .select_related("by")
        .first()
    )


def _png_from_data_url(data: str) -> bytes | None:
    if not data:
        return None
    prefix = "data:image/png;base64,"
    if not data.startswith(prefix):
        raise DomainError("签名图片格式不正确。")
    try:
        return base64.b64decode(data[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("签名图片格式不正确。") from None


def _paper_signature(request, pledge):
    """登记纸质签字: the officer uploads the signed page and gives the day it was signed."""
    form = PaperSignatureForm(request.POST or None, request.FILES or None, campaign=pledge.campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.pledge_record_paper_signature(
                pledge=pledge, by=request.user, scan=form.cleaned_data["scan"], signed_on=form.cleaned_data["signed_on"]
            )
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "已登记纸质签字，等待审定方签署。")
            return redirect(pledge)
    items = list(pledge.items.all())
    return render(request, "commitments/pledge_sign_paper.html", {"pledge": pledge, "items": items, "form": form})


@login_required
def pledge_paper_scan(request, pk):
    """The scan of the signed paper 承诺书: for the two sides and the officers, never public (it is not on any
    board, and its URL answers 404 to anyone else)."""
    pledge = _pledge_or_404(request.user, pk)
    signature = pledge.signatures.filter(role=Signature.Role.PLEDGER, method=Signature.Method.PAPER).first()
    if signature is None or not signature.scan or not may(request.user, PledgeAction.VIEW_PAPER_SCAN, pledge):
        raise Http404
    response = FileResponse(
        signature.scan.open("rb"),
        as_attachment=not signature.scan_is_image,
        filename=f"{pledge.pledger_name}承诺书签字页.{signature.scan_kind}",
    )
    response["Content-Type"] = content_type_of(signature.scan_kind)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def pledge_sign(request, pk):
    user = request.user
    pledge = _pledge_or_404(user, pk)
    paper_to_record = pledge.is_paper and pledge.status == Pledge.Status.APPROVED and pledge.pledger_may_sign()
    if paper_to_record and may(user, PledgeAction.SIGN_PLEDGE, pledge):
        return _paper_signature(request, pledge)
    as_pledger = may(user, PledgeAction.SIGN_PLEDGE, pledge) and pledge.pledger_may_sign()
    as_reviewer = may(user, PledgeAction.COUNTERSIGN_PLEDGE, pledge) and pledge.ready_for_countersign()
    if pledge.status != Pledge.Status.APPROVED or not (as_pledger or as_reviewer):
        messages.error(request, "这份承诺书现在不需要您签署。")
        return redirect(pledge)
    if not user.has_own_password:
        # Nothing of the pledge is shown to an account whose password someone else knows.
        return render(request, "commitments/pledge_sign_own_password.html", {"pledge": pledge}, status=403)
    role = Signature.Role.PLEDGER if as_pledger else Signature.Role.REVIEWER
    expected = services._signer_name(pledge, user, role)
    items = list(pledge.items.all())
    sha = pledge.text_sha256(items)
    form = SignForm(request.POST or None, initial={"text_sha256": sha})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            png = _png_from_data_url(data["signature_data"])
            sign = services.pledge_sign if role == Signature.Role.PLEDGER else services.pledge_countersign
            sign(
                pledge=pledge,
                by=user,
                password=data["password"],
                image_png=png,
                typed_name=data["typed_name"],
                shown_sha256=data["text_sha256"],
            )
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "签署成功。")
            return redirect(pledge)
    return render(
        request,
        "commitments/pledge_sign.html",
        {
            "pledge": pledge,
            "items": items,
            "form": form,
            "role": role,
            "expected_name": expected,
            "sha": sha,
            "pledger_reset": _pledger_reset_before_signing(pledge) if role == Signature.Role.REVIEWER else None,
        },
    )


@login_required
@require_POST
def pledge_publish(request, pk):
    pledge = _pledge_or_404(request.user, pk)
    try:
        services.pledge_publish(pledge=pledge, by=request.user)
    except (DomainError, PermissionDenied) as e:
        _fail(request, e)
    else:
        messages.success(request, "已公示。")
    return redirect(pledge)


@login_required
def pledge_amend(request, pk):
    pledge = _pledge_or_404(request.user, pk, "amend_pledge")
    form = AmendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.pledge_amend(pledge=pledge, by=request.user, reason=form.cleaned_data["reason"])
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"已生成第{new.revision}版承诺书，请修改后重新提交审核。")
            return redirect("commitments:pledge_edit", pk=new.pk)
    return render(request, "commitments/pledge_amend.html", {"pledge": pledge, "form": form})


# --- 践诺 ------------------------------------------------------------------------------------------------


@login_required
def item_log(request, pk):
    item = _item_or_404(request.user, pk, "fulfil_pledge")
    # Issue 13 §8: the default date falls inside the campaign (today while it runs, else its last day).
    initial = {"happened_on": item.pledge.campaign.default_date()}
    form = FulfilmentLogForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.fulfilment_log_add(
                item=item, by=request.user, happened_on=data["happened_on"], text=data["text"], files=data["files"]
            )
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "已记录践诺情况。")
            return redirect(item.pledge)
    return render(request, "commitments/item_log.html", {"item": item, "pledge": item.pledge, "form": form})


@login_required
def item_tick(request, pk):
    item = _item_or_404(request.user, pk, "fulfil_pledge")
    form = TickRequestForm(request.POST or None, initial={"achieved_value": item.achieved_value})
    if request.method == "POST" and form.is_valid():
        try:
            services.item_request_tick_off(
                item=item,
                by=request.user,
                note=form.cleaned_data["note"],
                achieved_value=form.cleaned_data["achieved_value"],
            )
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "已申请销号，等待书记确认。")
            return redirect(item.pledge)
    prefetch_related_objects([item], selectors.evidence_prefetch())
    context = {
        "item": item,
        "pledge": item.pledge,
        "form": form,
        "deciding": False,
        "evidence": selectors.evidence_summary(item),
    }
    return render(request, "commitments/item_tick.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def item_tick_decide(request, pk):
    """确认销号 or 不予销号. The page (GET) shows the evidence: the item's fulfilment logs and attachments. A
    confirmation must carry back the newest log entry it was shown (`evidence_seen`); without it, or when a log
    was added since, it is refused and this page shows the evidence again."""
    item = _item_or_404(request.user, pk)
    back = safe_return_url(request, item.pledge.get_absolute_url())
    if request.method != "POST":
        return _tick_decision_page(request, item, back)
    try:
        if request.POST.get("decision") == "confirm":
            seen = request.POST.get("evidence_seen", "")
            mark = selectors.evidence_mark(item)
            if mark is not None and seen != str(mark):
                messages.error(
                    request,
                    "有新的践诺记录，请查看后再确认销号。"
                    if seen
                    else "该事项有践诺记录，请先查看践诺记录和附件，再确认销号。",
                )
                return redirect(
                    reverse("commitments:item_tick_decide", args=[item.pk]) + "?" + urlencode({"next": back})
                )
            services.item_confirm_tick_off(item=item, by=request.user)
            messages.success(request, "已确认销号。")
        else:
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise DomainError("不予销号时请说明原因。")
            services.item_refuse_tick_off(item=item, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, "已退回销号申请。")
    except (DomainError, PermissionDenied) as e:
        _fail(request, e)
    return redirect(back)


def _tick_decision_page(request, item, back):
    prefetch_related_objects([item], selectors.evidence_prefetch())
    item.transitions = available(item, request.user, "state")
    if not {"confirm_tick_off", "refuse_tick_off"} & set(item.transitions):
        messages.info(request, "该事项没有等待您确认的销号申请，可能已被他人处理。")
        return redirect(back)
    context = {
        "item": item,
        "pledge": item.pledge,
        "deciding": True,
        "evidence": selectors.evidence_summary(item),
        "requested_by": item.tick_requested_by,
        "back": back,
    }
    return render(request, "commitments/item_tick.html", context)


@login_required
@require_POST
def item_help(request, pk):
    item = _item_or_404(request.user, pk)
    form = HelpForm(request.POST)
    form.is_valid()
    try:
        services.item_flag_help(
            item=item,
            by=request.user,
            needs_help=form.cleaned_data.get("needs_help", False),
            note=form.cleaned_data.get("note", ""),
        )
    except (DomainError, PermissionDenied) as e:
        _fail(request, e)
    else:
        messages.success(request, "已更新帮扶标记。")
    return redirect(item.pledge)


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("log__item__pledge"), pk=pk)
    if not may(request.user, PledgeAction.VIEW_PLEDGE, attachment):
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=not attachment.is_image, filename=attachment.original_name
    )
    response["Content-Type"] = attachment.content_type  # from the checked content, never from the name
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def signature_image(request, pk):
    signature = get_object_or_404(Signature.objects.select_related("pledge"), pk=pk)
    if not signature.image or not may(request.user, PledgeAction.VIEW_PLEDGE, signature.pledge):
        raise Http404
    return FileResponse(signature.image.open("rb"), content_type="image/png")


@login_required
def self_check(request, pk):
    pledge = _pledge_or_404(request.user, pk, "fulfil_pledge")
    month = first_of_month(timezone.localdate())
    items = list(pledge.items.all())
    existing = {c.item_id: c for c in SelfCheck.objects.filter(item__pledge=pledge, month=month)}
    initial = {"month": month}
    for i in items:
        if i.pk in existing:
            initial[f"result_{i.pk}"] = existing[i.pk].result
            initial[f"note_{i.pk}"] = existing[i.pk].note
    form = SelfCheckForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.self_check_record(pledge=pledge, by=request.user, month=month, results=form.results())
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"已完成{month:%Y年%-m月}的自查。")
            return redirect(pledge)
    return render(
        request, "commitments/self_check.html", {"pledge": pledge, "form": form, "month": month, "done": bool(existing)}
    )


@login_required
def inspect(request, pk):
    pledge = _pledge_or_404(request.user, pk, "inspect_pledge")
    year, quarter = quarter_of(timezone.localdate())
    if request.method == "GET" and Inspection.objects.filter(pledge=pledge, year=year, quarter=quarter).exists():
        # 一季一检查: the quarter's inspection is done; the pledge page shows its result.
        messages.info(request, f"{year}年第{quarter}季度已检查过这份承诺书。")
        return redirect(pledge)
    form = InspectionForm(request.POST or None, initial={"year": year, "quarter": quarter})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.inspection_record(
                pledge=pledge,
                by=request.user,
                year=data["year"],
                quarter=data["quarter"],
                passed=data["result"] == "pass",
                reasons=data["reasons"],
                note=data["note"],
            )
        except (DomainError, PermissionDenied) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "已记录季度检查结果。")
            return redirect(pledge)
    return render(request, "commitments/inspect.html", {"pledge": pledge, "form": form})


# --- ledger, queues, checks ------------------------------------------------------------------------------


def _org_from_request(request, action="view_ledger"):
    return organization_from_request(request, action, none_message="您没有可查看的承诺台帐。")


@login_required
def ledger(request):
    user = request.user
    org = _org_from_request(request)
    campaign = services.campaign_for(org)
    context = {"org": org, "campaign": campaign}
    if campaign is not None and request.GET.get("view") == "unsigned":
        return _ledger_unsigned(request, org, campaign)
    if campaign is not None:
        filters = {k: request.GET.get(k, "") for k in ("state", "overdue", "needs_help", "status", "kind", "q")}
        items = selectors.ledger_items(campaign=campaign, org=org, filters=filters)
        page = Paginator(items, 50).get_page(request.GET.get("page"))
        query = {k: v for k, v in filters.items() if v} | {"org": org.code}
        context |= {
            "page": page,
            "filters": filters,
            "qs": urlencode(query),
            "coverage": selectors.campaign_coverage(campaign, org),
            "status_counts": selectors.status_counts(campaign=campaign, org=org),
            "late_count": selectors.late_signed_count(campaign=campaign, org=org),
            "states": PledgeItem.State.choices,
            "statuses": [s for s in Pledge.Status.choices if s[0] != Pledge.Status.SUPERSEDED],
            "orgs": orgs_for(user, PledgeAction.VIEW_LEDGER)
            .filter(is_active=True)
            .exclude(level="branch")
            .order_by("path")
            | Organization.objects.filter(pk=org.pk),
        }
    return render(request, "commitments/ledger.html", context)


def _ledger_unsigned(request, org, campaign):
    """未签约 on the ledger: the members and organizations of the subtree without a signed pledge, for the branch
    and for each superior (the ledger's own scope), with the count of late signatures (逾期签约)."""
    members = selectors.unsigned_members(campaign=campaign, org=org)
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    organizations = selectors.unsigned_organizations(campaign=campaign, org=org)
    statuses = dict(Pledge.Status.choices)
    for m in page.object_list:
        m.pledge_status_label = statuses.get(m.pledge_status, "未起草")
    return render(
        request,
        "commitments/ledger_unsigned.html",
        {
            "org": org,
            "campaign": campaign,
            "page": page,
            "qs": urlencode({"org": org.code, "view": "unsigned"}),
            "deadline_passed": campaign.sign_deadline_passed(),
            "organizations": organizations[:50],
            "organization_count": organizations.count(),
            "late_count": selectors.late_signed_count(campaign=campaign, org=org),
            "coverage": selectors.campaign_coverage(campaign, org),
        },
    )


@login_required
def queues(request):
    user = request.user
    tab = request.GET.get("tab", "review")
    review = selectors.review_queue(user)
    sign = selectors.sign_queue(user)
    tick = selectors.tick_queue(user)
    for item in tick:
        item.transitions = available(item, user, "state")
        item.evidence = selectors.evidence_summary(item)
    return render(
        request,
        "commitments/queues.html",
        {
            "tab": tab,
            "review": review,
            "sign": sign,
            "tick": tick,
            "refuse_form": ReasonForm(),
            "tick_back": reverse("commitments:queues") + "?tab=tick",
        },
    )


@login_required
def checks_due(request, code):
    org = org_get_for_user_or_404(request.user, code, "view_ledger")
    campaign = services.campaign_for(org)
    today = timezone.localdate()
    rows = selectors.checks_due(org=org, campaign=campaign, today=today) if campaign else []
    page = Paginator(rows, 50).get_page(request.GET.get("page")) if campaign else None
    year, quarter = quarter_of(today)
    totals = None
    if campaign:
        totals = rows.aggregate(
            total=Count("id"),
            missing_self=Count("id", filter=Q(self_checked=False)),
            missing_inspection=Count("id", filter=Q(inspected=False)),
        )
    return render(
        request,
        "commitments/checks_due.html",
        {
            "org": org,
            "campaign": campaign,
            "page": page,
            "month": first_of_month(today),
            "year": year,
            "quarter": quarter,
            "totals": totals,
            "qs": "",
        },
    )


# --- notifications ---------------------------------------------------------------------------------------


@login_required
def notification_index(request):
    qs = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-id")
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "commitments/notifications.html", {"page": page, "unread": request.GET.get("unread", "")})


@login_required
@require_POST
def notification_read(request):
    raw = request.POST.get("id")
    services.notification_mark_read(user=request.user, notification_id=int(raw) if raw and raw.isdigit() else None)
    return redirect_back(request, reverse("commitments:notifications"))
