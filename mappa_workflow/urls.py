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

handler500 = "mappa_workflow.views.server_error"
