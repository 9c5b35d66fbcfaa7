package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nanoscout/nanoscout/model"
	"github.com/nanoscout/nanoscout/store"
)

// RunScout runs the conformance suite of the scout-side data (store.Scout)
// and of TopQuery's scout filters. open must return a new, empty store for
// each call that implements store.Scout.
func RunScout(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(ctx context.Context, t *testing.T, s store.Store, sc store.Scout)
	}{
		{"Shortlists", testShortlists},
		{"ShortlistItemsPaged", testShortlistPaging},
		{"OutreachHistory", testOutreachHistory},
		{"HideShortlisted", testHideShortlisted},
		{"Deliveries", testDeliveries},
		{"AlertState", testAlertState},
		{"ScoutFilters", testScoutFilters},
		{"Growth", testGrowth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), timeout)
			defer cancel()
			s := open(t)
			tc.fn(ctx, t, s, s)
		})
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

func testShortlists(ctx context.Context, t *testing.T, _ store.Store, sc store.Scout) {
	_, err := sc.CreateShortlist(ctx, "   ")
	wantErr(t, "CreateShortlist with an empty name", err, store.ErrInvalid)

	spring, err := sc.CreateShortlist(ctx, " Spring launch ")
	must(t, "CreateShortlist", err)
	if spring.ID == "" || spring.Name != "Spring launch" || spring.CreatedAt.IsZero() {
		t.Fatalf("created %+v", spring)
	}
	time.Sleep(2 * time.Millisecond) // distinct creation times order the list
	vegan, err := sc.CreateShortlist(ctx, "Vegan food, NL")
	must(t, "CreateShortlist", err)

	got, err := sc.Shortlist(ctx, spring.ID)
	must(t, "Shortlist", err)
	sameJSON(t, "Shortlist", got, spring)

	must(t, "AddToShortlist", sc.AddToShortlist(ctx, spring.ID, "bluesky:a", "mastodon:b", "bluesky:a"))
	must(t, "AddToShortlist", sc.AddToShortlist(ctx, vegan.ID, "bluesky:a"))
	wantErr(t, "AddToShortlist on a missing list", sc.AddToShortlist(ctx, "nope", "bluesky:a"), store.ErrNotFound)

	lists, err := sc.ListShortlists(ctx)
	must(t, "ListShortlists", err)
	if len(lists) != 2 || lists[0].ID != vegan.ID || lists[1].ID != spring.ID || lists[0].Count != 1 || lists[1].Count != 2 {
		t.Errorf("ListShortlists = %+v, want vegan (1) then spring (2)", lists)
	}

	items, err := sc.ShortlistItems(ctx, spring.ID, "", 0)
	must(t, "ShortlistItems", err)
	if len(items) != 2 || items[0].CreatorKey != "bluesky:a" || items[1].CreatorKey != "mastodon:b" {
		t.Fatalf("items = %+v", items)
	}
	for _, it := range items {
		if it.Status != store.OutreachNew || it.Notes != "" || it.ShortlistID != spring.ID || it.AddedAt.IsZero() {
			t.Errorf("new item %+v", it)
		}
	}

	notes, status := "Met at the fair; =HYPERLINK(\"x\") stays text", store.OutreachContacted
	must(t, "UpdateShortlistItem", sc.UpdateShortlistItem(ctx, spring.ID, "bluesky:a", store.ItemUpdate{Notes: &notes, Status: &status}))
	replied := store.OutreachReplied
	must(t, "UpdateShortlistItem status only", sc.UpdateShortlistItem(ctx, spring.ID, "bluesky:a", store.ItemUpdate{Status: &replied}))
	bad := "ghosted"
	wantErr(t, "UpdateShortlistItem with an unknown status",
		sc.UpdateShortlistItem(ctx, spring.ID, "bluesky:a", store.ItemUpdate{Status: &bad}), store.ErrInvalid)
	wantErr(t, "UpdateShortlistItem of a creator not on the list",
		sc.UpdateShortlistItem(ctx, spring.ID, "bluesky:zzz", store.ItemUpdate{Notes: &notes}), store.ErrNotFound)
	// Adding again keeps notes and status.
	must(t, "AddToShortlist again", sc.AddToShortlist(ctx, spring.ID, "bluesky:a"))
	items, err = sc.ShortlistItems(ctx, spring.ID, "", 0)
	must(t, "ShortlistItems", err)
	if items[0].Notes != notes || items[0].Status != store.OutreachReplied {
		t.Errorf("item after updates = %+v", items[0])
	}

	of, err := sc.ShortlistsOf(ctx, "bluesky:a")
	must(t, "ShortlistsOf", err)
	if len(of) != 2 {
		t.Errorf("ShortlistsOf = %+v, want both lists", of)
	}

	must(t, "RenameShortlist", sc.RenameShortlist(ctx, spring.ID, "Spring launch 2026"))
	wantErr(t, "RenameShortlist of a missing list", sc.RenameShortlist(ctx, "nope", "x"), store.ErrNotFound)
	wantErr(t, "RenameShortlist to an empty name", sc.RenameShortlist(ctx, spring.ID, ""), store.ErrInvalid)
	got, err = sc.Shortlist(ctx, spring.ID)
	must(t, "Shortlist", err)
	if got.Name != "Spring launch 2026" || got.Count != 2 {
		t.Errorf("renamed list = %+v", got)
	}

	must(t, "RemoveFromShortlist", sc.RemoveFromShortlist(ctx, spring.ID, "mastodon:b"))
	must(t, "RemoveFromShortlist twice", sc.RemoveFromShortlist(ctx, spring.ID, "mastodon:b"))
	if got, _ := sc.Shortlist(ctx, spring.ID); got.Count != 1 {
		t.Errorf("count after remove = %d, want 1", got.Count)
	}

	must(t, "DeleteShortlist", sc.DeleteShortlist(ctx, spring.ID))
	wantErr(t, "DeleteShortlist twice", sc.DeleteShortlist(ctx, spring.ID), store.ErrNotFound)
	_, err = sc.Shortlist(ctx, spring.ID)
	wantErr(t, "Shortlist after delete", err, store.ErrNotFound)
	of, err = sc.ShortlistsOf(ctx, "bluesky:a")
	must(t, "ShortlistsOf", err)
	if len(of) != 1 || of[0].ShortlistID != vegan.ID {
		t.Errorf("ShortlistsOf after delete = %+v, want the vegan list only", of)
	}
}

