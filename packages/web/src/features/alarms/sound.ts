import { useSyncExternalStore } from 'react';

/**
 * The horn for new critical alarms: a WebAudio beep, no sound file. Browsers keep audio
 * suspended until the user interacts with the page, so the context is resumed on the first
 * click or key press; a beep due before that marks the sound as blocked, and the UI asks for a click.
 */

const MUTE_KEY = 'aegis.alarmSound.muted';

interface SoundState {
  muted: boolean;
  /** A beep was due but the browser had not allowed audio yet. */
  blocked: boolean;
}

let state: SoundState = { muted: readMuted(), blocked: false };
let ctx: AudioContext | null = null;
const listeners = new Set<() => void>();

function readMuted(): boolean {
  try {
    return localStorage.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}

function set(next: Partial<SoundState>) {
  state = { ...state, ...next };
  for (const fn of listeners) fn();
}

/** Creates or resumes the audio context; only works from inside a user gesture. */
export function unlockSound() {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume().then(() => set({ blocked: false }));
    else if (state.blocked) set({ blocked: false });
  } catch {
    // no WebAudio (old browser): stay silent
  }
}

if (typeof window !== 'undefined') {
  const onGesture = () => {
    unlockSound();
    if (ctx?.state === 'running') {
      window.removeEventListener('pointerdown', onGesture);
      window.removeEventListener('keydown', onGesture);
    }
  };
  window.addEventListener('pointerdown', onGesture);
  window.addEventListener('keydown', onGesture);
}

export function setMuted(muted: boolean) {
  try {
    localStorage.setItem(MUTE_KEY, muted ? '1' : '0');
  } catch {
    // private mode: the choice lasts for this page only
  }
  set({ muted, blocked: muted ? false : state.blocked });
}

/** Two short high/low tones, twice: distinct from a notification chime. */
export function beep() {
  if (state.muted) return;
  const audio = ctx;
  if (audio?.state !== 'running') {
    set({ blocked: true });
    return;
  }
  const start = audio.currentTime + 0.01;
  const tones = [880, 660, 880, 660];
  tones.forEach((freq, i) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'square';
    osc.frequency.value = freq;
    const t0 = start + i * 0.18;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.15, t0 + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.16);
    osc.connect(gain).connect(audio.destination);
    osc.start(t0);
    osc.stop(t0 + 0.17);
  });
}

export function useSound(): SoundState {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },
    () => state,
  );
}
