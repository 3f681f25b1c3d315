package dialog

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// firstByteTTS models a network synthesizer (OpenAI, ElevenLabs): its first audio comes
// firstByte after the request, then the sentence streams faster than it plays. Each sentence
// is one second of a constant sample, the sentence's text read as a number ("1", "2", ...).
type firstByteTTS struct{ firstByte time.Duration }

func (s firstByteTTS) Synthesize(ctx context.Context, text, voice string, w media.Writer) error {
	t := time.NewTimer(s.firstByte)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	mark, _ := strconv.Atoi(text)
	chunk := make([]int16, media.Samples(rate, media.FrameDuration))
	for i := range chunk {
		chunk[i] = int16(mark)
	}
	for range 50 {
		if err := w.WriteSample(chunk); err != nil {
			return err
		}
	}
	return nil
}

// gapLine is a line whose far end plays frames the moment they arrive (as WebRTC does),
// noting when each arrived and its first sample. With sendAhead set it is a phone line
// instead: the engine sends that much ahead (SendAhead, as Twilio's sink asks) and the far
// end queues what it is sent and plays it back to back, as Twilio does.
type gapLine struct {
	sendAhead time.Duration
	mu        sync.Mutex
	at        []time.Time
	mark      []int16
}

// phoneLine is what Twilio's sink tells the engine: send this much ahead.
type phoneLine struct{ *gapLine }

func (l phoneLine) SendAhead() time.Duration { return l.sendAhead }

func (l *gapLine) Listen(telephony.Listener) {}
func (l *gapLine) Clear() error              { return nil }
func (l *gapLine) Hangup(error)              {}

func (l *gapLine) WriteSample(p []int16) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.at = append(l.at, time.Now())
	l.mark = append(l.mark, p[0])
	return nil
}

func (l *gapLine) Played() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Duration(len(l.at)) * media.FrameDuration
}

// gaps returns the silence the far end hears between consecutive sentences: from the end of
// one's last frame to the start of the next one's first. A frame starts playing when it
// arrives, or, on a phone line, when the frame queued before it has played, if later.
func (l *gapLine) gaps() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []time.Duration
	var end time.Time // when the previous frame finished playing
	for i, at := range l.at {
		start := at
		if l.sendAhead > 0 && i > 0 && end.After(at) {
			start = end
		}
		if i > 0 && l.mark[i] != l.mark[i-1] {
			out = append(out, max(0, start.Sub(end)))
		}
		end = start.Add(media.FrameDuration)
	}
	return out
}

// BenchmarkSentenceGap measures, in real time, the silence the far end hears between the
// sentences of one reply (three sentences of 1 s) when the synthesizer's first byte takes
// first_byte: reported as the mean and the largest gap over all sentence boundaries, on a
// browser line (frames play as they arrive) and a phone line (Twilio's 300 ms send-ahead,
// queued and played back to back).
func BenchmarkSentenceGap(b *testing.B) {
	for _, line := range []struct {
		name      string
		sendAhead time.Duration
	}{{"browser", 0}, {"phone", 300 * time.Millisecond}} {
		for _, fb := range []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 600 * time.Millisecond} {
			b.Run("line="+line.name+"/first_byte="+fb.String(), func(b *testing.B) {
				var sum, worst time.Duration
				n := 0
				for b.Loop() {
					for _, g := range speakGaps(b, firstByteTTS{fb}, line.sendAhead, "1", "2", "3") {
						sum += g
						worst = max(worst, g)
						n++
					}
				}
				if n > 0 {
					b.ReportMetric(float64(sum.Microseconds())/float64(n)/1000, "gap-ms")
					b.ReportMetric(float64(worst.Microseconds())/1000, "max-gap-ms")
				}
			})
		}
	}
}

// speakGaps plays a greeting of sentences through a turn and the playout, in real time, and
// returns the gaps between its sentences at the line.
func speakGaps(b *testing.B, tts Synthesizer, sendAhead time.Duration, sentences ...string) []time.Duration {
	eng, err := New(DefaultConfig(), &fakeSTT{}, tts)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	stream, _ := eng.stt.Stream(ctx, STTOptions{})
	line := &gapLine{sendAhead: sendAhead}
	var l Line = line
	if sendAhead > 0 {
		l = phoneLine{line}
	}
	c := newConv(ctx, eng, l, Session{Persona: &scriptPersona{greeting: sentences}, Voice: "v", Turns: testTurns(), Timeline: &events{}}, stream)
	played := make(chan struct{})
	go func() { defer close(played); _ = c.play.Run(ctx, media.WriterFunc(c.sendFrame)) }()
	c.startTurn(Input{Kind: InputAnswer}, false, time.Time{}, time.Time{}, 0)
	<-c.turnDone
	cancel()
	<-played
	if got := len(line.gaps()); got != len(sentences)-1 {
		b.Fatalf("%d sentence boundaries at the line, want %d", got, len(sentences)-1)
	}
	return line.gaps()
}