func testShortlistPaging(ctx context.Context, t *testing.T, _ store.Store, sc store.Scout) {
	l, err := sc.CreateShortlist(ctx, "big")
	must(t, "CreateShortlist", err)
	var want []string
	for i := range 130 {
		want = append(want, fmt.Sprintf("bluesky:c%03d", i))
	}
	shuffled := slices.Clone(want)
	slices.Reverse(shuffled)
	must(t, "AddToShortlist", sc.AddToShortlist(ctx, l.ID, shuffled...))
	var got []string
	after := ""
	for {
		page, err := sc.ShortlistItems(ctx, l.ID, after, 50)
		must(t, "ShortlistItems", err)
		if len(page) == 0 {
			break
		}
		for _, it := range page {
			got = append(got, it.CreatorKey)
		}
		after = page[len(page)-1].CreatorKey
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged items: %d keys, first %v; want %d in key order", len(got), got[:min(3, len(got))], len(want))
	}
}

func testDeliveries(ctx context.Context, t *testing.T, _ store.Store, sc store.Scout) {
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		d := store.Delivery{ID: fmt.Sprintf("d%d", i), Webhook: "crm", Event: "export", Subject: "shortlist x", Items: 10 * i,
			Bytes: 100, Status: store.DeliveryPending, CreatedAt: base.Add(time.Duration(i) * time.Minute), UpdatedAt: base}
		must(t, "SaveDelivery", sc.SaveDelivery(ctx, d))
	}
	d1, err := sc.Delivery(ctx, "d1")
	must(t, "Delivery", err)
	d1.Status, d1.Attempts, d1.StatusCode, d1.Error, d1.UpdatedAt = store.DeliveryFailed, 5, 503, "HTTP 503", base.Add(time.Hour)
	must(t, "SaveDelivery update", sc.SaveDelivery(ctx, d1))
	got, err := sc.Delivery(ctx, "d1")
	must(t, "Delivery", err)
	sameJSON(t, "updated delivery", got, d1)
	_, err = sc.Delivery(ctx, "nope")
	wantErr(t, "Delivery of a missing id", err, store.ErrNotFound)

	list, err := sc.Deliveries(ctx, 2)
	must(t, "Deliveries", err)
	if len(list) != 2 || list[0].ID != "d2" || list[1].ID != "d1" {
		t.Errorf("Deliveries(2) = %+v, want d2, d1", list)
	}
}

