"""Django's admin app with our site (``config.admin_site``): who enters is the policy's call."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class PolicyAdminConfig(AdminConfig):
    default_site = "config.admin_site.PolicyAdminSite"
