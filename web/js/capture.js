// Live capture for the affect opt-in: one camera frame as a JPEG, and a short voice clip as a
// 16 kHz mono 16-bit WAV. The API reads WAV/FLAC/OGG with soundfile, and MediaRecorder gives
// webm/opus (Chromium) or mp4 (Safari), so the clip is decoded by the browser's own audio
// stack and re-encoded as PCM here; nothing is stored in the browser.

const VOICE_RATE = 16000;  // what the server resamples to anyway: a smaller upload

export const canCapture = () => Boolean(navigator.mediaDevices?.getUserMedia);
export const canRecord = () => canCapture() && "MediaRecorder" in window
  && "OfflineAudioContext" in window;

export function stopStream(stream) {
  stream?.getTracks().forEach((t) => t.stop());
}

// Resolve once the video element shows a frame (its size is known and it is playing).
export async function playing(video) {
  await video.play();
  if (video.videoWidth) return;
  await new Promise((resolve) => video.addEventListener("resize", resolve, { once: true }));
}

// The frame the video element shows now, as a JPEG blob.
export function grabFrame(video, quality = 0.9) {
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob(
    (blob) => (blob ? resolve(blob) : reject(new Error("the frame could not be encoded"))),
    "image/jpeg", quality));
}

// Record `ms` of the microphone and return it as a WAV blob; the microphone is released after.
export async function recordVoice(ms) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  try {
    const recorder = new MediaRecorder(stream);
    const chunks = [];
    recorder.addEventListener("dataavailable", (e) => chunks.push(e.data));
    const stopped = new Promise((resolve, reject) => {
      recorder.addEventListener("stop", resolve, { once: true });
      recorder.addEventListener("error", (e) => reject(e.error), { once: true });
    });
    recorder.start();
    await new Promise((resolve) => setTimeout(resolve, ms));  // the clip's length, not a wait
    recorder.stop();
    await stopped;
    const encoded = await new Blob(chunks, { type: recorder.mimeType }).arrayBuffer();
    return wav(await toMono16k(encoded), VOICE_RATE);
  } finally {
    stopStream(stream);
  }
}

// Decode any clip the browser can play, mixed down to mono and resampled to 16 kHz.
async function toMono16k(encoded) {
  const probe = new OfflineAudioContext(1, 1, VOICE_RATE);
  const decoded = await probe.decodeAudioData(encoded);
  const frames = Math.max(1, Math.ceil(decoded.duration * VOICE_RATE));
  const ctx = new OfflineAudioContext(1, frames, VOICE_RATE);
  const source = ctx.createBufferSource();
  source.buffer = decoded;
  source.connect(ctx.destination);  // a mono destination down-mixes the channels
  source.start();
  return (await ctx.startRendering()).getChannelData(0);
}

// A RIFF/WAVE file of 16-bit PCM samples.
export function wav(samples, rate) {
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const text = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);  // size of the fmt chunk
  view.setUint16(20, 1, true);  // PCM
  view.setUint16(22, 1, true);  // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);  // bytes per second
  view.setUint16(32, 2, true);  // bytes per frame
  view.setUint16(34, 16, true);  // bits per sample
  text(36, "data");
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => {
    const x = Math.max(-1, Math.min(1, s));
    view.setInt16(44 + i * 2, x < 0 ? x * 0x8000 : x * 0x7fff, true);
  });
  return new Blob([view], { type: "audio/wav" });
}