func testAlertState(ctx context.Context, t *testing.T, _ store.Store, sc store.Scout) {
	var keys []string
	for i := range 620 { // more than one chunk of a backend's IN list
		keys = append(keys, fmt.Sprintf("bluesky:k%03d", i))
	}
	got, err := sc.Alerted(ctx, "rising", keys)
	must(t, "Alerted", err)
	if len(got) != 0 {
		t.Errorf("Alerted on an empty store = %v", got)
	}
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, k := range []string{keys[0], keys[555], keys[0]} {
		must(t, "MarkAlerted", sc.MarkAlerted(ctx, "rising", k, "del-"+k, at))
	}
	must(t, "MarkAlerted", sc.MarkAlerted(ctx, "other", keys[1], "x", at))
	got, err = sc.Alerted(ctx, "rising", keys)
	must(t, "Alerted", err)
	if len(got) != 2 || !got[keys[0]] || !got[keys[555]] {
		t.Errorf("Alerted = %v, want %s and %s", got, keys[0], keys[555])
	}
	got, err = sc.Alerted(ctx, "other", keys[:3])
	must(t, "Alerted", err)
	if len(got) != 1 || !got[keys[1]] {
		t.Errorf("Alerted(other) = %v", got)
	}
}

// scoutSeed is a scored creator for the scout filters.
type scoutSeed struct {
	platform, id, tier   string
	followers            int64
	composite, er, index float64
	reply, auth          float64
	lang, bio            string
	links                []string
	posts                []string
}

func (sd scoutSeed) key() string { return model.Key(sd.platform, sd.id) }

func (sd scoutSeed) creator() model.Creator {
	c := creator(sd.platform, sd.id, sd.followers)
	c.Handle = sd.id + ".example"
	c.DisplayName = "Creator " + strings.ToUpper(sd.id)
	c.Bio, c.Links, c.Language = sd.bio, sd.links, sd.lang
	return c
}

var scoutSeeds = []scoutSeed{
	{"bluesky", "s1", model.TierNano, 4000, 82, 6.0, 2.4, 0.70, 0.92, "en", "Vegan cooking in Utrecht. Bookings: hello@veganbakes.nl", nil,
		[]string{"Lentil soup tonight", "My sourdough recipe, step by step"}},
	{"bluesky", "s2", model.TierNano, 9000, 75, 4.0, 1.6, 0.40, 0.85, "nl", "Fietsen en koffie | www.koffie-fiets.nl", nil,
		[]string{"Rondje om het IJsselmeer"}},
	{"mastodon", "s3", model.TierNano, 2500, 70, 3.0, 1.2, 0.90, 0.95, "en", "Also on @chef@mastodon.social, cooking daily", nil,
		[]string{"Cooking for twelve", "New knives!"}},
	{"mastodon", "s4", model.TierMicro, 30000, 88, 2.0, 0.9, 0.55, 0.70, "de", "Wandern und Berge", []string{"https://wandern.example.de"},
		[]string{"Zugspitze bei Sonnenaufgang"}},
	{"bluesky", "s5", model.TierNano, 6000, 64, 5.0, 2.0, 0.20, 0.60, "en", "Gardening tips. DM for collabs", nil,
		[]string{"Tomatoes, finally", "Sourdough starter day 3"}},
	{"bluesky", "s6", model.TierNano, 12000, 60, 2.5, 1.0, 0.65, 0.81, "fr", "Café crème & croissants", nil, nil},
	{"mastodon", "s7", model.TierNano, 3000, 91, 7.5, 3.0, 0.85, 0.90, "es", "' OR 1=1 -- (.*) y más", nil, []string{"Correr 5k"}},
}

func seedScout(ctx context.Context, t *testing.T, s store.Store) {
	t.Helper()
	for _, sd := range scoutSeeds {
		u := update(sd.creator(), 0, score(sd.tier, sd.composite, sd.er, sd.reply, sd.auth), time.Now().UTC())
		u.Score.BenchmarkIndex = sd.index
		for i, text := range sd.posts {
			p := post(sd.platform, sd.id, fmt.Sprintf("%s-p%d", sd.id, i), t0.Add(-time.Duration(i)*time.Hour))
			p.Text = text
			u.Posts = append(u.Posts, p)
		}
		save(ctx, t, s, u)
	}
}

