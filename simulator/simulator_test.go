package simulator

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestDeterministicForSeed(t *testing.T) {
	paths := func(p *Population) []string {
		b := p.Creator("bluesky", 17)
		m := p.Creator("mastodon", 17)
		return []string{
			"/bluesky/xrpc/app.bsky.actor.getProfile?actor=" + b.Handle,
			"/bluesky/xrpc/app.bsky.feed.getAuthorFeed?limit=30&actor=" + b.ID,
			"/bluesky/xrpc/app.bsky.graph.getFollows?limit=10&actor=" + b.ID,
			"/mastodon/api/v1/accounts/lookup?acct=" + m.Handle,
			"/mastodon/api/v1/accounts/" + m.ID + "/statuses?limit=40",
			"/mastodon/api/v1/timelines/tag/plantcare?limit=20",
		}
	}
	serve := func(seed int64) map[string]string {
		s := newSim(t, Options{Seed: seed, Creators: 300})
		h := s.Handler()
		out := map[string]string{}
		for i, p := range paths(s.Population()) {
			r := get(h, p)
			if r.status != 200 {
				t.Fatalf("%s: %d %s", p, r.status, r.body)
			}
			out[string(rune('a'+i))] = string(r.body)
			if i == 1 { // a thread of the feed's first own post
				for _, it := range r.obj(t)["feed"].([]any) {
					if dig(it, "reason") == nil && dig(it, "reply") == nil {
						out["thread"] = string(get(h, "/bluesky/xrpc/app.bsky.feed.getPostThread?uri="+q(str(it, "post", "uri"))).body)
						break
					}
				}
			}
			if i == 4 {
				id := str(r.arr(t)[0], "id")
				out["context"] = string(get(h, "/mastodon/api/v1/statuses/"+id+"/context").body)
			}
		}
		return out
	}
	a, b, c := serve(7), serve(7), serve(8)
	if len(a) != 8 {
		t.Fatalf("want 8 responses, got %d", len(a))
	}
	for k := range a {
		if a[k] != b[k] {
			t.Errorf("response %s differs between two servers with the same seed", k)
		}
		if a[k] == c[k] {
			t.Errorf("response %s is the same for seeds 7 and 8", k)
		}
	}
	var tr1, tr2 bytes.Buffer
	_ = WriteTruthCSV(&tr1, newSim(t, Options{Seed: 7, Creators: 50}).Population(), nil)
	_ = WriteTruthCSV(&tr2, newSim(t, Options{Seed: 7, Creators: 50}).Population(), nil)
	if tr1.String() != tr2.String() {
		t.Error("truth differs for the same seed")
	}
}

func TestHandlesAndIDsResolveLazily(t *testing.T) {
	s := newSim(t, Options{Seed: 11, Creators: MaxCreators})
	p := s.Population()
	for _, i := range []int{0, 1, 9, 4242, 65535, 65536, 77777, MaxCreators - 1} {
		for _, pl := range p.Platforms() {
			tr := p.Creator(pl, i)
			plat := p.plats[pl]
			for _, key := range []string{tr.ID, tr.Handle, strings.ToUpper(tr.Handle)} {
				ref, ok := plat.resolve(p, key)
				if !ok || ref != (acctRef{kind: kindCreator, idx: i}) {
					t.Errorf("%s %d: %q resolves to %+v %v", pl, i, key, ref, ok)
				}
			}
		}
		b := p.Creator("bluesky", i)
		if !strings.HasPrefix(b.ID, "did:plc:") || len(b.ID) != 32 || strings.Trim(b.ID[8:], b32lower) != "" {
			t.Errorf("bad DID %q", b.ID)
		}
		if !strings.HasSuffix(b.Handle, ".bsky.social") {
			t.Errorf("bad handle %q", b.Handle)
		}
	}
	// Audience accounts resolve too, and look-alikes do not.
	bs := p.plats["bluesky"]
	aud := acctRef{kind: kindAudience, idx: 123456}
	if ref, ok := bs.resolve(p, did(p.keys["bluesky"], aud)); !ok || ref != aud {
		t.Errorf("audience DID: %+v %v", ref, ok)
	}
	tr := p.Creator("bluesky", 4242)
	bad := []string{
		tr.ID[:len(tr.ID)-1] + map[bool]string{true: "b", false: "a"}[strings.HasSuffix(tr.ID, "a")],
		strings.Replace(tr.Handle, "4242", "4243", 1),
		"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
		"someone.bsky.social",
		strings.Replace(tr.Handle, "4242", "100000", 1),
	}
	for _, x := range bad {
		if _, ok := bs.resolve(p, x); ok {
			t.Errorf("%q should not resolve", x)
		}
	}
	m := p.Creator("mastodon", 4242)
	for _, x := range []string{"117000000000000000", m.Handle + "x", "1" + m.ID} {
		if _, ok := p.plats["mastodon"].resolve(p, x); ok {
			t.Errorf("mastodon %q should not resolve", x)
		}
	}
	h := s.Handler()
	if r := get(h, "/mastodon/api/v1/accounts/lookup?acct=@"+m.Handle+"@sim.test"); r.status != 200 || str(r.obj(t), "id") != m.ID {
		t.Errorf("lookup with domain: %d %s", r.status, r.body)
	}
	if r := get(h, "/bluesky/xrpc/com.atproto.identity.resolveHandle?handle="+tr.Handle); str(r.obj(t), "did") != tr.ID {
		t.Errorf("resolveHandle: %s", r.body)
	}
}

