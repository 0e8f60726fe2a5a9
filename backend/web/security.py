"""A Content-Security-Policy for the staff pages: only this site's own scripts and styles.

The admin and the API docs keep Django's and drf-spectacular's defaults (they use inline
scripts); every page of ``backend.web`` sends the strict policy below."""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
EXEMPT_PREFIXES = ("/admin/", "/api/")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not request.path.startswith(EXEMPT_PREFIXES):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
