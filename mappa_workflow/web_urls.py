"""Page URLs with project-wide names: the start page ("home"), sign-in ("login", as settings.LOGIN_URL
names it), sign-out and the health check. Every other page is in web.urls under the "web" namespace."""

from django.urls import path

from web.views import auth, home

from . import views

urlpatterns = [
    path("", home.home, name="home"),
    path("sign-in/", auth.SignInView.as_view(), name="login"),
    path("sign-out/", auth.SignOutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
]
