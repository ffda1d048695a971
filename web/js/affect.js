// The camera and microphone opt-in: a plain consent text, then a photo from the camera, a
// 3-second voice clip, or a file upload where no camera or microphone exists. The API analyses
// the media in memory and answers with the tag(s) it read and how kgtutor reacts.

import { api, enc, session } from "./api.js";
import { canCapture, canRecord, grabFrame, playing, recordVoice, stopStream } from "./capture.js";
import { h, list, pct, problemBox } from "./ui.js";

const VOICE_MS = 3000;
const CONSENT_TEXT = "If you agree, kgtutor can look at a photo of your face or listen to a "
  + "short voice clip to guess how you feel, so it can suggest a break or easier tasks. The "
  + "photo or clip is analysed in memory and thrown away; only the guess (like \"tired\") is "
  + "kept. Nothing is recorded until you press a button, and you can switch this off at any time.";

let camera = null;  // the live camera stream, at most one per tab

export function stopCamera() {
  stopStream(camera);
  camera = null;
}

window.addEventListener("hashchange", stopCamera);  // leaving the page turns the camera off

const me = () => enc(session().student_id);

export function consentBox() {
  stopCamera();  // a re-rendered page replaces the box that owned the preview
  const result = h("div", { id: "affect-result", role: "status", "aria-live": "polite" });
  const consent = h("input", { type: "checkbox", id: "consent", disabled: true });
  const capture = h("div", { class: "capture", hidden: true },
    canCapture() ? cameraControls(result) : null,
    canRecord() ? voiceControls(result) : null,
    canCapture() ? null : h("p", { class: "muted" }, "This browser cannot use a camera or "
      + "microphone here: send a photo or a voice clip (WAV, FLAC or OGG) instead."),
    uploadControls(result));
  const setOn = (on) => {
    consent.checked = on;
    capture.hidden = !on;
    if (!on) stopCamera();
  };
  consent.addEventListener("change", async () => {
    const on = consent.checked;
    try {
      await api(`/students/${me()}/affect/consent`, { method: "PUT", body: { consent: on } });
      setOn(on);
      result.textContent = on ? "Thank you: camera and microphone input is on."
        : "Off: nothing from your camera or microphone is used.";
    } catch (err) {
      setOn(!on);
      result.replaceChildren(problemBox(err));
    }
  });
  api(`/students/${me()}`).then((p) => setOn(p.affect_consent))
    .catch((err) => result.replaceChildren(problemBox(err)))
    .finally(() => { consent.disabled = false; });
  return h("details", { class: "card", id: "affect-optin" },
    h("summary", {}, "Camera or microphone (optional)"), h("p", {}, CONSENT_TEXT),
    h("label", { class: "option" }, consent, " I agree to camera and microphone input"),
    capture, result);
}

function cameraControls(result) {
  const video = h("video", { class: "preview", muted: true, playsinline: true, hidden: true,
    "aria-label": "Camera preview" });
  video.muted = true;
  const take = h("button", { type: "button", id: "take-photo", disabled: true }, "Take a photo");
  const toggle = h("button", { type: "button", class: "secondary", id: "camera" },
    "Turn the camera on");
  const off = () => {
    stopCamera();
    video.srcObject = null;
    video.hidden = take.disabled = true;
    toggle.textContent = "Turn the camera on";
  };
  toggle.addEventListener("click", async () => {
    if (camera) return off();
    try {
      camera = await navigator.mediaDevices.getUserMedia({ video: true });
      video.srcObject = camera;
      video.hidden = false;
      toggle.textContent = "Turn the camera off";
      await playing(video);
      take.disabled = false;
      take.focus();
    } catch (err) {
      off();
      result.replaceChildren(problemBox(`The camera could not be opened (${err.message}).`));
    }
  });
  take.addEventListener("click", async () => {
    take.disabled = true;
    const frame = await grabFrame(video);
    off();  // one frame is all it needs
    await send(result, "image", frame, "photo.jpg", "Photo taken; reading it…");
  });
  return h("div", { class: "camera" }, h("div", { class: "row" }, toggle, take), video);
}

function voiceControls(result) {
  const record = h("button", { type: "button", id: "record-voice" }, "Record 3 s of voice");
  record.addEventListener("click", async () => {
    record.disabled = true;
    result.textContent = "Recording… say a sentence about the task.";
    try {
      const clip = await recordVoice(VOICE_MS);
      await send(result, "audio", clip, "voice.wav", "Recorded; listening to it…");
    } catch (err) {
      result.replaceChildren(problemBox(`The microphone could not be used (${err.message}).`));
    } finally {
      record.disabled = false;
    }
  });
  return h("div", { class: "row" }, record);
}

function uploadControls(result) {
  const file = h("input", { type: "file", id: "media",
    accept: "image/png,image/jpeg,audio/wav,audio/x-wav,audio/flac,audio/ogg" });
  const upload = h("button", { type: "button", class: "secondary", onclick: async () => {
    const f = file.files[0];
    if (!f) {
      result.replaceChildren(problemBox("Choose a photo or a voice clip first."));
      return;
    }
    await send(result, f.type.startsWith("audio") ? "audio" : "image", f, f.name, "Sending…");
  } }, "Send the file");
  return h("div", { class: "upload" }, h("label", { for: "media" }, "Or send a photo or voice "
    + "clip from a file"), h("div", { class: "row" }, file, upload));
}

async function send(result, part, blob, name, busy) {
  result.textContent = busy;
  const form = new FormData();
  form.append(part, blob, name);
  try {
    shown(result, await api(`/students/${me()}/affect/media`, { method: "POST", form }));
  } catch (err) {
    result.replaceChildren(problemBox(err));
  }
}

// What the server read and how kgtutor reacts, in words.
function shown(result, r) {
  const source = { face: "Your photo", voice: "Your voice" };
  result.replaceChildren(h("div", { class: "reading" },
    r.readings.map((x) => h("p", {}, `${source[x.source] || x.source} reads as `,
      h("strong", { class: "tag" }, x.tag), ` (confidence ${pct(x.confidence)}).`)),
    r.notes.map((n) => h("p", { class: "note" }, `Note: ${n}.`)),
    h("p", {}, `How you seem overall (last 15 minutes): `, h("strong", {}, r.state.tag), "."),
    r.reaction.rest ? h("p", { class: "rest" }, h("strong", {}, "Time for a break. "),
      r.reaction.rest) : null,
    r.reaction.actions.length ? [h("p", {}, "What kgtutor does about it:"),
      list(r.reaction.actions, (a) => a.text)] : null));
}
