from .permissions import Role, grants_of, has_any_role, own_member


def navigation(request):
    """What the navigation bar offers this person, from his roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    grants = grants_of(user)
    member = own_member(user)
    return {
        "nav": {
            "roles": sorted({g.role.label for g in grants}),
            "member": member,
            "can_manage": user.is_superuser or bool(grants),
            "is_committee": user.is_superuser or has_any_role(user, {Role.COMMITTEE}),
            "can_grant": user.is_superuser or has_any_role(user, {Role.SECRETARY, Role.COMMITTEE}),
            "is_admin": user.is_staff,
            "unread": user.notifications.filter(read_at__isnull=True).count(),
            "org_code": _first_org_code(grants),
        }
    }


def _first_org_code(grants) -> str:
    from .models import Organization

    if not grants:
        return ""
    return Organization.objects.filter(pk=grants[0].organization_id).values_list("code", flat=True).first() or ""
