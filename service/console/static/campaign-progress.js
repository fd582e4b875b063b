// A sending campaign's figures, fetched again every few seconds and put in place; without
// JavaScript the page's <noscript> refresh (or a reload) shows the same figures.
(function () {
  "use strict";
  var region = document.getElementById("progress");
  if (!region || !region.dataset.refresh) {
    return;
  }
  var wait = parseInt(region.dataset.refresh, 10) * 1000;
  function update() {
    fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (text) {
        var fresh = text && new DOMParser().parseFromString(text, "text/html").getElementById("progress");
        if (!fresh) {
          setTimeout(update, wait);
        } else if (fresh.dataset.status !== region.dataset.status) {
          window.location.reload(); // a new state brings other buttons, and the archive links when sent
        } else {
          region.replaceChildren.apply(region, Array.from(fresh.childNodes));
          setTimeout(update, wait);
        }
      })
      .catch(function () {
        setTimeout(update, wait);
      });
  }
  setTimeout(update, wait);
})();
