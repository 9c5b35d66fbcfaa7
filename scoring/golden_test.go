package scoring

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/configs"
	"github.com/nanoscout/nanoscout/model"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

// TestScoreGolden scores realistic creators with the embedded benchmarks and
// the default config and compares the full breakdown with
// testdata/<case>.golden. After an intended change, regenerate the files with
//
//	go test ./scoring -run TestScoreGolden -update
//
// and review the diff; never edit them by hand.
func TestScoreGolden(t *testing.T) {
	t.Parallel()
	bm, err := ParseBenchmarks(configs.Benchmarks)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   Input
	}{
		{"instagram_micro", instagramMicro()},
		{"tiktok_nano", tiktokNano()},
		{"bluesky_quiet", blueskyQuiet()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Score(c.in, bm, DefaultConfig(), now)
			checkBreakdown(t, s)
			got := render(c.in.Creator, s)
			path := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("score of %s differs from %s (run with -update if the change is intended):\n%s",
					c.name, path, lineDiff(string(want), string(got)))
			}
		})
	}
}

// render writes a score as a scout would read it, floats to 4 decimals.
func render(c model.Creator, s model.Score) []byte {
	var b bytes.Buffer
	f := func(v float64) string { return fmt.Sprintf("%.4f", v) }
	fmt.Fprintf(&b, "creator: %s @%s, %s followers\n", c.Key(), c.Handle, thousands(c.Followers))
	fmt.Fprintf(&b, "computed at: %s\n", s.ComputedAt.Format(time.RFC3339))
	fmt.Fprintf(&b, "tier: %s\nposts used: %d\n", s.Tier, s.PostsUsed)
	fmt.Fprintf(&b, "er: %s\ner median: %s\n", f(s.ER), f(s.ERMedian))
	if s.ERByViews != nil {
		fmt.Fprintf(&b, "er by views: %s\n", f(*s.ERByViews))
	} else {
		fmt.Fprintf(&b, "er by views: none\n")
	}
	fmt.Fprintf(&b, "benchmark: %s\nbenchmark index: %s\n", f(s.Benchmark), f(s.BenchmarkIndex))
	rd := s.ReplyDepth
	fmt.Fprintf(&b, "reply depth: comments seen %d, commenters %d, answered %d (%s), median hours %s, mean depth %s, score %s\n",
		rd.CommentsSeen, rd.Commenters, rd.AnsweredCommenters, f(rd.AnsweredShare), f(rd.MedianHoursToReply),
		f(rd.MeanDepth), f(rd.Score))
	fmt.Fprintf(&b, "authenticity: %s\ncomposite: %s\n", f(s.Authenticity), f(s.Composite))
	fmt.Fprintf(&b, "flags: %s\n", strings.Join(s.Flags, ", "))
	fmt.Fprintf(&b, "breakdown:\n")
	for _, r := range s.Breakdown {
		fmt.Fprintf(&b, "  %-32s raw %12s  value %s  weight %s\n      %s\n", r.Name, f(r.Raw), f(r.Value), f(r.Weight), r.Reason)
	}
	return b.Bytes()
}