// keywordMatch is the keyword filter in Go: the words of the keyword in
// order, the first starting a word, separated by non-word characters, the
// last a prefix.
func keywordMatch(keyword string, texts ...string) bool {
	tokens := store.KeywordTokens(keyword)
	if len(tokens) == 0 {
		return false
	}
	quoted := make([]string, len(tokens))
	for i, tok := range tokens {
		quoted[i] = regexp.QuoteMeta(tok)
	}
	re := regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])` + strings.Join(quoted, `[^\p{L}\p{N}]+`))
	return slices.ContainsFunc(texts, re.MatchString)
}

// expectScout is Top over scoutSeeds computed in Go.
func expectScout(q store.TopQuery) []string {
	var sel []scoutSeed
	for _, sd := range scoutSeeds {
		c := sd.creator()
		if (q.Platform != "" && sd.platform != q.Platform) || (q.Tier != "" && sd.tier != q.Tier) ||
			(q.MaxFollowers > 0 && sd.followers > q.MaxFollowers) || (q.MinER > 0 && sd.er < q.MinER) ||
			sd.index < q.MinBenchmarkIndex || sd.auth < q.MinAuthenticity || sd.reply < q.MinReply ||
			(q.Language != "" && sd.lang != q.Language) || (q.HasContact && !store.HasPublicContact(c)) ||
			(strings.TrimSpace(q.Keyword) != "" && !keywordMatch(q.Keyword, append([]string{c.Handle, c.DisplayName, c.Bio}, sd.posts...)...)) {
			continue
		}
		sel = append(sel, sd)
	}
	slices.SortFunc(sel, func(a, b scoutSeed) int {
		return cmp.Or(cmp.Compare(b.composite, a.composite), cmp.Compare(a.key(), b.key()))
	})
	keys := []string{}
	for _, sd := range sel {
		keys = append(keys, sd.key())
	}
	return keys
}

func testScoutFilters(ctx context.Context, t *testing.T, s store.Store, _ store.Scout) {
	seedScout(ctx, t, s)
	queries := []store.TopQuery{
		{Language: "en"},
		{Language: "nl"},
		{Language: "xx"},
		{HasContact: true},
		{HasContact: true, Platform: "bluesky"},
		{MinBenchmarkIndex: 1.5},
		{MinAuthenticity: 0.85},
		{MinReply: 0.6},
		// The rising-star alert: nano, ER index ≥ 1.5, authenticity ≥ 0.8, under 10k.
		{Tier: model.TierNano, MinBenchmarkIndex: 1.5, MinAuthenticity: 0.8, MaxFollowers: 9999},
		{Keyword: "cook"},
		{Keyword: "COOKING"},
		{Keyword: "utrecht"},
		{Keyword: "Creator S4"},          // the display name
		{Keyword: "s2.example"},          // the handle
		{Keyword: "sourdough recipe"},    // a post's text
		{Keyword: "recipe, step"},        // punctuation between words
		{Keyword: "sourdough"},           // a bio and a post
		{Keyword: "ourdough"},            // not the start of a word
		{Keyword: "zugspitze", MinER: 1}, // with another filter
		{Keyword: "cook", HasContact: true, Language: "en"},
		// Input that must stay literal text.
		{Keyword: ".*"},
		{Keyword: "' OR 1=1 --"}, // matches s7's bio literally, nothing else
		{Keyword: `{"$where": "sleep(100)"}`},
		{Keyword: "$ne"},
		{Keyword: `"); DROP TABLE creators; --`},
		{Keyword: "NEAR(cook soup)"},
		{Keyword: "cook*"},
		{Keyword: "   "},
	}
	for _, q := range queries {
		got, err := s.Top(ctx, q)
		if err != nil {
			t.Errorf("Top(%+v): %v", q, err)
			continue
		}
		want := expectScout(q)
		if !slices.Equal(keysOf(got), want) {
			t.Errorf("Top(%+v)\n got  %v\n want %v", q, keysOf(got), want)
		}
		// CountTop is the total behind the pages, whatever the page.
		q.Limit, q.Offset = 1, 1
		if n, err := s.CountTop(ctx, q); err != nil || n != int64(len(want)) {
			t.Errorf("CountTop(%+v) = %d, %v; want %d", q, n, err, len(want))
		}
	}
	// The store is still whole after the hostile keywords.
	all, err := s.Top(ctx, store.TopQuery{})
	must(t, "Top", err)
	if len(all) != len(scoutSeeds) {
		t.Errorf("Top after hostile keywords: %d creators, want %d", len(all), len(scoutSeeds))
	}
	// A profile edit moves the contact flag and the searchable text.
	sd := scoutSeeds[4]
	c := sd.creator()
	c.Bio = "Gardening tips. Write to plots@garden.example.org"
	u := update(c, 0, score(sd.tier, sd.composite, sd.er, sd.reply, sd.auth), time.Now().UTC())
	u.Score.BenchmarkIndex = sd.index
	save(ctx, t, s, u)
	got, err := s.Top(ctx, store.TopQuery{HasContact: true, Keyword: "plots"})
	must(t, "Top", err)
	if !slices.Equal(keysOf(got), []string{sd.key()}) {
		t.Errorf("after a bio edit, Top(contact, plots) = %v, want [%s]", keysOf(got), sd.key())
	}
	got, err = s.Top(ctx, store.TopQuery{Keyword: "collabs"})
	must(t, "Top", err)
	if len(got) != 0 {
		t.Errorf("the old bio still matches: %v", keysOf(got))
	}

	// Hide: creators already shortlisted, or already contacted.
	var sc store.Scout = s
	all, err = s.Top(ctx, store.TopQuery{})
	must(t, "Top", err)
	l, err := sc.CreateShortlist(ctx, "hide test")
	must(t, "CreateShortlist", err)
	must(t, "AddToShortlist", sc.AddToShortlist(ctx, l.ID, all[0].Key, all[1].Key))
	contacted := store.OutreachContacted
	must(t, "UpdateShortlistItem", sc.UpdateShortlistItem(ctx, l.ID, all[1].Key, store.ItemUpdate{Status: &contacted}))
	for hide, gone := range map[string][]string{store.HideShortlisted: {all[0].Key, all[1].Key}, store.HideContacted: {all[1].Key}} {
		var want []string
		for _, r := range all {
			if !slices.Contains(gone, r.Key) {
				want = append(want, r.Key)
			}
		}
		got, err := s.Top(ctx, store.TopQuery{Hide: hide})
		must(t, "Top hide", err)
		if !slices.Equal(keysOf(got), want) {
			t.Errorf("Top(Hide %s) = %v, want %v", hide, keysOf(got), want)
		}
		if n, err := s.CountTop(ctx, store.TopQuery{Hide: hide}); err != nil || n != int64(len(want)) {
			t.Errorf("CountTop(Hide %s) = %d, %v; want %d", hide, n, err, len(want))
		}
	}
	must(t, "DeleteShortlist", sc.DeleteShortlist(ctx, l.ID))
}

