package plan

import (
	"math"
	"strings"
	"testing"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want)) }

// TestBrandPitchExample is the worked example the brand pitch uses: $50,000
// on one mega creator (1M followers, ~1 % engagement → ~10k engagements,
// ~0.5 % conversion → ~50 sales, CPA ~$1,000) against 500 nano creators at
// $100 each (~2k reach each → ~1M reach, ~4 % → ~40k engagements, ~450
// sales, CPA ~$110).
func TestBrandPitchExample(t *testing.T) {
	res, err := Plan(Defaults(), Hypothetical(500, 2000, 4))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		got, want float64
	}{
		{"nano creators on the plan", float64(res.Creators.Creators), 500},
		{"nano spend", res.Creators.Spend, 50_000},
		{"nano reach", res.Creators.Reach, 1_000_000},
		{"nano engagements", res.Creators.Engagements, 40_000},
		{"nano conversations", res.Creators.Conversations, 9_000},
		{"nano sales (midpoint)", res.Creators.Conversions, 450},
		{"nano sales at 3 %", res.Creators.ConversionsLow, 270},
		{"nano sales at 7 %", res.Creators.ConversionsHigh, 630},
		{"nano CPA", res.Creators.CPA, 111.11},
		{"nano cost per engagement", res.Creators.CostPerEngagement, 1.25},
		{"nano cost per conversation", res.Creators.CostPerConversation, 5.56},
		{"mega spend", res.Mega.Spend, 50_000},
		{"mega reach", res.Mega.Reach, 1_000_000},
		{"mega engagements", res.Mega.Engagements, 10_000},
		{"mega sales", res.Mega.Conversions, 50},
		{"mega CPA", res.Mega.CPA, 1_000},
		{"mega cost per engagement", res.Mega.CostPerEngagement, 5},
		{"unspent", res.Unspent, 0},
		{"skipped", float64(res.Skipped), 0},
	}
	for _, c := range cases {
		if !near(c.got, c.want, 0.001) {
			t.Errorf("%s = %.2f, want %.2f", c.name, c.got, c.want)
		}
	}
	// The pitch's "~$110" and "~450": the CPA is within 10 % of $110.
	if math.Abs(res.Creators.CPA-110) > 11 || math.Abs(res.Mega.CPA-1000) > 1 {
		t.Errorf("CPA nano %.0f, mega %.0f", res.Creators.CPA, res.Mega.CPA)
	}
}

