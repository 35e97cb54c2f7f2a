from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("two-factor/", include("mappa_workflow.urls_2fa")),
    path("api/v1/", include("api.urls")),
    path("statistics/", include("reporting.urls")),
    path("meetings/", include("meetings.urls")),
    path("", include("web.urls")),
    path("", include("mappa_workflow.web_urls")),
]

# Django's own error answers: the API's JSON problem body under /api/, the service's pages elsewhere
# (a database that went away is a 503 in both).
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
