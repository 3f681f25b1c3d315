package scenario

import "regexp"

// providerRE is the shape of a provider name: the server config's names (llm, elevenlabs,
// llm-fast) are map keys a trainer types, so keep them plain.
var providerRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// providers checks the shape of the providers block. Whether the server has the named
// providers is CheckProviders', since only the server's config knows.
func (v validator) providers() {
	p := v.s.Providers
	for _, k := range []string{"persona", "stt", "tts"} {
		if name := p.Get(k); name != "" && !providerRE.MatchString(name) {
			v.ps.at([]any{"providers", k}, "providers.%s %q: a provider name is lower-case letters, digits, - and _", k, name)
		}
	}
}

// CheckProviders asks check about each provider key the scenario sets (ProviderKeys, in
// order; check sees the whole block, as a voice depends on the tts) and returns its refusals
// as Problems at the value's line, so a scenario naming a provider the server lacks is
// reported as file:line:col. The server passes a check that knows its config; check's
// error says what to add to it.
func (s *Scenario) CheckProviders(check func(p Providers, key string) error) []Problem {
	ps := &problems{file: s.file}
	if s.src != nil {
		ps.root = s.src.root
	}
	for _, k := range ProviderKeys {
		v := s.Providers.Get(k)
		if v == "" {
			continue
		}
		if err := check(s.Providers, k); err != nil {
			ps.at([]any{"providers", k}, "providers.%s %q: %v", k, v, err)
		}
	}
	return ps.sorted()
}