func testGrowth(ctx context.Context, t *testing.T, s store.Store, sc store.Scout) {
	type day struct {
		day       string
		followers int64
	}
	history := map[string][]day{
		"g1": {{"2025-06-01", 1000}, {"2025-06-15", 1200}},                       // +20 %
		"g2": {{"2025-04-01", 500}, {"2025-05-25", 2000}, {"2025-06-20", 2300}},  // base 05-25: +15 %
		"g3": {{"2025-06-20", 4000}},                                             // one day: none
		"g4": {{"2025-06-01", 1000}, {"2025-06-02", 900}},                        // -10 %
		"g5": {{"2025-05-01", 800}, {"2025-05-02", 0}, {"2025-06-01", 1000}},     // the base, first in the window, is 0: none
		"g6": {{"2025-06-01", 0}, {"2025-06-10", 100}},                           // zero base: none
		"g7": {{"2025-06-10", 7000}, {"2025-06-11", 7000}, {"2025-06-12", 8050}}, // +15 %: ties g2, after it by key
		"g8": {{"2025-05-20", 100}, {"2025-06-01", 3000}, {"2025-06-01", 3300}},  // same day twice: the later write wins
	}
	var all []string
	snapsOf := map[string][]model.Snapshot{}
	for id, days := range history {
		c := creator("bluesky", id, days[len(days)-1].followers)
		key := c.Key()
		all = append(all, key)
		var u store.CreatorUpdate
		for i, d := range days {
			snap := model.Snapshot{CreatorKey: key, Day: d.day, Followers: d.followers, TakenAt: t0}
			if i == len(days)-1 {
				u = update(c, 0, score(model.TierNano, 50, 3, 0.5, 0.5), time.Now().UTC())
				u.Snapshot = &snap
			} else {
				must(t, "PutSnapshot", s.PutSnapshot(ctx, snap))
			}
		}
		save(ctx, t, s, u)
		stored, err := s.Snapshots(ctx, key, "")
		must(t, "Snapshots", err)
		snapsOf[key] = stored
	}
	slices.Sort(all)
	want := map[string]float64{}
	for k, snaps := range snapsOf {
		if g, ok := store.Growth(snaps); ok {
			want[k] = g
		}
	}
	for k, g := range map[string]float64{"bluesky:g1": 20, "bluesky:g2": 15, "bluesky:g4": -10, "bluesky:g7": 15, "bluesky:g8": 3200} {
		if math.Abs(want[k]-g) > 1e-9 {
			t.Fatalf("store.Growth of %s = %v, want %v", k, want[k], g)
		}
	}
	checkGrowth := func(what string, want map[string]float64) {
		t.Helper()
		got, err := sc.Growth(ctx, all)
		must(t, "Growth", err)
		if len(got) != len(want) {
			t.Errorf("%s: Growth = %v, want %v", what, got, want)
		}
		for k, g := range want {
			if math.Abs(got[k]-g) > 1e-9 {
				t.Errorf("%s: growth of %s = %v, want %v", what, k, got[k], g)
			}
		}
		// Sorted by growth: highest first, ties by key, creators without
		// growth last (by key).
		var order []string
		for k := range want {
			order = append(order, k)
		}
		slices.SortFunc(order, func(a, b string) int { return cmp.Or(cmp.Compare(want[b], want[a]), cmp.Compare(a, b)) })
		for _, k := range all {
			if _, ok := want[k]; !ok {
				order = append(order, k)
			}
		}
		top, err := s.Top(ctx, store.TopQuery{SortBy: "growth"})
		must(t, "Top by growth", err)
		if !slices.Equal(keysOf(top), order) {
			t.Errorf("%s: Top by growth\n got  %v\n want %v", what, keysOf(top), order)
		}
		page, err := s.Top(ctx, store.TopQuery{SortBy: "growth", Limit: 2, Offset: 1})
		must(t, "Top by growth, page", err)
		if !slices.Equal(keysOf(page), order[1:3]) {
			t.Errorf("%s: Top by growth, second page of 2 = %v, want %v", what, keysOf(page), order[1:3])
		}
		// TopWithGrowth: Top's records (full or summaries) with the same
		// growth figures; none (nil, not 0) for creators without one.
		for _, q := range []store.TopQuery{
			{SortBy: "growth"}, {SortBy: "growth", Limit: 2, Offset: 1}, {}, {WithoutBreakdown: true, Limit: 5, Offset: 2},
		} {
			recs, err := s.Top(ctx, q)
			must(t, "Top", err)
			rows, err := sc.TopWithGrowth(ctx, q)
			must(t, "TopWithGrowth", err)
			if len(rows) != len(recs) {
				t.Errorf("%s: TopWithGrowth(%+v): %d rows, Top %d", what, q, len(rows), len(recs))
				continue
			}
			for i, r := range rows {
				if !reflect.DeepEqual(r.Record, recs[i]) {
					t.Errorf("%s: TopWithGrowth(%+v) row %d:\n got  %+v\n want %+v", what, q, i, r.Record, recs[i])
				}
				g, ok := want[r.Record.Key]
				switch {
				case !ok && r.Growth != nil:
					t.Errorf("%s: %s has growth %v, want none", what, r.Record.Key, *r.Growth)
				case ok && (r.Growth == nil || math.Abs(*r.Growth-g) > 1e-9):
					t.Errorf("%s: %s has growth %v, want %v", what, r.Record.Key, r.Growth, g)
				}
			}
		}
	}
	checkGrowth("seeded", want)
	checkMinGrowth := func(min float64) {
		t.Helper()
		var keys []string
		for k, g := range want {
			if g >= min {
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(want[b], want[a]), cmp.Compare(a, b)) })
		top, err := s.Top(ctx, store.TopQuery{SortBy: "growth", MinGrowth: &min, Limit: 100})
		must(t, "Top with MinGrowth", err)
		if !slices.Equal(keysOf(top), keys) {
			t.Errorf("Top(MinGrowth %v) = %v, want %v", min, keysOf(top), keys)
		}
		n, err := s.CountTop(ctx, store.TopQuery{MinGrowth: &min})
		must(t, "CountTop with MinGrowth", err)
		if n != int64(len(keys)) {
			t.Errorf("CountTop(MinGrowth %v) = %d, want %d", min, n, len(keys))
		}
	}
	checkMinGrowth(15)  // g1 (+20), g2 and g7 (+15), g8
	checkMinGrowth(-10) // every creator with a growth figure, the shrinking g4 too
	checkMinGrowth(0)   // growing or flat only: not g4, not those without history

	// A new day moves the growth.
	c := creator("bluesky", "g1", 1500)
	u := update(c, 0, score(model.TierNano, 50, 3, 0.5, 0.5), time.Now().UTC())
	u.Snapshot = &model.Snapshot{CreatorKey: c.Key(), Day: "2025-06-20", Followers: 1500, TakenAt: t0}
	save(ctx, t, s, u)
	want["bluesky:g1"] = 50
	checkGrowth("after a new snapshot", want)

	// An earlier day written on its own (a backfill) moves the growth too.
	must(t, "PutSnapshot", s.PutSnapshot(ctx, model.Snapshot{CreatorKey: "bluesky:g3", Day: "2025-06-01", Followers: 2000, TakenAt: t0}))
	want["bluesky:g3"] = 100
	checkGrowth("after a backfilled snapshot", want)
}

