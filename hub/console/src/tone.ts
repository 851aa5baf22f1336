// The red-alarm tone, made with WebAudio so no sound file is needed.
// Browsers keep audio silent until the person has touched the page, so the
// first click or key press (signing in counts) opens the AudioContext.

let ctx: AudioContext | null = null;
const readyListeners = new Set<() => void>();

/** Whether the tone can be heard now. */
export function audioReady(): boolean {
  return ctx?.state === 'running';
}

/** Calls `f` once audio becomes ready; returns a function that cancels that. */
export function whenAudioReady(f: () => void): () => void {
  readyListeners.add(f);
  return () => readyListeners.delete(f);
}

export function unlockAudioOnFirstGesture(): void {
  const events = ['pointerdown', 'keydown'] as const;
  // A browser without WebAudio still shows the red banner; it only stays silent.
  if (typeof AudioContext === 'undefined') return;
  const unlock = (): void => {
    ctx ??= new AudioContext();
    void ctx.resume().then(() => {
      if (!audioReady()) return;
      events.forEach((e) => window.removeEventListener(e, unlock, true));
      readyListeners.forEach((f) => f());
      readyListeners.clear();
    });
  };
  events.forEach((e) => window.addEventListener(e, unlock, true));
}

/** Two falling notes, the shape of a fire panel's sounder. */
function chime(audio: AudioContext): void {
  const t0 = audio.currentTime;
  [880, 660].forEach((hz, i) => {
    const start = t0 + i * 0.25;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'square';
    osc.frequency.value = hz;
    // Ramps, not steps: a square wave switched on hard clicks.
    gain.gain.setValueAtTime(0, start);
    gain.gain.linearRampToValueAtTime(0.15, start + 0.02);
    gain.gain.linearRampToValueAtTime(0, start + 0.22);
    osc.connect(gain).connect(audio.destination);
    osc.start(start);
    osc.stop(start + 0.25);
  });
}

/** Sounds every 1.5 s until the returned function is called. */
export function startTone(): () => void {
  const ring = (): void => {
    // Before the first gesture there is no running context: the next ring tries again.
    if (ctx && audioReady()) chime(ctx);
  };
  ring();
  const timer = window.setInterval(ring, 1500);
  return () => window.clearInterval(timer);
}
