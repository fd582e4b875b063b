// The media library's upload form, enhanced: each chosen file is sent on its own with a progress bar.
// Files may also be dropped onto the form. Without this script the same form posts every file at once
// and the server answers with a page.
(function () {
  "use strict";

  function uploadOne(form, file, item) {
    return new Promise(function (resolve) {
      var progress = item.querySelector("progress");
      var status = item.querySelector(".upload-status");
      var data = new FormData();
      // The token goes first: the server reads no file before it has checked the form's token.
      data.append("_csrf_token", form.elements._csrf_token.value);
      data.append("file", file, file.name);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          progress.value = Math.round((event.loaded / event.total) * 100);
        }
      });
      function finish(stored, message) {
        progress.value = 100;
        status.textContent = message;
        if (!stored) {
          status.className = "upload-status refused";
        }
        resolve(stored);
      }
      request.addEventListener("load", function () {
        var answer = null;
        try {
          answer = JSON.parse(request.responseText);
        } catch (error) {
          answer = null;
        }
        if (!answer || !answer.files || !answer.files.length) {
          finish(false, form.dataset.failed.replace("{name}", file.name));
          return;
        }
        finish(answer.files[0].stored, answer.files[0].message);
      });
      request.addEventListener("error", function () {
        finish(false, form.dataset.failed.replace("{name}", file.name));
      });
      request.send(data);
    });
  }

  function enhance(form) {
    var input = form.querySelector("input[type=file]");
    var area = document.querySelector(".upload-progress");
    var button = form.querySelector("button[type=submit]");
    var busy = false;

    function uploadAll(chosen) {
      busy = true;
      var list = document.createElement("ul");
      area.textContent = "";
      area.appendChild(list);
      var items = chosen.map(function (file, index) {
        var item = document.createElement("li");
        var label = document.createElement("label");
        var progress = document.createElement("progress");
        var status = document.createElement("span");
        progress.id = "upload-progress-" + index;
        progress.max = 100;
        progress.value = 0;
        label.htmlFor = progress.id;
        label.textContent = file.name;
        status.className = "upload-status";
        status.textContent = form.dataset.uploading;
        item.appendChild(label);
        item.appendChild(document.createElement("br"));
        item.appendChild(progress);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(status);
        list.appendChild(item);
        return item;
      });
      button.disabled = true;
      var stored = 0;
      var refused = 0;
      // One file after another: each bar moves in turn and the server is not flooded.
      chosen
        .reduce(function (previous, file, index) {
          return previous.then(function () {
            return uploadOne(form, file, items[index]).then(function (ok) {
              if (ok) {
                stored += 1;
              } else {
                refused += 1;
              }
            });
          });
        }, Promise.resolve())
        .then(function () {
          busy = false;
          button.disabled = false;
          input.value = "";
          if (refused === 0) {
            window.location.assign("/console/media/?uploaded=" + stored);
            return;
          }
          var link = document.createElement("a");
          link.href = "/console/media/";
          link.textContent = form.dataset.reload;
          area.appendChild(link);
          link.focus();
        });
    }

    form.addEventListener("submit", function (event) {
      if (!input.files || !input.files.length) {
        return; // the server's page says that a file is needed
      }
      event.preventDefault();
      if (!busy) {
        uploadAll(Array.prototype.slice.call(input.files));
      }
    });

    // Files dragged from the desktop onto the form are uploaded the same way.
    form.addEventListener("dragover", function (event) {
      event.preventDefault();
      form.classList.add("dragging");
    });
    form.addEventListener("dragleave", function () {
      form.classList.remove("dragging");
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      form.classList.remove("dragging");
      var dropped = event.dataTransfer && event.dataTransfer.files;
      if (dropped && dropped.length && !busy) {
        uploadAll(Array.prototype.slice.call(dropped));
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.upload");
    if (form) {
      enhance(form);
    }
  });
})();