// testOutreachHistory: every status change is recorded with its time, once;
// notes-only updates and unchanged statuses add nothing; deleting the list
// drops its history.
func testOutreachHistory(ctx context.Context, t *testing.T, _ store.Store, sc store.Scout) {
	l, err := sc.CreateShortlist(ctx, "Outreach")
	must(t, "CreateShortlist", err)
	other, err := sc.CreateShortlist(ctx, "Other")
	must(t, "CreateShortlist", err)
	must(t, "AddToShortlist", sc.AddToShortlist(ctx, l.ID, "bluesky:a", "mastodon:b"))
	must(t, "AddToShortlist", sc.AddToShortlist(ctx, other.ID, "bluesky:a"))
	h, err := sc.OutreachHistory(ctx, l.ID, "", 0)
	must(t, "OutreachHistory", err)
	if h == nil || len(h) != 0 {
		t.Fatalf("history of a fresh list = %#v, want empty (not nil)", h)
	}
	set := func(list, key, status string) {
		t.Helper()
		must(t, "UpdateShortlistItem", sc.UpdateShortlistItem(ctx, list, key, store.ItemUpdate{Status: &status}))
	}
	before := time.Now().Add(-time.Second)
	set(l.ID, "bluesky:a", store.OutreachContacted)
	time.Sleep(2 * time.Millisecond)                // distinct times order the history
	set(l.ID, "bluesky:a", store.OutreachContacted) // unchanged: not a change
	notes := "called, left a message"
	must(t, "UpdateShortlistItem notes", sc.UpdateShortlistItem(ctx, l.ID, "bluesky:a", store.ItemUpdate{Notes: &notes}))
	set(l.ID, "mastodon:b", store.OutreachDeclined)
	time.Sleep(2 * time.Millisecond)
	set(l.ID, "bluesky:a", store.OutreachReplied)
	set(other.ID, "bluesky:a", store.OutreachSigned)
	bad := "ghosted"
	wantErr(t, "UpdateShortlistItem with an unknown status",
		sc.UpdateShortlistItem(ctx, l.ID, "bluesky:a", store.ItemUpdate{Status: &bad}), store.ErrInvalid)
	wantErr(t, "UpdateShortlistItem of a creator not on the list",
		sc.UpdateShortlistItem(ctx, l.ID, "bluesky:zzz", store.ItemUpdate{Status: &bad}), store.ErrInvalid)
	replied := store.OutreachReplied
	wantErr(t, "UpdateShortlistItem of a creator not on the list",
		sc.UpdateShortlistItem(ctx, l.ID, "bluesky:zzz", store.ItemUpdate{Status: &replied}), store.ErrNotFound)
	after := time.Now().Add(time.Second)

	h, err = sc.OutreachHistory(ctx, l.ID, "", 0)
	must(t, "OutreachHistory", err)
	type ch struct{ key, from, to string }
	var got []ch
	for i, c := range h {
		got = append(got, ch{c.CreatorKey, c.From, c.To})
		if c.ShortlistID != l.ID || c.At.Before(before) || c.At.After(after) || c.At.Location() != time.UTC {
			t.Errorf("change %d: %+v (times between %v and %v, UTC)", i, c, before, after)
		}
		if i > 0 && c.At.After(h[i-1].At) {
			t.Errorf("history not newest first at %d: %v after %v", i, c.At, h[i-1].At)
		}
	}
	want := []ch{{"bluesky:a", store.OutreachContacted, store.OutreachReplied}, {"mastodon:b", store.OutreachNew, store.OutreachDeclined},
		{"bluesky:a", store.OutreachNew, store.OutreachContacted}}
	if !slices.Equal(got, want) {
		t.Errorf("history = %v, want %v", got, want)
	}
	h, err = sc.OutreachHistory(ctx, l.ID, "bluesky:a", 1)
	must(t, "OutreachHistory of one creator", err)
	if len(h) != 1 || h[0].To != store.OutreachReplied {
		t.Errorf("latest change of bluesky:a = %+v", h)
	}
	h, err = sc.OutreachHistory(ctx, other.ID, "", 0)
	must(t, "OutreachHistory", err)
	if len(h) != 1 || h[0].To != store.OutreachSigned || h[0].From != store.OutreachNew {
		t.Errorf("history of the other list = %+v", h)
	}
	must(t, "DeleteShortlist", sc.DeleteShortlist(ctx, l.ID))
	h, err = sc.OutreachHistory(ctx, l.ID, "", 0)
	must(t, "OutreachHistory after delete", err)
	if len(h) != 0 {
		t.Errorf("history survived its list: %+v", h)
	}
}

