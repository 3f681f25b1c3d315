package sim

// playout is Twilio's side of outbound audio: media is queued and played in order at 8 kHz,
// one frame per tick; a mark is echoed once all audio queued before it has finished playing;
// clear drops the queue and echoes every pending mark at once.
//
// Positions count bytes (= samples) ever queued, so a mark remembers where it sits.
type playout struct {
	buf    []byte // buf[head:] is queued and not yet played
	head   int
	queued int64 // bytes ever queued
	played int64 // bytes taken for playing (or dropped by clear)
	done   int64 // bytes whose playing has finished: played as of the previous tick
	marks  []pendingMark
	mhead  int
}

type pendingMark struct {
	name string
	at   int64
}

// write queues audio.
func (p *playout) write(b []byte) {
	if p.head > 0 && p.head >= len(p.buf)/2 {
		n := copy(p.buf, p.buf[p.head:])
		p.buf, p.head = p.buf[:n], 0
	}
	p.buf = append(p.buf, b...)
	p.queued += int64(len(b))
}

// mark records a mark after the audio queued so far. It reports true when nothing queued is
// still unplayed, so the mark is echoed at once.
func (p *playout) mark(name string) bool {
	if p.queued <= p.done {
		return true
	}
	if p.mhead > 0 && p.mhead == len(p.marks) {
		p.marks, p.mhead = p.marks[:0], 0
	}
	p.marks = append(p.marks, pendingMark{name: name, at: p.queued})
	return false
}

// tick finishes the previous frame, calling echo for each mark its audio reached, then takes
// up to len(dst) bytes for the next frame into dst and returns how many it took.
func (p *playout) tick(dst []byte, echo func(name string)) int {
	p.done = p.played
	for p.mhead < len(p.marks) && p.marks[p.mhead].at <= p.done {
		echo(p.marks[p.mhead].name)
		p.marks[p.mhead] = pendingMark{}
		p.mhead++
	}
	n := copy(dst, p.buf[p.head:])
	p.head += n
	p.played += int64(n)
	return n
}

// clear drops queued audio and echoes every pending mark. It returns how many bytes it dropped.
func (p *playout) clear(echo func(name string)) int {
	dropped := len(p.buf) - p.head
	p.buf, p.head = p.buf[:0], 0
	p.played, p.done = p.queued, p.queued
	for p.mhead < len(p.marks) {
		echo(p.marks[p.mhead].name)
		p.marks[p.mhead] = pendingMark{}
		p.mhead++
	}
	return dropped
}

// pending returns how many bytes are queued and not yet played.
func (p *playout) pending() int { return len(p.buf) - p.head }