func TestTruthCSVAndJSON(t *testing.T) {
	s := newSim(t, Options{Seed: 5, Creators: 60})
	p := s.Population()
	var buf bytes.Buffer
	if err := WriteTruthCSV(&buf, p, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "platform,id,handle,tier,archetype,followers,true_er,is_authentic,niche,language,reply_rate,reply_hours,settled_posts,vanished,er_basis,er_by_followers,private,audience_real,audience_fake,audience_inactive" {
		t.Fatalf("header %q", got)
	}
	if n := len(p.Platforms()); n != 5 || len(rows) != 1+n*60 {
		t.Fatalf("%d platforms, %d rows, want 5 and %d", n, len(rows), 1+5*60)
	}
	basis := map[string]string{}
	for _, r := range rows[1:] {
		if b, ok := basis[r[0]]; ok && b != r[14] {
			t.Errorf("%s: er_basis %s and %s", r[0], b, r[14])
		}
		basis[r[0]] = r[14]
	}
	if want := map[string]string{"bluesky": "followers", "mastodon": "followers", "instagram": "followers", "tiktok": "views", "youtube": "views"}; !reflect.DeepEqual(basis, want) {
		t.Errorf("er_basis %v, want %v", basis, want)
	}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		if seen[r[0]+r[1]] {
			t.Errorf("duplicate id %s %s", r[0], r[1])
		}
		seen[r[0]+r[1]] = true
		if (r[4] == ArchOrganic) != (r[7] == "true") {
			t.Errorf("is_authentic %s for %s", r[7], r[4])
		}
	}
	buf.Reset()
	if err := WriteTruthJSON(&buf, p, []string{"mastodon"}); err != nil {
		t.Fatal(err)
	}
	var ts []Truth
	if err := json.Unmarshal(buf.Bytes(), &ts); err != nil {
		t.Fatal(err)
	}
	if len(ts) != 60 || ts[3] != p.Creator("mastodon", 3) {
		t.Fatalf("JSON truth: %d rows, row 3 %+v", len(ts), ts[3])
	}
	if err := WriteTruthCSV(&buf, p, []string{"myspace"}); err == nil {
		t.Error("unknown platform accepted")
	}
	r := get(s.Handler(), "/__truth?platform=bluesky&format=csv")
	if r.status != 200 || strings.Count(string(r.body), "\n") != 61 {
		t.Errorf("/__truth csv: %d, %d lines", r.status, strings.Count(string(r.body), "\n"))
	}
	if r := get(s.Handler(), "/__truth?platform=bluesky"); len(r.arr(t)) != 60 {
		t.Error("/__truth json")
	}
	if got := p.Creator("bluesky", 60); got != (Truth{}) {
		t.Errorf("out of range: %+v", got)
	}
}

