"""Two-factor pages, included at /two-factor/ by the root URL configuration."""

from django.urls import path

from web.views import two_factor as views_2fa

app_name = "two_factor"

urlpatterns = [
    path("set-up/", views_2fa.setup, name="setup"),
    path("verify/", views_2fa.verify, name="verify"),
]
