package scoring

import "testing"

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text  string
		class commentClass
		dup   bool // eligible for duplicate detection
	}{
		{"Nice!!", classGeneric, false},
		{"niiiice 🔥", classGeneric, false},
		{"wowww", classGeneric, false},
		{"COOOOL", classGeneric, false},
		{"Great post.", classGeneric, false},
		{"love it ❤️", classGeneric, false},
		{"Me encanta", classGeneric, false},
		{"J'adore", classGeneric, false},
		{"Schöööön", classGeneric, false},
		{"!!!", classGeneric, false},
		{"Check out my channel for daily beats", classGeneric, false},
		{"great giveaway, DM me for collab", classGeneric, false},
		{"😍😍😍", classEmoji, false},
		{"❤️", classEmoji, false},
		{"🔥\ufeff", classEmoji, false},
		{"👏🏽 👏🏽", classEmoji, false},
		{"@anna @ben", classTag, false},
		{"@anna look 😍", classOther, false},
		{"great post about bread", classOther, true},
		{"so true", classOther, false},
		{"The lighting in the second shot is unreal", classOther, true},
		{"wunderschönes", classOther, true}, // one word, 10+ letters
		{"cool", classGeneric, false},
	}
	for _, tt := range tests {
		got := classify(tt.text)
		if got.class != tt.class || got.dupEligible != tt.dup {
			t.Errorf("classify(%q) = class %d dup %v, want class %d dup %v", tt.text, got.class, got.dupEligible, tt.class, tt.dup)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Where did you buy that JACKET!!", "where did you buy that jacket"},
		{"where   did you\tbuy that jacket?\ufeff", "where did you buy that jacket"},
		{"@zoe look at this", "lok at this"},
		{"Soooo good 😍", "so god"},
	}
	for _, tt := range tests {
		if got, _, _ := normalize(tt.in); got != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
