package persona_test

import (
	"os"
	"testing"
)

func TestZZExplore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	calls := map[string][]turn{
		"cold-call-vendor/good": says(
			"hi glen this is sam from track lane did i catch you at a bad time",
			"that makes sense most teams we call have one what would you change about them if you could",
			"fair enough can i take thirty seconds we help freight teams cut the where is my truck calls how does your team handle those today",
			"how many hours a week does dispatch spend on does calls",
			"happy to what would you need to see in it to make twenty minutes worth while",
			"could we book twenty minutes on thursday at two",
		),
		"cold-call-vendor/poor": says(
			"hi this is mike from track lane our platform has real time tracking and a dashboard",
			"you really need to see this trust me were better than fleet core they are outdated",
			"you would be crazy not to sign up today",
		),
		"lost-appointment/good": says(
			"riverside clinic my name is joe how can i help",
			"oh no a wasted trip in a taxi with your knee i'm so sorry that's our mistake",
			"can i take your date of birth to find your record",
			"i can book you in with doctor patel on thursday at eleven",
			"does that work for you",
		),
		"lost-appointment/early": says(
			"riverside clinic how can i help",
			"i'm so sorry about that i can book you in with doctor patel on thursday at eleven",
			"yes of course can i take your date of birth",
			"you'll get a text reminder the day before is that okay",
		),
		"lost-appointment/poor": says(
			"clinic",
			"you must have got the wrong day",
			"well it happens nothing i can do",
			"someone will call you back",
		),
		"double-charge-hard/early": says(
			"thanks for calling how can i help",
			"i refunded the duplicate charge it will be back in five business days",
			"i'm so sorry you've called three times and nobody called you back that's our mistake",
			"can i take your email address",
		),
	}
	for name, turns := range calls {
		id := name[:len(name)-len("/")-len(name[len(name)-4:])]
		for i := range name {
			if name[i] == '/' {
				id = name[:i]
			}
		}
		for seed := int64(1); seed <= 2; seed++ {
			t.Logf("%s seed %d\n%s", name, seed, transcript(play(t, shipped(t, id, ""), seed, turns)))
		}
	}
}
