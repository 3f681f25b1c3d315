package dialog

import "testing"

func TestHeardText(t *testing.T) {
	s := []spoken{{text: "One two three four.", start: 0, end: 400}, {text: "Five six.", start: 400, end: 600}}
	tests := []struct {
		name   string
		played int64
		want   string
		cut    bool
	}{
		{"nothing", 0, "", true},
		{"half the first", 200, "One two", true},
		{"first whole", 400, "One two three four.", true},
		{"into the second", 500, "One two three four. Five", true},
		{"all", 600, "One two three four. Five six.", false},
		{"past the end", 9999, "One two three four. Five six.", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cut := heardText(s, tc.played)
			if got != tc.want || cut != tc.cut {
				t.Errorf("heardText(%d) = %q, %v; want %q, %v", tc.played, got, cut, tc.want, tc.cut)
			}
		})
	}
}

func TestIsBackchannel(t *testing.T) {
	bc := DefaultTurns().Backchannels
	for text, want := range map[string]bool{
		"okay": true, "OK.": true, "right right": true, "mm-hm": true, "okay i see": true,
		"": false, "okay but": false, "no": false, "wait let me stop you": false,
	} {
		if got := isBackchannel(text, bc); got != want {
			t.Errorf("isBackchannel(%q) = %v", text, got)
		}
	}
}

func TestEndsThought(t *testing.T) {
	for text, want := range map[string]int{
		"I will refund it today.": 1, "is that right?": 1, "i checked and": -1, "so um": -1,
		"let me check the": -1, "thanks": 1, "the account number": 0, "": 0,
		"i was charged for": -1, "nobody helped me with my": -1, "i": -1,
		// A preposition that ends a relative or wh clause ends the thought; one that starts an
		// infinitive or waits for its object does not.
		"that's the renewal which we never signed you up to": 0, "i don't know who i spoke to": 0,
		"which is what you paid for": 0, "the app which you logged in with": 0,
		"the doctor who you normally go to": 0, "which i wanted to": -1, "what we're going to": -1,
		"which is the reason for": -1, "what we need is a lot of": -1, "i told them that i would pay for": -1,
		"the one you asked for": 0, "the person i spoke to": 0, "the card you paid with": 0, "the card you were charged on": 0,
		"the phone number we should text the reminder to": 0, "i told them the charge is": -1, "i told you to": -1, "i'm not sure what to": -1, "which i'm happy to": -1,
		"what are you calling about": 0, "that's what i'm not sure about": 0, "it usually takes about": -1,
		"you should have had a call from": -1, "the next slot is": -1, "so what i'll do is": -1,
		"that's just how it is": 0, "i don't know where they are": 0, "let me": -1, "can you tell me": 0,
		"I've booked you in with Dr.": -1, "you're with doctor": -1, "you might want to see a doctor": 0,
		"you were booked with doctor patel on": -1, "the card ending in": -1, "hold on": 0,
		"i've got you booked in": 0, "let me fill it in": 0, "that's not": -1, "i hope not": 0,
		"of course not": 0, "which one are you calling in": 0,
		"that's definitely the account it came out of": 0, "the date it went out on": 0,
		"do you know what the charge is for": 0, "which card would you like to pay with": 0,
		"the number you'd like us to call you back on": 0, "the one prescription you're calling about": 0,
		"which card would you like to": -1, "what the charge is": -1, "the account it came out": 0,
		// "then" opens a clause after a conjunction or an "if" and closes one elsewhere.
		"let's pencil you in for friday then": 0, "okay then": 0, "see you then": 0,
		"i'll pull up the account and then": -1, "then": -1, "if that slot's gone then": -1,
		"once it clears then": -1,
		// A stranded preposition after a wh clause with a noun, a contracted relative clause or
		// an indefinite; "so" after "or" or a verb of thinking ends the sentence.
		"tell me which lights are on": 0, "a list of any medications you're on": 0,
		"is there anything else i can help with": 0, "something you're worried about": 0,
		"you might be waiting twenty minutes or so": 0, "i think so": 0, "and so": -1,
		"it was refunded so": -1, "if you're on": -1, "anything else i can": 0,
		"which card is": -1,
		// A tag "like" ends a sentence; a letter spelled, a subordinator or a verb that needs
		// its object does not.
		"five to seven working days like": 0, "it's like": -1, "something like": -1,
		"so that's k": -1, "i've told you before": 0, "the day before": 0,
		"fill out a new patient form before": -1, "until": -1, "we can't do that unless": -1,
		"hold the line while i bring": -1, "i'll send": -1, "i'll send it": 1,
		"if you'd like": 0, "would you like": 0,
		"the clinic's on the second floor just past": -1, "we just need": -1, "i'll need": -1,
		"that's all i need": 0, "we can do that we just need": -1, "and we need": -1, "if you need": 0, "whatever we need": 0, "anything you need": 0,
		// "by" waits for its date; a subject left without its verb waits for it.
		"it'll be back in your account by": -1, "i'll pop by": 0, "okay thanks by": 0,
		"fill in a short form when you": -1, "let me know if you": -1, "thank you": 1,
		"i'll call you": 1, "so that we": -1, "that's me and i": -1,
		"do you know what the charge": -1, "could you read me the date it": -1,
		"the name of the person you": -1, "what the": -1, "that suits you": 1, "this works for you": 1,
		// What pocketsphinx gives of finished sentences, with no punctuation: a wh clause that
		// is the object ends with its copula or preposition, a passive with its particle, a
		// tag with its subject; the same words opening a clause still wait.
		"we know where the trucks are": 0, "i just told you what the problem is": 0,
		"so what the charge is": -1, "it really is": 0, "that's usually what this is": 0,
		"who am i speaking to": 0, "whats it about": 0, "what's this about": 0,
		"which package you're on": 0, "what systems are they on": 0, "which meant i was charged for": -1,
		"what does your calendar look like": 0, "what a mess": 0,
		"no that's it thank you really": 0, "i just want to see doctor patel really": 0,
		"not really": 0, "it's really": -1, "we really": -1,
		"i suppose not": 0, "a bit painful is it not": 0,
		"i'm not getting anywhere am i": 0, "let's get that sorted shall we": 0, "so can i": -1,
		"okay and would we": -1, "whoever's free will look after you": 1,
		"thank you for saying so": 0, "i've heard that one before": 0,
		"i'll pencil that in": 0, "came all the way in": 0,
		"get my knee looked at": 0, "it's all taken care of": 0, "i've looked at": -1,
		"i'll take care of": -1, "something your team deals with": 0, "the bit nobody budgets for": 0,
	} {
		if got := endsThought(text); got != want {
			t.Errorf("endsThought(%q) = %d, want %d", text, got, want)
		}
	}
}

// FuzzEndsThought feeds the end-of-turn rule what a recognizer may send as a partial: any
// text. It must not panic, and says -1, 0 or 1.
func FuzzEndsThought(f *testing.F) {
	for _, s := range []string{"", "like", "it's like", "am i", "whats it about", "which package you're on",
		"we know where the trucks are", "get my knee looked at", "'s", "what's's", "a b c d e f g h i j"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got := endsThought(text); got < -1 || got > 1 {
			t.Errorf("endsThought(%q) = %d", text, got)
		}
	})
}
