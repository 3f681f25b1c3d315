package webtest

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/sparlab/spar/media"
)

// fakeMicJS replaces navigator.mediaDevices.getUserMedia for audio in every page: it still
// asks Firefox for its (fake) microphone, so the permission path runs, then answers with a
// track that plays the WAV (base64) once, from the call on, and silence after it. This is
// what Chromium's --use-file-for-fake-audio-capture=...%noloop does; Firefox's own fake
// microphone only plays a tone. The WAV travels inside the script because the page's
// Content-Security-Policy (connect-src 'self') would refuse to fetch it from elsewhere.
const fakeMicJS = `(wav64) => {
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) return;
  const real = md.getUserMedia.bind(md);
  md.getUserMedia = async (c) => {
    if (!c || !c.audio) return real(c);
    const dev = await real({ audio: true });
    dev.getTracks().forEach((t) => t.stop());
    const ctx = new AudioContext();
    await ctx.resume();
    const wav = Uint8Array.from(atob(wav64), (ch) => ch.charCodeAt(0));
    const src = ctx.createBufferSource();
    src.buffer = await ctx.decodeAudioData(wav.buffer);
    const dst = ctx.createMediaStreamDestination();
    dst.channelCount = 1;
    src.connect(dst);
    src.start();
    return dst.stream;
  };
}`

// fakeMicScript returns the preload function that feeds the WAV file at path to getUserMedia.
func fakeMicScript(t testing.TB, path string) string {
	t.Helper()
	wav, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("fake microphone: %v", err)
	}
	return "() => (" + fakeMicJS + ")('" + base64.StdEncoding.EncodeToString(wav) + "')"
}

// MicWAV writes pcm, 16 kHz mono, to a WAV file in the test's temporary directory and returns
// its path, for Options.FakeMic.
func MicWAV(t testing.TB, pcm []int16) string {
	t.Helper()
	wav, err := media.EncodeWAV(pcm, media.Rate16k, 1)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mic.wav")
	if err := os.WriteFile(path, wav, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
