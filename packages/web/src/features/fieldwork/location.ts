/** Where the phone is, for a checkpoint with coordinates; null when denied, unavailable or too slow. */
export interface Position {
  lat: number;
  lng: number;
  accuracyM: number;
}

export function locate(timeoutMs = 8000): Promise<Position | null> {
  if (!('geolocation' in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    // some browsers never call back when the user ignores the prompt
    const timer = setTimeout(() => resolve(null), timeoutMs + 500);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        clearTimeout(timer);
        resolve({
          lat: p.coords.latitude,
          lng: p.coords.longitude,
          accuracyM: Math.round(p.coords.accuracy),
        });
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    );
  });
}

/** The checkpoint a label's token names: AEGIS-CP1.<checkpointId>.<tokenVersion>.<signature>. */
export function tokenCheckpointId(token: string): number | null {
  const m = /^AEGIS-CP1\.(\d+)\.(\d+)\.[A-Za-z0-9_-]+$/.exec(token.trim());
  return m ? Number(m[1]) : null;
}
