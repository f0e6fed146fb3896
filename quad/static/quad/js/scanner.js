// The check-in scanner: the camera through the browser's BarcodeDetector where it exists,
// the typed code otherwise. Each detected code submits the same form a person would.
(() => {
  const root = document.querySelector("[data-scanner]");
  if (!root) return;
  const form = root.querySelector("[data-scan-form]");
  const input = form.querySelector("input[name=code]");
  const startButton = root.querySelector("[data-start-camera]");
  const cameraBox = root.querySelector("[data-camera]");
  const video = root.querySelector("[data-video]");
  let lastCode = "";
  let lastAt = 0;

  form.addEventListener("htmx:afterRequest", () => {
    input.value = "";
    input.focus();
  });

  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  startButton.hidden = false;
  startButton.addEventListener("click", async () => {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    await video.play();
    cameraBox.hidden = false;
    startButton.hidden = true;
    const tick = async () => {
      try {
        const codes = await detector.detect(video);
        const now = Date.now();
        // The same code held in front of the camera is one scan, not one every frame.
        if (codes.length && (codes[0].rawValue !== lastCode || now - lastAt > 3000)) {
          lastCode = codes[0].rawValue;
          lastAt = now;
          input.value = lastCode;
          form.requestSubmit();
        }
      } catch (error) {
        console.warn("Scan failed", error);
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
})();
