from django.contrib import admin
from django.urls import include, path

from web.views import auth, health, home

urlpatterns = [
    path("admin/", admin.site.urls),
    path("two-factor/", include("web.urls_two_factor")),
    path("api/v1/", include("api.urls")),
    path("", include("web.urls")),
    # Project-wide names: the start page ("home"), sign-in ("login", as settings.LOGIN_URL names it),
    # sign-out and the health check. Every other page is in web.urls under the "web" namespace.
    path("", home.home, name="home"),
    path("sign-in/", auth.SignInView.as_view(), name="login"),
    path("sign-out/", auth.SignOutView.as_view(), name="logout"),
    path("healthz", health.healthz, name="healthz"),
]

# Django's own error answers: the API's JSON problem body under /api/, the service's pages elsewhere
# (a database that went away is a 503 in both).
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
