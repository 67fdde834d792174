// The desk's camera scan: frames from the camera are decoded by jsQR (vendored, no CDN); the first QR found
// fills the lookup form's token and submits it. Without a camera the typed code still works.
(function () {
  const start = document.getElementById("scan-start");
  const video = document.getElementById("scan-video");
  const canvas = document.getElementById("scan-canvas");
  const status = document.getElementById("scan-status");
  const form = document.getElementById("desk-lookup");
  if (!start || !video || !canvas || !form) return;
  const texts = {
    opening: start.dataset.opening || "Ouverture de la caméra…",
    scanning: start.dataset.scanning || "Présentez le QR code du bon à la caméra.",
    found: start.dataset.found || "QR code lu.",
    failed: start.dataset.failed || "Caméra indisponible : tapez le code.",
  };
  let stream = null;

  function stop() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
  }

  function tick() {
    if (!stream) return;
    if (video.readyState >= video.HAVE_ENOUGH_DATA && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) {
        stop();
        status.textContent = texts.found;
        form.querySelector("[name=token]").value = code.data;
        form.querySelector("[name=code]").value = "";
        form.submit();
        return;
      }
    }
    window.requestAnimationFrame(tick);
  }

  start.addEventListener("click", async () => {
    status.textContent = texts.opening;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (error) {
      status.textContent = texts.failed;
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    status.textContent = texts.scanning;
    window.requestAnimationFrame(tick);
  });
  window.addEventListener("pagehide", stop);
})();
