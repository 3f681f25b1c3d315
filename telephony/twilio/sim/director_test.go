package sim

import (
	"reflect"
	"testing"
	"time"

	"github.com/sparlab/spar/media"
)

// TestDirector plays a script against a modelled persona in media time, frame by frame, and
// checks exactly when each step acts.
func TestDirector(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	sc := Script{
		quick(Step{Say: "a"}),
		quick(Step{Say: "b", Barge: ms(300)}),
		quick(Step{Wait: time.Second}),
		quick(Step{Hangup: true}),
	}
	clips := [][]byte{make([]byte, 10*frameBytes), make([]byte, 5*frameBytes), nil, nil}
	for _, c := range clips {
		for i := range c {
			c[i] = 0x10 // loud
		}
	}
	d := director[byte]{silence: mulawSilence, steps: sc, clips: clips, greetTimeout: time.Second, replyTimeout: 3 * time.Second}
	var h heard
	// The persona greets at 200 ms for 600 ms, and answers each line 400 ms after it ends, for 1 s.
	type span struct{ from, to time.Duration }
	talk := []span{{ms(200), ms(800)}}
	loud, quiet := make([]int16, frameBytes), make([]int16, frameBytes)
	for i := range loud {
		loud[i] = 8000
	}
	dst := make([]byte, frameBytes)
	var hangAt time.Duration
	sent := map[time.Duration]bool{}
	for k := range 500 {
		now := time.Duration(k) * media.FrameDuration
		pcm := quiet
		for _, s := range talk {
			if now >= s.from && now < s.to {
				pcm = loud
			}
		}
		h.frame(now, pcm)
		turns := len(d.turns)
		_, hang := d.frame(now, &h, dst)
		if hang {
			hangAt = now
			break
		}
		sent[now] = dst[0] != mulawSilence
		if len(d.turns) == turns && turns > 0 {
			if last := d.turns[turns-1]; last.End == now+media.FrameDuration && last.Kind == "say" {
				talk = append(talk, span{last.End + ms(400), last.End + ms(1400)})
			}
		}
	}
	want := []Turn{
		{Step: 0, Kind: "say", Text: "a", Start: ms(960), End: ms(1160)},                // greeting over at 800, gap 100, pause 60
		{Step: 1, Kind: "say", Text: "b", Start: ms(1860), End: ms(1960), Barged: true}, // reply starts at 1560, +300
		{Step: 2, Kind: "wait", Text: "1s", Start: ms(3520), End: ms(4520)},             // replies end at 3360, gap, pause
	}
	if !reflect.DeepEqual(d.turns, want) {
		t.Errorf("turns:\n got %+v\nwant %+v", d.turns, want)
	}
	if hangAt != ms(4580) {
		t.Errorf("hung up at %s, want 4.58s", hangAt)
	}
	if !sent[ms(960)] || !sent[ms(1140)] || sent[ms(1160)] || sent[ms(940)] {
		t.Error("line a not sent exactly over its turn")
	}
	if len(h.segs) != 2 || h.segs[1] != (Segment{Start: ms(1560), End: ms(3360)}) {
		t.Errorf("heard %+v", h.segs)
	}
}

// TestDirectorTimeouts checks the bounded waits: a persona that never greets, and one that
// never stops talking.
func TestDirectorTimeouts(t *testing.T) {
	tests := []struct {
		name    string
		talking bool
		want    time.Duration // when the hangup step fires
	}{
		{name: "silent persona", want: 200*time.Millisecond + 60*time.Millisecond}, // greet timeout, then the pause
		{name: "endless persona", talking: true, want: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := director[byte]{silence: mulawSilence, steps: Script{quick(Step{Hangup: true})}, clips: make([][]byte, 1),
				greetTimeout: 200 * time.Millisecond, replyTimeout: time.Second}
			var h heard
			pcm := make([]int16, frameBytes)
			if tt.talking {
				for i := range pcm {
					pcm[i] = 8000
				}
			}
			dst := make([]byte, frameBytes)
			for k := range 1000 {
				now := time.Duration(k) * media.FrameDuration
				h.frame(now, pcm)
				if _, hang := d.frame(now, &h, dst); hang {
					if now != tt.want {
						t.Errorf("hung up at %s, want %s", now, tt.want)
					}
					return
				}
			}
			t.Fatal("never hung up")
		})
	}
}