func TestPopulationMix(t *testing.T) {
	p := newSim(t, Options{Seed: 1, Creators: 3000}).Population()
	tiers, arch := map[string]int{}, map[string]int{}
	erByTier := map[string][]float64{}
	for i := range p.Size() {
		a := p.account(p.plats["bluesky"], acctRef{kind: kindCreator, idx: i})
		tiers[a.tier]++
		arch[a.arch]++
		if a.arch == ArchOrganic {
			erByTier[a.tier] = append(erByTier[a.tier], a.er)
		}
	}
	within := func(name string, got int, want float64) {
		if f := float64(got) / 3000; f < want*0.75 || f > want*1.25 {
			t.Errorf("%s: %.3f, want about %.2f", name, f, want)
		}
	}
	within("nano", tiers["nano"], 0.45)
	within("micro", tiers["micro"], 0.25)
	within("below", tiers["below"], 0.12)
	within("mid", tiers["mid"], 0.10)
	within("organic", arch[ArchOrganic], 0.65)
	for _, a := range archetypes[1:] {
		if arch[a] < 150 {
			t.Errorf("archetype %s: only %d", a, arch[a])
		}
	}
	mean := func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	if n, m := mean(erByTier["nano"]), mean(erByTier["mega"]); n < 2.5 || n > 4.5 || m > 0.9 || m >= n {
		t.Errorf("organic ER nano %.2f, mega %.2f", n, m)
	}
	seeds := p.SeedHandles("bluesky", 10)
	if len(seeds) != 10 {
		t.Fatalf("seed handles: %v", seeds)
	}
	small := 0
	for _, h := range seeds {
		ref, ok := p.plats["bluesky"].resolve(p, h)
		if !ok {
			t.Fatalf("seed %q does not resolve", h)
		}
		if tier := p.account(p.plats["bluesky"], ref).tier; tier == "nano" || tier == "micro" {
			small++
		}
	}
	if small < 6 {
		t.Errorf("only %d of 10 seeds are nano/micro", small)
	}
	if tags := p.Hashtags(); len(tags) < 30 || tags[0] != "veganbaking" || tags[1] != "trailrunning" || tags[2] != "plantcare" {
		t.Errorf("hashtags %v", tags[:3])
	}
}

func TestParseFaults(t *testing.T) {
	f, err := ParseFaults("5xx=0.05, latency=20ms,truncate=0.01,malformed=0.01,drift=0.01,vanish=0.02,loginwall=0.03")
	if err != nil {
		t.Fatal(err)
	}
	want := Faults{ErrorRate: 0.05, TruncateRate: 0.01, MalformedRate: 0.01, DriftRate: 0.01, Latency: 20 * time.Millisecond, VanishRate: 0.02, LoginWallRate: 0.03}
	if f != want {
		t.Fatalf("got %+v", f)
	}
	if g, err := ParseFaults(f.String()); err != nil || g != f {
		t.Errorf("String round trip: %q → %+v %v", f.String(), g, err)
	}
	if f, err := ParseFaults(""); err != nil || f != (Faults{}) {
		t.Errorf("empty: %+v %v", f, err)
	}
	for _, bad := range []string{"boom=0.1", "5xx=2", "latency=fast", "drift", "5xx=0.6,truncate=0.6"} {
		_, err := ParseFaults(bad)
		if err == nil {
			t.Errorf("%q accepted", bad)
		}
		if bad == "boom=0.1" && (err == nil || !strings.Contains(err.Error(), "boom")) {
			t.Errorf("unknown key error does not name it: %v", err)
		}
	}
}

func TestScaledClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		now := ScaledClock(start, 3600)
		if got := now(); !got.Equal(start) {
			t.Errorf("starts at %v, want %v", got, start)
		}
		time.Sleep(20 * time.Millisecond)
		if got := now().Sub(start); got != 72*time.Second {
			t.Errorf("a clock 3600 times faster moved %v in 20 ms, want 72s", got)
		}
	})
}