func TestPlanTable(t *testing.T) {
	measured := []Creator{
		{Key: "a", Tier: model.TierNano, Followers: 5000, ER: 6, CommentShare: 0.3, AnsweredShare: 0.5},
		{Key: "b", Tier: model.TierMicro, Followers: 40000, ER: 2, CommentShare: -1, AnsweredShare: -1},
		{Key: "c", Tier: model.TierNano, Followers: 3000, ER: 5, CommentShare: 0.1, AnsweredShare: 0.8},
	}
	cases := []struct {
		name    string
		edit    func(*Assumptions)
		in      []Creator
		lines   int
		skipped int
		check   func(t *testing.T, r Result)
	}{
		{"budget runs out", func(a *Assumptions) { a.Budget = 250 }, Hypothetical(5, 2000, 4), 2, 3,
			func(t *testing.T, r Result) {
				if r.Unspent != 50 || r.Creators.Spend != 200 {
					t.Errorf("spend %v, unspent %v", r.Creators.Spend, r.Unspent)
				}
			}},
		{"fees per tier", func(a *Assumptions) {
			a.Budget = 1000
			a.FeeByTier = map[string]float64{model.TierMicro: 800}
		}, measured, 3, 0, func(t *testing.T, r Result) {
			if r.Lines[1].Fee != 800 || r.Lines[0].Fee != 100 || r.Creators.Spend != 1000 {
				t.Errorf("fees %v %v, spend %v", r.Lines[0].Fee, r.Lines[1].Fee, r.Creators.Spend)
			}
		}},
		{"measured shares over assumed ones", nil, measured, 3, 0, func(t *testing.T, r Result) {
			// a: 5000 × 6 % = 300 engagements × 0.3 × 1.5 = 135 conversations.
			if !near(r.Lines[0].Conversations, 135, 1e-9) || !r.Lines[0].Measured {
				t.Errorf("a: %+v", r.Lines[0])
			}
			// b: 40000 × 2 % = 800 × 0.18 × 1.25 = 180 (the defaults).
			if !near(r.Lines[1].Conversations, 180, 1e-9) || r.Lines[1].Measured {
				t.Errorf("b: %+v", r.Lines[1])
			}
		}},
		{"two posts each, a third of followers reached", func(a *Assumptions) {
			a.PostsPerCreator, a.ReachShare = 2, 1.0/3
		}, Hypothetical(3, 3000, 5), 3, 0, func(t *testing.T, r Result) {
			if !near(r.Creators.Reach, 6000, 1e-9) || !near(r.Creators.Engagements, 900, 1e-9) || !near(r.Mega.Reach, 666_666.67, 1e-6) {
				t.Errorf("reach %v, engagements %v, mega reach %v", r.Creators.Reach, r.Creators.Engagements, r.Mega.Reach)
			}
		}},
		{"creators converting from engagements", func(a *Assumptions) {
			a.Creators.ConversionBasis, a.Creators.ConversionLow, a.Creators.ConversionHigh = BasisEngagements, 1, 1
		}, Hypothetical(500, 2000, 4), 500, 0, func(t *testing.T, r Result) {
			if !near(r.Creators.Conversions, 400, 1e-9) {
				t.Errorf("conversions %v, want 40k × 1 %%", r.Creators.Conversions)
			}
		}},
		{"a mega creator with a set fee", func(a *Assumptions) { a.Mega.Fee = 20_000 }, nil, 0, 0, func(t *testing.T, r Result) {
			if r.Mega.Spend != 20_000 || !near(r.Mega.CPA, 400, 1e-9) || r.Creators.CPA != 0 || r.Creators.Spend != 0 {
				t.Errorf("mega %+v; no creators: %+v", r.Mega, r.Creators)
			}
		}},
		{"creators without followers are skipped", nil, []Creator{{Key: "z", Tier: model.TierNano, ER: 3, CommentShare: -1, AnsweredShare: -1}},
			0, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Defaults()
			if c.edit != nil {
				c.edit(&a)
			}
			r, err := Plan(a, c.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Lines) != c.lines || r.Skipped != c.skipped {
				t.Fatalf("%d lines, %d skipped; want %d, %d", len(r.Lines), r.Skipped, c.lines, c.skipped)
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	bad := []func(*Assumptions){
		func(a *Assumptions) { a.Budget = 0 },
		func(a *Assumptions) { a.Budget = math.Inf(1) },
		func(a *Assumptions) { a.FeePerCreator = -1 },
		func(a *Assumptions) { a.FeeByTier = map[string]float64{"nano": 0} },
		func(a *Assumptions) { a.Creators.ConversionLow, a.Creators.ConversionHigh = 8, 3 },
		func(a *Assumptions) { a.Creators.ConversionHigh = 101 },
		func(a *Assumptions) { a.Creators.ConversionBasis = "vibes" },
		func(a *Assumptions) { a.Creators.CommentShare = 1.5 },
		func(a *Assumptions) { a.ReachShare = 0 },
		func(a *Assumptions) { a.PostsPerCreator = math.NaN() },
		func(a *Assumptions) { a.Mega.Followers = 0 },
		func(a *Assumptions) { a.Mega.ER = -1 },
	}
	for i, edit := range bad {
		a := Defaults()
		edit(&a)
		if _, err := Plan(a, nil); err == nil {
			t.Errorf("case %d: invalid assumptions accepted: %+v", i, a)
		}
	}
	if err := Defaults().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func TestFromRecordAndCommentShare(t *testing.T) {
	rec := store.CreatorRecord{Key: "bluesky:x", Creator: model.Creator{Platform: "bluesky", Handle: "x", Followers: 4000},
		Score: &model.Score{Tier: model.TierNano, ER: 3.5, ReplyDepth: model.ReplyDepth{Commenters: 10, AnsweredShare: 0.4}}}
	posts := []model.Post{
		{Likes: model.N(80), Comments: model.N(15), Shares: model.N(5)},
		{Likes: model.N(40), Comments: model.N(5)},
		{Likes: nil, Comments: model.N(50)},                        // likes hidden: left out
		{Likes: model.N(10), Comments: model.N(90), IsReply: true}, // a reply, not a post
	}
	c := FromRecord(rec, posts)
	if c.ER != 3.5 || c.Tier != model.TierNano || c.AnsweredShare != 0.4 || !near(c.CommentShare, 20.0/145, 1e-12) {
		t.Errorf("FromRecord = %+v", c)
	}
	if _, ok := CommentShare(nil); ok {
		t.Error("comment share of no posts")
	}
	c = FromRecord(store.CreatorRecord{Key: "k"}, nil)
	if c.CommentShare >= 0 || c.AnsweredShare >= 0 {
		t.Errorf("unmeasured creator: %+v", c)
	}
}

func TestExplain(t *testing.T) {
	a := Defaults()
	a.FeeByTier = map[string]float64{model.TierMicro: 750}
	text := strings.Join(a.Explain(), "\n")
	for _, want := range []string{"$50,000", "$100 per creator (micro $750)", "3–7 % of conversations convert", "0.5 % of engagements convert", "1,000,000 followers"} {
		if !strings.Contains(text, want) {
			t.Errorf("Explain lacks %q:\n%s", want, text)
		}
	}
}
