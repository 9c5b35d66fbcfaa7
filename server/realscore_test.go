package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/configs"
	"github.com/nanoscout/nanoscout/export/exporttest"
	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/scoring"
	"github.com/nanoscout/nanoscout/store"
)

var commentTexts = []string{
	"Which clay body do you use for this? Mine keeps cracking at the rim.",
	"Tried your recipe on Sunday, the crust came out perfect, thanks!",
	"How long did the whole route take you with the stops?",
	"I disagree a bit on point three, it depends on the season here.",
	"Saving this for the weekend. Do you have a list of what to bring?",
	"The before/after photos are so helpful, more of these please.",
	"Where did you find the blue glaze? Can't find it anywhere in Ghent.",
	"This is the first thread that explained it without jargon.",
}

var commentTails = []string{
	"Asking because my partner wants to try it too.", "We did something similar last spring.",
	"Following for part two.", "My kids loved watching this with me.", "Bookmarked for the next trip.",
	"Honestly the best account on this topic.", "Greetings from the rainy north!",
}

// realCreator is exporttest's creator i scored by scoring.Score itself —
// from its posts, its daily history and comments under its posts — so the
// breakdown is the one the pipeline would store. A fraud creator gets a
// bought-follower spike, follow-back and copy-pasted generic comments from
// a handful of accounts.
func realCreator(t *testing.T, bm scoring.Benchmarks, i int, fraud bool) (store.CreatorUpdate, []model.Snapshot) {
	t.Helper()
	u, history := exporttest.Creator(i)
	c := &u.Creator
	if fraud {
		c.Following = c.Followers * 95 / 100
		for d := range history {
			if d < len(history)-3 {
				history[d].Followers = c.Followers * 45 / 100
			}
		}
	}
	var comments []model.Comment
	for p, post := range u.Posts {
		for k := range 8 {
			author := fmt.Sprintf("fan%d_%d", i, p*8+k)
			text := commentTexts[(p+k)%len(commentTexts)] + " " + commentTails[(p*3+k)%len(commentTails)] + " " + post.Text
			if fraud {
				author, text = fmt.Sprintf("bot%d", k%3), []string{"nice!", "love this 😍", "🔥🔥🔥"}[k%3]
			}
			cm := model.Comment{Platform: c.Platform, ID: fmt.Sprintf("%s-c%d-%d", post.ID, p, k), PostID: post.ID, ParentID: post.ID,
				AuthorID: author, AuthorHandle: author, Text: text, CreatedAt: post.CreatedAt.Add(time.Duration(k+1) * time.Hour), Depth: 1}
			comments = append(comments, cm)
			if !fraud && k%2 == 0 {
				comments = append(comments, model.Comment{Platform: c.Platform, ID: cm.ID + "-r", PostID: post.ID, ParentID: cm.ID,
					AuthorID: c.ID, AuthorHandle: c.Handle, Text: "Good question! I'll write it up in the next post.",
					CreatedAt: cm.CreatedAt.Add(2 * time.Hour), Depth: 2, ByCreator: true})
			}
		}
	}
	u.Comments = comments
	all := append(append([]model.Snapshot(nil), history...), *u.Snapshot)
	sc := scoring.Score(scoring.Input{Creator: *c, Posts: u.Posts, Comments: comments, History: all}, bm, scoring.DefaultConfig(), exporttest.Now)
	u.Score = &sc
	u.Snapshot.Followers = c.Followers
	return u, history
}

// seedReal stores n creators scored by scoring.Score, creator fraudAt
// (when < n) the fraud case, and reranks.
func seedReal(t *testing.T, st store.Store, n, fraudAt int) []store.CreatorUpdate {
	t.Helper()
	bm, err := scoring.ParseBenchmarks(configs.Benchmarks)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var out []store.CreatorUpdate
	for i := range n {
		u, history := realCreator(t, bm, i, i == fraudAt)
		for _, s := range history {
			if err := st.PutSnapshot(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.SaveCreator(ctx, u); err != nil {
			t.Fatal(err)
		}
		out = append(out, u)
	}
	for _, p := range []string{"bluesky", "mastodon"} {
		if err := st.Rerank(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
