/* Stock-take counting on a phone (AST-17): decode asset QR labels with the camera and post each
 * payload to the server, which classifies it (found / misplaced / unknown; duplicates idempotent).
 *
 * Decoder: the browser's BarcodeDetector when it supports QR codes, else the vendored jsQR.
 * Manual entry (#scan-input + #scan-form submit) goes through the same `record()` path as a
 * camera decode, so a browser test can feed a payload by typing it into #scan-input.
 * No inline script (CSP): the page passes its URLs and messages in data-* attributes.
 */
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) { return; }
  var form = document.getElementById("scan-form");
  var input = document.getElementById("scan-input");
  var result = document.getElementById("scan-result");
  var list = document.getElementById("scan-lines");
  var cameraButton = document.getElementById("scan-camera");
  var video = document.getElementById("scan-video");
  var videoWrap = document.getElementById("scan-video-wrap");
  var url = root.dataset.scanUrl;
  var colors = {found: "green", misplaced: "orange", unknown: "purple"};
  var busy = false;
  var lastText = "";
  var lastAt = 0;
  var stream = null;
  var detector = null;
  var canvas = document.createElement("canvas");
  var context2d = canvas.getContext("2d", {willReadFrequently: true});

  function csrfToken() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function show(kind, text) {
    result.className = "mt-2 alert alert-" + kind;
    result.textContent = text;
  }

  function updateCounts(counts) {
    if (!counts) { return; }
    Object.keys(counts).forEach(function (key) {
      document.querySelectorAll('[data-count="' + key + '"]').forEach(function (el) { el.textContent = counts[key]; });
    });
  }

  function addLine(data) {
    var existing = list.querySelector('[data-line="' + CSS.escape(data.asset_number) + '"]');
    var item = existing || document.createElement("li");
    item.className = "list-group-item";
    item.dataset.line = data.asset_number;
    item.dataset.result = data.result;
    item.textContent = "";
    var badge = document.createElement("span");
    badge.className = "badge me-2 bg-" + (colors[data.result] || "secondary") + "-lt";
    badge.textContent = data.result_label;
    var number = document.createElement("strong");
    number.textContent = data.asset_number;
    item.appendChild(badge);
    item.appendChild(number);
    item.appendChild(document.createTextNode(" " + (data.asset_name || "")));
    if (data.found_location) {
      var place = document.createElement("span");
      place.className = "text-secondary";
      place.textContent = " @ " + data.found_location;
      item.appendChild(place);
    }
    if (data.seal_number) {
      var seal = document.createElement("span");
      seal.className = "text-secondary";
      seal.textContent = " · " + data.seal_number;
      item.appendChild(seal);
    }
    list.insertBefore(item, list.firstChild);
  }

  /* The one path for camera decodes and typed numbers. */
  function record(text) {
    text = (text || "").trim();
    if (!text || busy) { return Promise.resolve(null); }
    busy = true;
    var body = new FormData(form);
    body.set("payload", text);
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json", "X-Requested-With": "fetch"}
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    }).then(function (answer) {
      var data = answer.data;
      if (!answer.ok) {
        show("danger", root.dataset.msgError + ": " + (data.detail || ""));
        root.dispatchEvent(new CustomEvent("scan:error", {detail: data}));
        return data;
      }
      addLine(data);
      updateCounts(data.counts);
      var label = data.duplicate ? root.dataset.msgDuplicate : data.result_label;
      show(data.result === "found" ? "success" : "warning", label + ": " + data.asset_number + " " + (data.asset_name || ""));
      root.dispatchEvent(new CustomEvent("scan:recorded", {detail: data}));
      input.value = "";
      if (navigator.vibrate) { navigator.vibrate(80); }
      return data;
    }).catch(function (error) {
      show("danger", root.dataset.msgError + ": " + error);
    }).finally(function () {
      busy = false;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    record(input.value);
    input.focus();
  });

  function decodeFrame() {
    if (!stream) { return; }
    if (video.readyState >= 2 && !busy) {
      var done = null;
      if (detector) {
        done = detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        }).catch(function () { return null; });
      } else if (window.jsQR) {
        var width = video.videoWidth, height = video.videoHeight;
        if (width && height) {
          canvas.width = width;
          canvas.height = height;
          context2d.drawImage(video, 0, 0, width, height);
          var image = context2d.getImageData(0, 0, width, height);
          var code = window.jsQR(image.data, width, height, {inversionAttempts: "dontInvert"});
          done = Promise.resolve(code ? code.data : null);
        }
      }
      if (done) {
        done.then(function (text) {
          var now = Date.now();
          /* the same label held in front of the camera is posted once every 3 seconds at most */
          if (text && (text !== lastText || now - lastAt > 3000)) {
            lastText = text;
            lastAt = now;
            record(text);
          }
        });
      }
    }
    window.requestAnimationFrame(decodeFrame);
  }

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    videoWrap.hidden = true;
    cameraButton.textContent = root.dataset.msgStart;
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      show("warning", root.dataset.msgNocamera);
      return;
    }
    var setup = Promise.resolve();
    if ("BarcodeDetector" in window && !detector) {
      setup = window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") >= 0) { detector = new window.BarcodeDetector({formats: ["qr_code"]}); }
      }).catch(function () { detector = null; });
    }
    setup.then(function () {
      return navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false});
    }).then(function (media) {
      stream = media;
      video.srcObject = media;
      videoWrap.hidden = false;
      cameraButton.textContent = root.dataset.msgStop;
      return video.play();
    }).then(function () {
      window.requestAnimationFrame(decodeFrame);
    }).catch(function () {
      stopCamera();
      show("warning", root.dataset.msgNocamera);
    });
  }

  cameraButton.addEventListener("click", function () {
    if (stream) { stopCamera(); } else { startCamera(); }
  });

  /* Lines recorded by other counters of the same plan appear within 15 seconds (while visible). */
  function refresh() {
    if (document.hidden || busy || !root.dataset.pollUrl) { return; }
    fetch(root.dataset.pollUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.lines.forEach(function (line) {
          if (!list.querySelector('[data-line="' + CSS.escape(line.asset_number) + '"]')) { addLine(line); }
        });
        updateCounts(data.counts);
      }).catch(function () { /* offline for a moment: the next poll catches up */ });
  }
  window.setInterval(refresh, 15000);

  /* for tests and other scripts: window.zhiduScan("payload") records like a camera decode */
  window.zhiduScan = record;
})();
