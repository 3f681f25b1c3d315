package sphinx

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// fakeDecoder hears one word per 100 ms of audio: its hypothesis is "w1 w2 ...".
type fakeDecoder struct {
	samples int
	inUtt   bool
	grammar string
	block   chan struct{} // when set, process waits on it
	log     *[]string
	mu      *sync.Mutex
	// lastPost and lastDur are the last word's posterior and length (lastWord); none when
	// lastDur is 0.
	lastPost float64
	lastDur  time.Duration
}

func (d *fakeDecoder) record(s string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	*d.log = append(*d.log, s)
}

// use fails, as the real one does, for a search none of whose words is in the dictionary.
func (d *fakeDecoder) use(g *grammar) error {
	d.grammar = ""
	if g == nil {
		return nil
	}
	if len(g.sentences(d.inDict)) == 0 {
		return fmt.Errorf("no phrase word is in the dictionary")
	}
	d.grammar = g.key
	return nil
}
func (d *fakeDecoder) inDict(w string) bool { return !strings.HasPrefix(w, "zz") }
func (d *fakeDecoder) start() error {
	if d.inUtt {
		return fmt.Errorf("start inside an utterance")
	}
	d.inUtt, d.samples = true, 0
	d.record("start")
	return nil
}
func (d *fakeDecoder) process(p []int16) error {
	if !d.inUtt {
		return fmt.Errorf("process outside an utterance")
	}
	if d.block != nil {
		<-d.block
	}
	d.samples += len(p)
	return nil
}
func (d *fakeDecoder) hyp() string {
	var w []string
	for i := 1; i <= d.samples/1600; i++ {
		w = append(w, fmt.Sprintf("w%d", i))
	}
	return strings.Join(w, " ")
}
func (d *fakeDecoder) end() (string, error) {
	if !d.inUtt {
		return "", fmt.Errorf("end outside an utterance")
	}
	d.inUtt = false
	d.record("end")
	return d.hyp(), nil
}

// confidence is 0.5 for any utterance heard.
func (d *fakeDecoder) confidence() float64 { return 0.5 }
func (d *fakeDecoder) lastWord() (float64, time.Duration, bool) {
	return d.lastPost, d.lastDur, d.lastDur > 0
}

func (d *fakeDecoder) free() { d.record("free") }

// fakes builds fake decoders and counts them.
type fakes struct {
	mu      sync.Mutex
	created int
	log     []string
	block   chan struct{}
	// lastPost and lastDur are each decoder's last word (fakeDecoder.lastWord).
	lastPost float64
	lastDur  time.Duration
}

func (f *fakes) new(band) (decoder, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created++
	return &fakeDecoder{log: &f.log, mu: &f.mu, block: f.block, lastPost: f.lastPost, lastDur: f.lastDur}, nil
}

func (f *fakes) events() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.log, " ")
}
