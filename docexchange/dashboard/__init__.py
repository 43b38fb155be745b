"""The operators' web dashboard at /dashboard/ (server-rendered HTML, Vietnamese and English).

`docexchange.dashboard.urls.create_dashboard_app()` builds the sub-application; this package
file stays empty so that `appkeys` can import the session types without a cycle.
"""
