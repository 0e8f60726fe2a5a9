/* Small progressive enhancements; every page works without JavaScript.
   - htmx sends Django's CSRF token with its requests (read from the page's cookie-less
     hidden input, so CSRF_COOKIE_HTTPONLY can stay on).
   - Forms marked data-confirm ask before posting. */
document.addEventListener("DOMContentLoaded", function () {
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
  });
  document.body.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  document.querySelectorAll("[data-autosubmit]").forEach(function (element) {
    element.addEventListener("change", function () { element.form.requestSubmit(); });
  });
});
