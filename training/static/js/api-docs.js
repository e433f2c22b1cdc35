// The API's documentation page: Swagger UI (served by Atelier, see
// static/vendor/README.md) on the description the page names. No call
// leaves Atelier: the validator badge (an outside service) is off.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
    tryItOutEnabled: false,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Calls "tried out" send the token typed under Authorize, never the
    // session cookie of the pages.
    requestInterceptor: function (request) {
      request.credentials = "omit";
      return request;
    },
  });
})();