// lineDiff lists the lines that differ, for a readable failure.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// instagramMicro: 24,800 followers, 16 posts of which one is a reply, one a
// repost and two are under a day old; likes hidden on one post; comments with
// a nested thread the creator answers, stock phrases, emoji and a copy-pasted
// bot line.
func instagramMicro() Input {
	const id = "1789"
	in := Input{Creator: model.Creator{Platform: "instagram", ID: id, Handle: "sourdough.sam", Followers: 24_800}}
	for i := range 16 {
		likes, comments := int64(420+37*i), int64(9+i%5)
		p := model.Post{Platform: "instagram", ID: fmt.Sprintf("ig%02d", i), CreatorID: id,
			CreatedAt: ago(float64(6 + 15*i)), Kind: "image", Likes: n(likes), Comments: n(comments)}
		switch i {
		case 3:
			p.Likes = nil // hidden
		case 5:
			p.IsReply = true
		case 7:
			p.Kind = "repost"
		case 9:
			p.Kind, p.Views = "reel", n(31_000)
		}
		in.Posts = append(in.Posts, p)
	}
	t0 := ago(60)
	at := func(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }
	add := func(cid, post, parent, author string, depth int, h float64, text string) {
		in.Comments = append(in.Comments, model.Comment{Platform: "instagram", ID: cid, PostID: post, ParentID: parent,
			AuthorID: author, AuthorHandle: "u_" + author, Depth: depth, CreatedAt: at(h), Text: text,
			ByCreator: author == id})
	}
	add("k1", "ig02", "ig02", "a1", 1, 0, "What hydration is this? Looks so open")
	add("k2", "ig02", "k1", id, 2, 1.5, "78%, and a long cold proof")
	add("k3", "ig02", "k2", "a1", 3, 2, "Thanks! Trying it tonight")
	add("k4", "ig02", "k3", id, 4, 5, "Tag me when you do!")
	add("k5", "ig02", "ig02", "a2", 1, 0.5, "Nice!!")
	add("k6", "ig02", "ig02", "a3", 1, 0.7, "😍😍")
	add("k7", "ig02", "ig02", "b1", 1, 0.8, "Wow this is so inspiring, keep going!")
	add("k8", "ig04", "ig04", "b2", 1, 0, "wow this is so inspiring keep going")
	add("k9", "ig04", "ig04", "a4", 1, 1, "Do you sell these at the market on Saturdays?")
	add("k10", "ig04", "k9", id, 2, 9, "Yes, stall 14 from 8am")
	add("k11", "ig04", "ig04", "a5", 1, 2, "@mia we need to go")
	add("k12", "ig04", "ig04", "a6", 1, 3, "🔥")
	add("k13", "ig06", "ig06", "a7", 1, 0, "The crust colour is perfect, what oven?")
	add("k14", "ig06", "ig06", "a2", 1, 4, "amazing")
	return in
}

// tiktokNano: 6,300 followers, views on every video, ER judged by views.
func tiktokNano() Input {
	const id = "7001"
	in := Input{Creator: model.Creator{Platform: "tiktok", ID: id, Handle: "skatefix", Followers: 6_300}}
	for i := range 8 {
		p := model.Post{Platform: "tiktok", ID: fmt.Sprintf("tt%d", i), CreatorID: id, CreatedAt: ago(float64(30 + 40*i)),
			Kind: "video", Likes: n(int64(800 + 150*i)), Comments: n(int64(12 + 2*i)), Shares: n(int64(20 + i)),
			Saves: n(int64(35 + 3*i)), Views: n(int64(9_000 + 1_500*i))}
		in.Posts = append(in.Posts, p)
	}
	t0 := ago(50)
	at := func(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }
	for i, text := range []string{"which bearings are those", "wowww", "first", "bro that kickflip 🔥",
		"tutorial for the heelflip please", "follow me for daily clips", "👏👏", "what board size?"} {
		in.Comments = append(in.Comments, model.Comment{Platform: "tiktok", ID: fmt.Sprintf("tc%d", i), PostID: "tt0",
			ParentID: "tt0", AuthorID: fmt.Sprintf("v%d", i), Depth: 1, CreatedAt: at(float64(i)), Text: text})
	}
	in.Comments = append(in.Comments,
		model.Comment{Platform: "tiktok", ID: "tr1", PostID: "tt0", ParentID: "tc4", AuthorID: id, Depth: 2,
			CreatedAt: at(4.25), Text: "posting it friday", ByCreator: true},
		model.Comment{Platform: "tiktok", ID: "tr2", PostID: "tt0", ParentID: "tc7", AuthorID: id, Depth: 2,
			CreatedAt: at(20), Text: "8.25", ByCreator: true},
	)
	return in
}

// blueskyQuiet: 1,450 followers, placeholder benchmark, few posts, no comments read.
func blueskyQuiet() Input {
	const id = "did:plc:quiet"
	in := Input{Creator: model.Creator{Platform: "bluesky", ID: id, Handle: "quiet.bsky.social", Followers: 1_450}}
	for i := range 4 {
		in.Posts = append(in.Posts, model.Post{Platform: "bluesky", ID: fmt.Sprintf("bs%d", i), CreatorID: id,
			CreatedAt: ago(float64(26 + 48*i)), Likes: n(int64(12 + 5*i)), Comments: n(int64(1 + i%2)),
			Shares: n(int64(2 + i)), Quotes: n(0)})
	}
	return in
}
