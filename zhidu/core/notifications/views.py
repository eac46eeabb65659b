"""/notifications/: the user's own notifications; open one (marks it read), mark all read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from zhidu.core.models import Notification

from . import mark_all_read, mark_read, unread_count

PAGE_SIZE = 30


@login_required
@require_GET
def notification_list(request):
    notifications = Notification.objects.restrict(request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        notifications = notifications.unread()
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page_obj": page, "notifications": page.object_list, "only_unread": only_unread,
        "unread": unread_count(request.user),
    })


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark the notification read and go where it points (a local path only)."""
    notification = get_object_or_404(Notification.objects.restrict(request.user), pk=pk)
    mark_read(notification=notification, actor=request.user)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(link)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    mark_all_read(actor=request.user)
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect(reverse("notifications:list"))


@login_required
@require_GET
def notification_bell(request):
    """The navbar bell alone; htmx refreshes it every minute."""
    return render(request, "notifications/_bell.html", {"unread": unread_count(request.user)})