// testHideShortlisted: Top can leave out creators on a shortlist, or only
// those whose outreach has begun, with the other filters and paging intact.
func testHideShortlisted(ctx context.Context, t *testing.T, s store.Store, sc store.Scout) {
	seedScout(ctx, t, s)
	all, err := s.Top(ctx, store.TopQuery{Limit: 100})
	must(t, "Top", err)
	if len(all) < 4 {
		t.Fatalf("%d seeded creators", len(all))
	}
	a, b, c := all[0].Key, all[1].Key, all[2].Key
	l1, err := sc.CreateShortlist(ctx, "one")
	must(t, "CreateShortlist", err)
	l2, err := sc.CreateShortlist(ctx, "two")
	must(t, "CreateShortlist", err)
	must(t, "AddToShortlist", sc.AddToShortlist(ctx, l1.ID, a, b))
	must(t, "AddToShortlist", sc.AddToShortlist(ctx, l2.ID, a, c))
	contacted, declined := store.OutreachContacted, store.OutreachDeclined
	must(t, "UpdateShortlistItem", sc.UpdateShortlistItem(ctx, l2.ID, c, store.ItemUpdate{Status: &contacted}))
	must(t, "UpdateShortlistItem", sc.UpdateShortlistItem(ctx, l1.ID, b, store.ItemUpdate{Status: &declined}))
	without := func(drop ...string) []string {
		var out []string
		for _, r := range all {
			if !slices.Contains(drop, r.Key) {
				out = append(out, r.Key)
			}
		}
		return out
	}
	for _, tc := range []struct {
		hide string
		want []string
	}{
		{"", without()},
		{store.HideShortlisted, without(a, b, c)},
		{store.HideContacted, without(b, c)}, // a is new on both lists
	} {
		got, err := s.Top(ctx, store.TopQuery{Hide: tc.hide, Limit: 100})
		must(t, "Top", err)
		if !slices.Equal(keysOf(got), tc.want) {
			t.Errorf("Top(Hide %q) = %v, want %v", tc.hide, keysOf(got), tc.want)
		}
		page, err := s.Top(ctx, store.TopQuery{Hide: tc.hide, Limit: 1, Offset: 1})
		must(t, "Top", err)
		if len(tc.want) > 1 && (len(page) != 1 || page[0].Key != tc.want[1]) {
			t.Errorf("Top(Hide %q, offset 1, limit 1) = %v, want %s", tc.hide, keysOf(page), tc.want[1])
		}
	}
	// With another filter.
	got, err := s.Top(ctx, store.TopQuery{Hide: store.HideShortlisted, Platform: "bluesky", Limit: 100})
	must(t, "Top", err)
	for _, r := range got {
		if r.Creator.Platform != "bluesky" || r.Key == a || r.Key == b || r.Key == c {
			t.Errorf("Top(Hide shortlisted, bluesky) returned %s", r.Key)
		}
	}
}
