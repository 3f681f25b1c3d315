package persona

import "github.com/sparlab/spar/dialog/scenario"

// pick chooses a variant from list with the call's seeded generator: one not yet said from
// this list if any is left, and never the one said last, so the persona does not repeat
// what it already told the learner.
func (p *Scripted) pick(key string, list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	said := p.said[key]
	last, hasLast := p.last[key]
	var fresh, other []int
	for i := range list {
		switch {
		case said&(1<<i) == 0:
			fresh = append(fresh, i)
		case !hasLast || i != last:
			other = append(other, i)
		}
	}
	if len(fresh) == 0 {
		fresh = other
	}
	i := fresh[p.rng.IntN(len(fresh))]
	p.last[key] = i
	if i < 64 {
		p.said[key] = said | 1<<i
	}
	return list[i]
}

// stageLine picks the current stage's line for the current mood band, falling back to the
// nearest band that has lines (calmer first) when the scenario skipped one.
func (p *Scripted) stageLine() string {
	name := p.stageName()
	byBand := p.sc.Lines.Stages[name]
	bands := p.sc.Mood.Bands
	at := 0
	cur := p.sc.Mood.BandOf(p.moodInt())
	for i, b := range bands {
		if b.Name == cur {
			at = i
		}
	}
	for d := 0; d < len(bands); d++ {
		for _, i := range []int{at - d, at + d} {
			if i >= 0 && i < len(bands) && len(byBand[bands[i].Name]) > 0 {
				return p.pick("stage/"+name+"/"+bands[i].Name, byBand[bands[i].Name])
			}
		}
	}
	return p.pick("stage/"+name+"/"+scenario.EnterKey, byBand[scenario.EnterKey])
}
