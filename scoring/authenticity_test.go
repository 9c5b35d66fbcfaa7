package scoring

import (
	"testing"

	"github.com/nanoscout/nanoscout/model"
)

func TestClassify(t *testing.T) {
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

func TestAuthenticity(t *testing.T) {
	bm := testBenchmarks(t) // testgram likes per comment 5–20
	text := func(author, s string) model.Comment {
		return model.Comment{ID: author + s, AuthorID: author, Text: s}
	}
	mixed := []model.Comment{
		text("a", "nice"),
		text("b", "Great post!"),
		text("c", "😍"),
		text("d", "Where did you buy that jacket?"),
		text("e", "where did you buy that jacket"),
		text("f", "Where did you buy that JACKET!!"),
		text("g", "This recipe saved my dinner party"),
		text("h", "@friend"),
		text("i", "so true"),
		text("j", "so true"),
		{ID: "me1", AuthorID: "me", Text: "nice", ByCreator: true}, // the creator's: not counted
		{ID: "gif", AuthorID: "k", Text: "  "},                     // no text: not counted
	}
	post := func(likes, comments *int64) model.Post { return model.Post{ID: "p", Likes: likes, Comments: comments} }

	tests := []struct {
		name                string
		posts               []model.Post
		comments            []model.Comment
		value               float64
		signals             int
		comm, gen, emo, dup int
		lpc                 *float64
		off                 bool
	}{
		{name: "nothing to go on", value: 0, signals: 0},
		{
			name:     "generic, emoji-only and duplicate comments",
			comments: mixed,
			// shares 0.2, 0.1, 0.3 → (0.25×0.8 + 0.15×0.9 + 0.35×0.7) ÷ 0.75 = 0.58 ÷ 0.75
			value: 0.58 / 0.75, signals: 3, comm: 10, gen: 2, emo: 1, dup: 3,
		},
		{
			name: "the same author repeating a text is duplicate too",
			comments: []model.Comment{
				{ID: "1", AuthorID: "bot", Text: "Promote your page with us today"},
				{ID: "2", AuthorID: "bot", Text: "promote your page with us today!!"},
				{ID: "3", AuthorID: "fan", Text: "The second photo is my favourite"},
				{ID: "4", AuthorID: "fan2", Text: "What lens did you use here"},
			},
			// duplicates 0.5 → (0.25 + 0.15 + 0.35 × 0.5) ÷ 0.75
			value: (0.4 + 0.175) / 0.75, signals: 3, comm: 4, dup: 2,
		},
		{
			name:  "likes per comment within the norm",
			posts: []model.Post{post(n(100), n(10)), post(n(60), n(6))}, // 160 ÷ 16 = 10
			value: 1, signals: 1, lpc: ptr(10),
		},
		{
			name:  "likes per comment far above the norm",
			posts: []model.Post{post(n(500), n(3)), post(n(300), n(2))}, // 800 ÷ 5 = 160 = 8× 20
			value: 0.125, signals: 1, lpc: ptr(160), off: true,
		},
		{
			name:  "likes per comment far below the norm",
			posts: []model.Post{post(n(20), n(10))}, // 2 = 5 ÷ 2.5
			value: 0.4, signals: 1, lpc: ptr(2), off: true,
		},
		{
			name:  "slightly above the norm: penalised, not flagged",
			posts: []model.Post{post(n(30), n(1))}, // 30 = 1.5× 20
			value: 1 / 1.5, signals: 1, lpc: ptr(30),
		},
		{
			name:  "many likes and no comments: the like count is a lower bound",
			posts: []model.Post{post(n(100), n(0))}, // ≥ 100 = 5× 20
			value: 0.2, signals: 1, lpc: ptr(100), off: true,
		},
		{
			name:  "few likes and no comments: not measured",
			posts: []model.Post{post(n(15), n(0))},
		},
		{
			name:  "no likes against comments",
			posts: []model.Post{post(n(0), n(5))},
			value: 0, signals: 1, lpc: ptr(0), off: true,
		},
		{
			name: "hidden counts, replies and reposts are skipped",
			posts: []model.Post{
				post(nil, n(50)),
				post(n(500), nil),
				{ID: "r", Likes: n(1), Comments: n(100), IsReply: true},
				{ID: "rp", Likes: n(1), Comments: n(100), Kind: "repost"},
				post(n(120), n(10)), // 12
			},
			value: 1, signals: 1, lpc: ptr(12),
		},
		{
			name:     "all four signals",
			posts:    []model.Post{post(n(500), n(3)), post(n(300), n(2))},
			comments: mixed,
			// (0.58 + 0.25 × 0.125) ÷ 1
			value: 0.58 + 0.25*0.125, signals: 4, comm: 10, gen: 2, emo: 1, dup: 3, lpc: ptr(160), off: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Authenticity("testgram", tt.posts, tt.comments, bm)
			if !near(got.Value, tt.value) || got.Signals != tt.signals {
				t.Errorf("value, signals = %v, %d; want %v, %d", got.Value, got.Signals, tt.value, tt.signals)
			}
			if got.Comments != tt.comm || got.Generic != tt.gen || got.EmojiOnly != tt.emo || got.Duplicates != tt.dup {
				t.Errorf("comments, generic, emoji, dup = %d, %d, %d, %d; want %d, %d, %d, %d",
					got.Comments, got.Generic, got.EmojiOnly, got.Duplicates, tt.comm, tt.gen, tt.emo, tt.dup)
			}
			switch {
			case (got.LikesPerComment == nil) != (tt.lpc == nil):
				t.Errorf("LikesPerComment = %v, want %v", fmtPtr(got.LikesPerComment), fmtPtr(tt.lpc))
			case got.LikesPerComment != nil && !near(*got.LikesPerComment, *tt.lpc):
				t.Errorf("LikesPerComment = %v, want %v", *got.LikesPerComment, *tt.lpc)
			}
			if got.LikesPerCommentOff != tt.off {
				t.Errorf("LikesPerCommentOff = %v, want %v", got.LikesPerCommentOff, tt.off)
			}
			if len(got.Components) != 4 {
				t.Fatalf("%d components, want 4", len(got.Components))
			}
			measured := 0
			for _, c := range got.Components {
				if c.Weight > 0 {
					measured++
				}
				if c.Reason == "" {
					t.Errorf("component %s has no reason", c.Name)
				}
			}
			if measured != tt.signals {
				t.Errorf("%d weighted components, want %d", measured, tt.signals)
			}
		})
	}
}
