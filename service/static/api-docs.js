// Starts Swagger UI on the API documentation page; the page itself carries no inline script.
window.addEventListener("DOMContentLoaded", function () {
  var container = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: container.getAttribute("data-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
