/* Drawn signature for the responsibility letter (AST-03): mouse, pen or touch on a <canvas>.
 * No inline script (CSP). The PNG data URL goes into the hidden input on submit; the server
 * checks it (real PNG, size limit). Also: selects marked data-reload-param reload the page with
 * the chosen value (e.g. the return form shows the chosen device's accessory checklist). */
(function () {
  "use strict";

  function setupPad(form) {
    var pad = form.querySelector("[data-signature-pad]");
    var canvas = form.querySelector("[data-signature-canvas]");
    var input = form.querySelector("[data-signature-input]");
    if (!pad || !canvas || !input) return;
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    var last = null;

    function resize() {
      // Cap the pixel ratio so the PNG stays small (the server refuses images over its limit).
      var ratio = Math.min(window.devicePixelRatio || 1, 2);
      var rect = pad.getBoundingClientRect();
      var width = Math.max(200, Math.round(rect.width));
      var height = Math.max(120, Math.round(rect.height));
      var snapshot = drawn ? canvas.toDataURL("image/png") : null;
      canvas.width = Math.min(width * ratio, 1600);
      canvas.height = Math.min(height * ratio, 800);
      canvas.style.width = width + "px";
      canvas.style.height = height + "px";
      ctx.setTransform(canvas.width / width, 0, 0, canvas.height / height, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      if (snapshot) {
        var img = new Image();
        img.onload = function () { ctx.drawImage(img, 0, 0, width, height); };
        img.src = snapshot;
      }
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      last = point(event);
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1, 0, Math.PI * 2);
      ctx.fillStyle = "#111";
      ctx.fill();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
      drawn = true;
    });
    function stop() { drawing = false; last = null; }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    var clear = form.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        ctx.save();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        ctx.restore();
        drawn = false;
        input.value = "";
        pad.classList.remove("is-invalid");
      });
    }

    form.addEventListener("submit", function (event) {
      if (!drawn) {
        event.preventDefault();
        pad.classList.add("is-invalid");
        return;
      }
      // White background: a transparent PNG prints badly on some printers.
      var copy = document.createElement("canvas");
      copy.width = canvas.width;
      copy.height = canvas.height;
      var c = copy.getContext("2d");
      c.fillStyle = "#fff";
      c.fillRect(0, 0, copy.width, copy.height);
      c.drawImage(canvas, 0, 0);
      input.value = copy.toDataURL("image/png");
    });

    window.addEventListener("resize", resize);
    resize();
  }

  function setupReload() {
    document.querySelectorAll("select[data-reload-param]").forEach(function (select) {
      select.addEventListener("change", function () {
        var url = new URL(window.location.href);
        url.searchParams.set(select.getAttribute("data-reload-param"), select.value);
        window.location.assign(url.toString());
      });
    });
  }

  function init() {
    document.querySelectorAll("form[data-sign-form]").forEach(setupPad);
    setupReload();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
